// logout through Run: the in-memory store, a scripted transport, a real
// cache directory.
#include <catch2/catch.hpp>

#include "helper/upbound/token_cache.h"
#include "tests/doubles/session_fixture.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void CheckNoSecret(const RunResult& r) {
  for (const char* secret : {"robot-token-secret", "sid-1", "other-secret", "acme-secret", "sid-acme"}) {
    INFO(secret);
    CHECK(!Has(r.out, secret));
    CHECK(!Has(r.err, secret));
  }
}

std::size_t CacheFiles(SessionFixture& f) {
  std::size_t n = 0;
  for (const std::string& name : f.fs.ListDir(f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"])) {
    if (name.find(".lock") == std::string::npos) ++n;
  }
  return n;
}

TEST_CASE("logout: ends the session with its cookie, then removes the token and the cache", "[logout]") {
  SessionFixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  REQUIRE(CacheFiles(f) == 1);
  f.h.http.Respond(200, "{}", {{"Set-Cookie", "SID=; Max-Age=0"}});
  RunResult r = f.h.Run({"logout"});
  CheckNoSecret(r);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "xpkg.upbound.io: ended the Upbound session\n"
        "Removed the credential for xpkg.upbound.io (user robot-id) from the secret store, and its cached "
        "credentials\n");
  REQUIRE(f.h.http.requests().size() == 2);
  const HttpRequest& end = f.h.http.requests()[1];
  CHECK(end.method == "POST");
  CHECK(end.url == "https://api.upbound.io/v1/logout");
  CHECK(std::count(end.headers.begin(), end.headers.end(), std::make_pair(std::string("Cookie"), std::string("SID=sid-1"))) == 1);
  CHECK(f.h.store().Get(kHost).status().IsNotFound());
  CHECK(CacheFiles(f) == 0);
  // Nothing is served from the dropped session.
  CHECK(f.h.Run({"get"}, kHost).out == "credentials not found in native keychain\n");
}

TEST_CASE("logout: a session Upbound cannot end is a warning; the token goes all the same", "[logout]") {
  SessionFixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  RunResult r = f.h.Run({"logout", "--server", "https://xpkg.upbound.io/"});
  CheckNoSecret(r);
  CHECK(r.code == 0);
  CHECK(Has(r.err, "warning: xpkg.upbound.io: could not end the Upbound session (cannot reach Upbound"));
  CHECK(Has(r.out, "Removed the credential for xpkg.upbound.io"));
  CHECK(f.h.store().Get(kHost).status().IsNotFound());

  // 401: already ended.
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  f.h.http.Respond(401, R"({"message":"Unauthorized"})");
  r = f.h.Run({"logout"});
  CHECK(Has(r.out, "xpkg.upbound.io: the Upbound session had already ended\n"));
  CHECK(r.err.empty());
}

TEST_CASE("logout: direct sends nothing; nothing stored is not logged in, exit 0", "[logout]") {
  SessionFixture f;
  f.h.env.erase("DOCKER_CREDENTIAL_UPBOUND_EXCHANGE");
  RunResult r = f.h.Run({"logout"});
  CHECK(r.code == 0);
  CHECK(r.out == "Not logged in to xpkg.upbound.io\n");
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  r = f.h.Run({"logout"});
  CHECK(r.code == 0);
  CHECK(Has(r.out, "Removed the credential for xpkg.upbound.io (user robot-id)"));
  CHECK(f.h.http.requests().empty());
  // Any stored key, Upbound or not.
  REQUIRE(f.h.store().Put({"ghcr.io", "me", "other-secret"}).ok());
  r = f.h.Run({"logout", "--server", "ghcr.io"});
  CHECK(r.out == "Removed the credential for ghcr.io (user me) from the secret store\n");
  CHECK(f.h.store().Get("ghcr.io").status().IsNotFound());
}

TEST_CASE("logout: --all removes every stored credential and every scope's cache", "[logout]") {
  SessionFixture f;
  std::string conf = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] + "-conf";
  REQUIRE(f.fs.EnsurePrivateDir(conf).ok());
  REQUIRE(f.fs.WritePrivateFileAtomic(conf + "/acme.json", R"({"accessId":"acme-id","token":"acme-secret"})").ok());
  REQUIRE(f.fs.WritePrivateFileAtomic(conf + "/config.json",
                                      R"({"organizations":[{"name":"acme","prefix":"xpkg.upbound.io/acme",)"
                                      R"("robotTokenFile":")" + conf + R"(/acme.json"}]})")
              .ok());
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = conf + "/config.json";
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  REQUIRE(f.h.store().Put({"ghcr.io", "me", "other-secret"}).ok());
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  f.Login("sid-acme", 3600);
  REQUIRE(f.h.Run({"kubelet"}, R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1",)"
                                R"("kind":"CredentialProviderRequest","image":"xpkg.upbound.io/acme/x:v1"})")
              .code == 0);
  REQUIRE(CacheFiles(f) == 2);
  f.h.http.Respond(200, "{}");
  f.h.http.Respond(200, "{}");
  RunResult r = f.h.Run({"logout", "--all"});
  CheckNoSecret(r);
  CHECK(r.code == 0);
  CHECK(Has(r.out, "Removed the credential for ghcr.io (user me)"));
  CHECK(Has(r.out, "Removed the credential for xpkg.upbound.io (user robot-id)"));
  CHECK(Has(r.out, "xpkg.upbound.io: ended the Upbound session\n"));
  CHECK(Has(r.out, "xpkg.upbound.io/acme: ended the Upbound session\n"));
  REQUIRE(f.h.http.requests().size() == 4);
  CHECK(f.h.http.requests()[2].headers[0].second == "SID=sid-1");
  CHECK(f.h.http.requests()[3].headers[0].second == "SID=sid-acme");
  CHECK(f.h.store().List()->empty());
  CHECK(CacheFiles(f) == 0);

  r = f.h.Run({"logout", "--all"});
  CHECK(r.code == 0);
  CHECK(Has(r.out, "Not logged in anywhere"));
}

TEST_CASE("logout: --server with --all, and an unreachable secret store, are errors", "[logout]") {
  SessionFixture f;
  RunResult r = f.h.Run({"logout", "--all", "--server", kHost});
  CHECK(r.code == 1);
  CHECK(r.err == "docker-credential-upbound: error: logout: give --server HOST or --all, not both\n");
  f.h.BreakStore(Status::Unavailable("secret store: no session bus"));
  r = f.h.Run({"logout"});
  CHECK(r.code == 1);
  CHECK(r.err == "docker-credential-upbound: error: logout: the secret store: secret store: no session bus\n");
}

}  // namespace
}  // namespace dcu
