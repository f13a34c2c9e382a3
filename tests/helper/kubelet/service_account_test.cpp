// The pod's namespace and service account from a kubelet-issued token.
#include <catch2/catch.hpp>

#include "helper/kubelet/service_account.h"
#include "tests/doubles/unsigned_jwt.h"

namespace dcu::kubelet {
namespace {

const auto& Jwt = UnsignedJwt;

std::string Of(const std::string& token) {
  StatusOr<ServiceAccount> sa = ServiceAccountOf(token);
  return sa.ok() ? sa->ns + "/" + sa->name : "error: " + sa.status().message();
}

TEST_CASE("service account: namespace and name from the claims", "[kubelet_sa]") {
  // What a kubelet-issued bound token carries.
  CHECK(Of(Jwt(R"({"aud":["xpkg.upbound.io"],"sub":"system:serviceaccount:team-a:puller",)"
               R"("kubernetes.io":{"namespace":"team-a","pod":{"name":"p","uid":"u"},)"
               R"("serviceaccount":{"name":"puller","uid":"v"}}})")) == "team-a/puller");
  CHECK(Of(Jwt(R"({"sub":"system:serviceaccount:team-b:default"})")) == "team-b/default");
  CHECK(Of(Jwt(R"({"kubernetes.io":{"namespace":"team-c","serviceaccount":{"name":"x"}}})")) == "team-c/x");
}

TEST_CASE("service account: malformed tokens are refused without quoting them", "[kubelet_sa]") {
  const std::string secretish = "not-a-jwt-but-secret";
  CHECK(Of(secretish) == "error: service-account token: not a JWT with JSON claims");
  CHECK(Of("a.!!!.c") == "error: service-account token: not a JWT with JSON claims");
  CHECK(Of(Jwt("[1]")) == "error: service-account token: not a JWT with JSON claims");
  CHECK(Of(Jwt(R"({"sub":"user:alice"})")) == "error: service-account token: its claims name no namespace");
  CHECK(Of(Jwt(R"({"sub":"system:serviceaccount:team-a"})")).find("is not system:serviceaccount:") !=
        std::string::npos);
  CHECK(Of(Jwt(R"({"sub":"system:serviceaccount:team-a:x","kubernetes.io":{"namespace":"team-b",)"
               R"("serviceaccount":{"name":"x"}}})")) ==
        "error: service-account token: \"sub\" and the kubernetes.io claim name different service accounts");
  CHECK(Of(Jwt(R"({"kubernetes.io":{"namespace":"Team A"}})")).find("not a namespace name") != std::string::npos);
  CHECK(Of(Jwt(R"({"kubernetes.io":{"namespace":"a","serviceaccount":{"name":"x\ny"}}})"))
            .find("not a Kubernetes name") != std::string::npos);
  CHECK(Of(Jwt(R"({"kubernetes.io":{"namespace":7}})")) == "error: service-account token: its claims name no namespace");
}

}  // namespace
}  // namespace dcu::kubelet
