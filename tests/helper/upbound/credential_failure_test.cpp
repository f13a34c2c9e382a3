// The last failure of a get (or the kubelet) per scope: recorded for
// status when a get fails for real or the token is rejected, cleared by
// the next success; "no token" is no failure.
#include <catch2/catch.hpp>

#include "helper/upbound/token_cache.h"
#include "tests/doubles/session_fixture.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";

StatusOr<LastFailure> Failure(SessionFixture& f, const std::string& key) {
  return TokenCache(f.fs, f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"]).LoadFailure(key);
}

TEST_CASE("credential failure: recorded when Upbound cannot be reached, cleared by a success",
          "[credential_failure]") {
  SessionFixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  RunResult r = f.h.Run({"get"}, kHost);
  REQUIRE(r.code == 1);
  StatusOr<LastFailure> failure = Failure(f, kHost);
  REQUIRE(failure.ok());
  CHECK(failure->at == f.fs.now);
  CHECK(failure->message.rfind("cannot reach Upbound: ", 0) == 0);
  CHECK(r.out.find(failure->message) != std::string::npos);  // the line the get printed

  f.fs.now += 10;
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  CHECK(Failure(f, kHost).status().IsNotFound());
}

TEST_CASE("credential failure: a rejected token is recorded with who rejected it", "[credential_failure]") {
  SessionFixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.h.http.Respond(401, R"({"message":"Unauthorized"})");
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == "credentials not found in native keychain\n");
  StatusOr<LastFailure> failure = Failure(f, kHost);
  REQUIRE(failure.ok());
  CHECK(failure->message.rfind("Upbound rejected the robot token", 0) == 0);
  CHECK(failure->message.find("robot-token-secret") == std::string::npos);
  // A new store drops it with the rest of what the old token left.
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  CHECK(Failure(f, kHost).status().IsNotFound());
}

TEST_CASE("credential failure: no token at all is no failure", "[credential_failure]") {
  SessionFixture f;
  CHECK(f.h.Run({"get"}, kHost).out == "credentials not found in native keychain\n");
  CHECK(Failure(f, kHost).status().IsNotFound());
  CHECK(f.h.http.requests().empty());
}

TEST_CASE("credential failure: the kubelet's failures are recorded per organization", "[credential_failure]") {
  SessionFixture f;
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] + "-conf";
  REQUIRE(f.fs.EnsurePrivateDir(dir).ok());
  REQUIRE(f.fs.WritePrivateFileAtomic(dir + "/acme.json", R"({"accessId":"acme-id","token":"acme-secret"})").ok());
  REQUIRE(f.fs.WritePrivateFileAtomic(dir + "/config.json",
                                      R"({"organizations":[{"name":"acme","prefix":"xpkg.upbound.io/acme",)"
                                      R"("robotTokenFile":")" + dir + R"(/acme.json"}]})")
              .ok());
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = dir + "/config.json";
  for (int i = 0; i < 4; ++i) f.h.http.Respond(503);
  RunResult r = f.h.Run({"kubelet"}, R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1",)"
                                     R"("kind":"CredentialProviderRequest","image":"xpkg.upbound.io/acme/x:v1"})");
  CHECK(r.code == 1);
  StatusOr<LastFailure> failure = Failure(f, "xpkg.upbound.io/acme");
  REQUIRE(failure.ok());
  CHECK(failure->message.find("503") != std::string::npos);
  CHECK(Failure(f, kHost).status().IsNotFound());
}

}  // namespace
}  // namespace dcu
