// The get path for Upbound registries, driven through Run with a fake
// transport, the in-memory store and a real cache directory.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <sstream>

#include "helper/upbound/credential.h"
#include "tests/doubles/session_fixture.h"
#include "tests/file_mode.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";

using Fixture = SessionFixture;

TEST_CASE("upbound: get exchanges once, then serves the cache", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  RunResult first = f.h.Run({"get"}, kHost);
  CHECK(first.out == f.Expect("sid-1"));
  for (int i = 0; i < 5; ++i) {
    f.fs.now += 60;
    CHECK(f.h.Run({"get"}, "https://xpkg.upbound.io").out.find("sid-1") != std::string::npos);
  }
  CHECK(f.h.http.requests().size() == 1);
  // The robot token went to the API endpoint only, in the login body.
  CHECK(f.h.http.requests()[0].url == "https://api.upbound.io/v1/login");
  CHECK(f.h.http.requests()[0].body.find("robot-token-secret") != std::string::npos);
}

TEST_CASE("upbound: the cache is private and holds no robot token", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  CHECK(ModeOf(dir) == 0700);
  int files = 0;
  for (const std::string& name : f.fs.ListDir(dir)) {
    if (name.size() < 5 || name.substr(name.size() - 5) != ".json") continue;
    ++files;
    CHECK(ModeOf(dir + "/" + name) == 0600);
    CHECK(name.find("robot") == std::string::npos);
    StatusOr<std::string> text = f.fs.ReadPrivateFile(dir + "/" + name, 1 << 16);
    REQUIRE(text.ok());
    CHECK(text->find("robot-token-secret") == std::string::npos);
    CHECK(text->find("sid-1") != std::string::npos);
  }
  CHECK(files == 1);
}

TEST_CASE("upbound: refresh when 10% of the lifetime (at most 5 min) is left", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 1000);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  f.fs.now += 899;  // 101 s left: not yet
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  f.fs.now += 2;  // 99 s left: refresh
  f.Login("sid-2", 1000);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-2"));
  CHECK(f.h.http.requests().size() == 2);

  f.Login("sid-3", 86400);  // a day: refresh 5 minutes before the end
  f.fs.now += 1000;
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-3"));
  f.fs.now += 86400 - 301;
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-3"));
  f.fs.now += 2;
  f.Login("sid-4", 86400);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-4"));
}

TEST_CASE("upbound: while another process refreshes, the current credential serves", "[upbound_credentials]") {
  Fixture f;
  // A get that waited for the holder would wait out this timeout; one that
  // does not wait is done long before half of it, even under valgrind on
  // a loaded machine (tests/memcheck.sh), where 2 s once was not enough.
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "120";
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 1000);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  std::unique_ptr<FileLock> held;
  for (const std::string& name : f.fs.ListDir(dir)) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".lock") {
      held = std::move(*f.fs.Lock(dir + "/" + name, std::chrono::steady_clock::now()));
    }
  }
  REQUIRE(held);
  f.fs.now += 950;  // refresh due, still usable: no waiting for the holder
  auto start = std::chrono::steady_clock::now();
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  CHECK(f.h.http.requests().size() == 1);
  held.reset();
  f.Login("sid-2", 1000);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-2"));
}

TEST_CASE("upbound: Upbound down serves a still-valid cache, fails once expired", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 1000);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  f.fs.now += 950;  // in the refresh window, still usable
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  f.fs.now += 100;  // expired
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.code == 1);
  CHECK(r.out.rfind("docker-credential-upbound: error: cannot reach Upbound: ", 0) == 0);
}

TEST_CASE("upbound: a revoked token says so, once a minute, and public pulls go on", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.h.http.Respond(401, R"({"message":"Unauthorized"})");
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.code == 1);
  CHECK(r.out == "credentials not found in native keychain\n");
  CHECK(r.err ==
        "docker-credential-upbound: warning: xpkg.upbound.io: Upbound rejected the robot token (revoked, or for "
        "another domain or organization): POST https://api.upbound.io/v1/login answered 401 0 s ago; answering "
        "without credentials (asking again after 60 s, or after a store)\n");
  // One docker pull asks several times: Upbound hears of it once.
  f.fs.now += 30;
  for (int i = 0; i < 3; ++i) CHECK(f.h.Run({"get"}, kHost).out == "credentials not found in native keychain\n");
  CHECK(f.h.http.requests().size() == 1);
  // After the minute, or at once after a new store, it is asked again.
  f.fs.now += 31;
  f.Login("sid-1", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  CHECK(f.h.http.requests().size() == 2);
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.h.http.Respond(401, R"({"message":"Unauthorized"})");
  REQUIRE(f.h.Run({"get"}, kHost).code == 1);
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-2", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-2"));
}

TEST_CASE("upbound: store and erase drop the cached credential", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-2", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-2"));
  REQUIRE(f.h.Run({"erase"}, kHost).code == 0);
  CHECK(f.h.Run({"get"}, kHost).out == "credentials not found in native keychain\n");
  CHECK(f.h.http.requests().size() == 2);
}

