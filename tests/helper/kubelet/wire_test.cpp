// The kubelet's request and response as JSON text, and Go durations.
#include <catch2/catch.hpp>

#include "helper/kubelet/wire.h"

namespace dcu::kubelet {
namespace {

const std::string kV1 = "credentialprovider.kubelet.k8s.io/v1";

std::string Error(const std::string& input) {
  StatusOr<ProviderRequest> r = ParseProviderRequest(input);
  return r.ok() ? "" : r.status().message();
}

TEST_CASE("kubelet wire: a request of each apiVersion", "[kubelet_wire]") {
  for (const char* version : {"v1", "v1beta1", "v1alpha1"}) {
    std::string api = std::string("credentialprovider.kubelet.k8s.io/") + version;
    StatusOr<ProviderRequest> r = ParseProviderRequest(
        R"({"apiVersion":")" + api + R"(","kind":"CredentialProviderRequest","image":"xpkg.upbound.io/a/b"})" "\n");
    REQUIRE(r.ok());
    CHECK(r->api_version == api);
    CHECK(r->image == "xpkg.upbound.io/a/b");
    CHECK(r->service_account_token.empty());
  }
  StatusOr<ProviderRequest> sa = ParseProviderRequest(
      R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest",)"
      R"("image":"x.io/a","serviceAccountToken":"h.c.s","serviceAccountAnnotations":{"a/b":"c"},"future":1})");
  REQUIRE(sa.ok());
  CHECK(sa->service_account_token == "h.c.s");
}

TEST_CASE("kubelet wire: malformed requests, one line each, the token never quoted", "[kubelet_wire]") {
  const std::string ok_head = R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest")";
  CHECK(Error("") == "kubelet request: not JSON");
  CHECK(Error("{") == "kubelet request: not JSON");
  CHECK(Error("[]") == "kubelet request: not a JSON object");
  CHECK(Error(R"({"kind":"CredentialProviderRequest","image":"x.io/a"})") == "kubelet request: apiVersion is missing");
  CHECK(Error(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"x"})") ==
        "kubelet request: unknown apiVersion \"credentialprovider.kubelet.k8s.io/v2\" "
        "(credentialprovider.kubelet.k8s.io/v1, v1beta1 or v1alpha1)");
  CHECK(Error(R"({"apiVersion":"kubelet.config.k8s.io/v1","kind":"CredentialProviderRequest","image":"x"})")
            .find("unknown apiVersion") != std::string::npos);
  CHECK(Error(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"x.io/a"})") ==
        "kubelet request: kind is missing, not CredentialProviderRequest");
  CHECK(Error(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse","image":"x"})") ==
        "kubelet request: kind is \"CredentialProviderResponse\", not CredentialProviderRequest");
  CHECK(Error(ok_head + "}") == "kubelet request: image is missing or not a string");
  CHECK(Error(ok_head + R"(,"image":7})") == "kubelet request: image is missing or not a string");
  CHECK(Error(ok_head + R"(,"image":"x.io/a","serviceAccountToken":7})") ==
        "kubelet request: serviceAccountToken is not a string");
  CHECK(Error(ok_head + R"(,"image":"x.io/a","serviceAccountAnnotations":{"a":1}})") ==
        "kubelet request: serviceAccountAnnotations is not a map of strings");
  // A hostile kind is shown short and printable.
  std::string shown = Error(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"\u0007)" +
                            std::string(500, 'k') + R"(","image":"x"})");
  CHECK(shown.size() < 200);
  CHECK(shown.find('\a') == std::string::npos);
}

TEST_CASE("kubelet wire: the response has exactly the kubelet's fields, in order", "[kubelet_wire]") {
  ProviderResponse r{kV1, "Registry", 3599, {{"xpkg.upbound.io", {"robot-id", "s3cret"}}}};
  CHECK(FormatProviderResponse(r) ==
        R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse",)"
        R"("cacheKeyType":"Registry","cacheDuration":"59m59s",)"
        R"("auth":{"xpkg.upbound.io":{"username":"robot-id","password":"s3cret"}}})" "\n");
  ProviderResponse empty{kV1, "Image", std::nullopt, {}};
  CHECK(FormatProviderResponse(empty) ==
        R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderResponse",)"
        R"("cacheKeyType":"Image","auth":{}})" "\n");
  ProviderResponse zero{kV1, "Image", 0, {}};
  CHECK(FormatProviderResponse(zero).find(R"("cacheDuration":"0s")") != std::string::npos);
  // Bytes that are not UTF-8 cannot go into JSON: replaced, never a throw.
  ProviderResponse odd{kV1, "Registry", 1, {{"x.io", {"u", std::string("a\xff", 2)}}}};
  CHECK(FormatProviderResponse(odd).find(R"("password":"a)") != std::string::npos);
}

TEST_CASE("kubelet wire: Go durations as metav1.Duration prints them", "[kubelet_wire]") {
  CHECK(GoDuration(0) == "0s");
  CHECK(GoDuration(-5) == "0s");
  CHECK(GoDuration(1) == "1s");
  CHECK(GoDuration(59) == "59s");
  CHECK(GoDuration(60) == "1m0s");
  CHECK(GoDuration(65) == "1m5s");
  CHECK(GoDuration(3598) == "59m58s");
  CHECK(GoDuration(3600) == "1h0m0s");
  CHECK(GoDuration(3661) == "1h1m1s");
  CHECK(GoDuration(30 * 24 * 3600) == "720h0m0s");
}

}  // namespace
}  // namespace dcu::kubelet