TEST_CASE("upbound: without any robot token, not found (Docker goes anonymous)", "[upbound_credentials]") {
  Fixture f;
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == "credentials not found in native keychain\n");
  CHECK(f.h.http.requests().empty());
}

TEST_CASE("upbound: an unusable keyring answers not found, with a warning", "[upbound_credentials]") {
  Fixture f;
  f.h.BreakStore(Status::Unavailable("keyring: no D-Bus session bus"));
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == "credentials not found in native keychain\n");
  CHECK(r.err == "docker-credential-upbound: warning: xpkg.upbound.io: keyring: no D-Bus session bus; "
                 "answering without credentials\n");
  // Other registries keep the strict answer: the keyring is where they live.
  CHECK(f.h.Run({"get"}, "ghcr.io").out == "docker-credential-upbound: error: keyring: no D-Bus session bus\n");
}

TEST_CASE("upbound: a corrupt or foreign cache file is discarded", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  for (const std::string& name : f.fs.ListDir(dir)) {
    if (name.substr(name.size() - 5) == ".json") {
      REQUIRE(f.fs.WritePrivateFileAtomic(dir + "/" + name, "{corrupt").ok());
    }
  }
  f.Login("sid-2", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-2"));
#ifndef _WIN32  // others' access by mode (windows_file_system_test covers access lists)
  for (const std::string& name : f.fs.ListDir(dir)) {
    if (name.substr(name.size() - 5) == ".json") chmod((dir + "/" + name).c_str(), 0644);
  }
  f.Login("sid-3", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-3"));
#endif
}

TEST_CASE("upbound: env token source, org-token and direct exchanges", "[upbound_credentials]") {
  Fixture f;
  f.h.env["UP_ROBOT_TOKEN"] = "env-token";
  f.h.env["UP_ROBOT_ACCESS_ID"] = "env-id";
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";
  f.h.env["UP_ORGANIZATION"] = "acme";
  f.h.http.Respond(200, R"({"access_token":"org-1","token_type":"Bearer","expires_in":3600})");
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("org-1"));
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("org-1"));
  CHECK(f.h.http.requests().size() == 1);
  CHECK(f.h.opens() == 0);  // no keyring needed

  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "direct";
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  CHECK(f.h.Run({"get"}, kHost).out ==
        "{\"ServerURL\":\"xpkg.upbound.io\",\"Username\":\"env-id\",\"Secret\":\"env-token\"}\n");
  CHECK(f.h.http.requests().size() == 1);
}

TEST_CASE("upbound: other registries get their stored credential unchanged", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, R"({"ServerURL":"ghcr.io","Username":"me","Secret":"pat"})").code == 0);
  CHECK(f.h.Run({"get"}, "ghcr.io").out == "{\"ServerURL\":\"ghcr.io\",\"Username\":\"me\",\"Secret\":\"pat\"}\n");
  CHECK(f.h.Run({"get"}, "quay.io").out == "credentials not found in native keychain\n");
  CHECK(f.h.http.requests().empty());
}

TEST_CASE("upbound: an invalid setting names the variable and fails every get", "[upbound_credentials]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "bogus";
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.code == 1);
  CHECK(r.out ==
        "docker-credential-upbound: error: environment variable DOCKER_CREDENTIAL_UPBOUND_EXCHANGE: "
        "\"bogus\" must be session, org-token or direct\n");
}

TEST_CASE("upbound: any front end gets the credential with its expiry", "[upbound_credentials]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  REQUIRE(f.h.Run({"store"}, R"({"ServerURL":"ghcr.io","Username":"me","Secret":"pat"})").code == 0);
  std::istringstream in;
  std::ostringstream out, err;
  Context ctx(f.h.env, in, out, err, f.h.system());
  REQUIRE(ctx.LoadSettings().ok());
  f.Login("sid-1", 3600);
  StatusOr<RegistryCredential> session = CredentialFor(ctx, kHost);
  REQUIRE(session.ok());
  CHECK(session->secret == "sid-1");
  CHECK(session->obtained_at == f.fs.now);
  CHECK(session->expires_at == f.fs.now + 3600);
  f.fs.now += 100;
  StatusOr<RegistryCredential> cached = CredentialFor(ctx, kHost);
  REQUIRE(cached.ok());
  CHECK(cached->expires_at == session->expires_at);  // from the cache, same expiry
  CHECK(f.h.http.requests().size() == 1);

  StatusOr<RegistryCredential> stored = CredentialFor(ctx, "ghcr.io");
  REQUIRE(stored.ok());
  CHECK(stored->username == "me");
  CHECK(stored->expires_at == 0);
  CHECK(CredentialFor(ctx, "quay.io").status().IsNotFound());

  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "direct";
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  Context direct_ctx(f.h.env, in, out, err, f.h.system());
  REQUIRE(direct_ctx.LoadSettings().ok());
  StatusOr<RegistryCredential> direct = CredentialFor(direct_ctx, kHost);
  REQUIRE(direct.ok());
  CHECK(direct->username == "robot-id");
  CHECK(direct->secret == "robot-token-secret");
  CHECK(direct->expires_at == 0);
  CHECK(f.h.http.requests().size() == 1);  // direct sends nothing
}

}  // namespace
}  // namespace dcu
