// store and erase for a served Upbound host with an exchanged credential:
// docker login's round trip keeps the robot token, and the cache never
// outlives the token it came from; a refresh that cannot happen serves the
// credential that still works.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "helper/upbound/credential.h"
#include "helper/upbound/token_cache.h"
#include "tests/doubles/session_fixture.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";
const std::string kNotFound = "credentials not found in native keychain\n";

using Fixture = SessionFixture;

// A store request for xpkg.upbound.io.
std::string Derived(const std::string& user, const std::string& secret) {
  return "{\"ServerURL\":\"xpkg.upbound.io\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}";
}

TEST_CASE("store: docker login without -u keeps the robot token", "[upbound_store]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  // What docker login HOST (no -u) does next: store what get returned.
  RunResult r = f.h.Run({"store"}, Derived("_token", "sid-1"));
  CHECK(r.code == 0);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "docker-credential-upbound: xpkg.upbound.io: not stored: this is the credential the helper derives from its "
        "robot token (the robot token stored for xpkg.upbound.io), which stays in use\n");
  CHECK(f.h.store().Get(kHost)->username == "robot-id");
  CHECK(f.h.store().Get(kHost)->secret == "robot-token-secret");
  // The cache is kept too: no new exchange.
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  CHECK(f.h.http.requests().size() == 1);
  // The cached secret under another username is just as derived.
  CHECK(f.h.Run({"store"}, Derived("someone", "sid-1")).code == 0);
  CHECK(f.h.store().Get(kHost)->secret == "robot-token-secret");
}

TEST_CASE("store: a _token credential with no robot token to keep is an error", "[upbound_store]") {
  Fixture f;
  RunResult r = f.h.Run({"store"}, Derived("_token", "sid-x"));
  CHECK(r.code == 1);
  CHECK(r.out.rfind("docker-credential-upbound: error: xpkg.upbound.io: \"_token\" credentials are what the helper "
                    "derives from a robot token, and there is none to keep",
                    0) == 0);
  CHECK(r.out.find("docker login xpkg.upbound.io -u <access ID> --password-stdin") != std::string::npos);
  CHECK(f.h.store().Get(kHost).status().IsNotFound());
  // Other registries store _token like any username.
  CHECK(f.h.Run({"store"}, R"({"ServerURL":"ghcr.io","Username":"_token","Secret":"x"})").code == 0);
}

TEST_CASE("store: a stale credential saved by a refresh is never served after store", "[upbound_store]") {
  // The race: a get that was exchanging with the old token saves its result
  // after store dropped the cache. With the host lock, store waits for it.
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-old", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-old"));
  TokenCache cache(f.fs, f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"]);
  StatusOr<std::unique_ptr<FileLock>> refreshing =
      cache.Lock(kHost, std::chrono::steady_clock::now() + std::chrono::seconds(1));
  REQUIRE(refreshing.ok());
  // While a refresh holds the lock, store cannot slip in between.
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "1";
  RunResult blocked = f.h.Run({"store"}, R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"new"})");
  CHECK(blocked.code == 1);
  CHECK(blocked.out.find("timed out waiting for another process") != std::string::npos);
  CHECK(f.h.store().Get(kHost)->secret == "robot-token-secret");  // unchanged: a failed store changes nothing
  refreshing->reset();
  REQUIRE(f.h.Run({"store"}, R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"new"})").code == 0);
  f.Login("sid-new", 3600);
  CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-new"));
  REQUIRE(f.h.Run({"erase"}, kHost).code == 0);
  CHECK(f.h.Run({"get"}, kHost).out == kNotFound);
}

TEST_CASE("refresh window: a valid credential serves whatever stops the refresh", "[upbound_store]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 1000);
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  f.fs.now += 950;  // refresh due, 50 s left

  SECTION("no keyring") {
    f.h.BreakStore(Status::Unavailable("keyring: no D-Bus session bus"));
    CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  }
  SECTION("Upbound rejects the token") {
    f.h.http.Respond(401, R"({"message":"Unauthorized"})");
    CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  }
  SECTION("the cache directory became unwritable") {
    std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
    chmod(dir.c_str(), 0500);
    f.Login("sid-2", 1000);
    RunResult r = f.h.Run({"get"}, kHost);
    chmod(dir.c_str(), 0700);
    // root ignores the mode: either the refresh happened, or the cache served.
    CHECK((r.out == f.Expect("sid-1") || r.out == f.Expect("sid-2")));
  }
  CHECK(f.h.http.pending() <= 1);
}

TEST_CASE("exchange: an unusable cache directory does not prevent the exchange", "[upbound_store]") {
  Fixture f;
  f.h.env["UP_ROBOT_TOKEN"] = "env-token";
  f.h.env["UP_ROBOT_ACCESS_ID"] = "env-id";
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  REQUIRE(f.fs.WritePrivateFileAtomic(dir + ".file", "x").ok());
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = dir + ".file/cache";
  f.Login("sid-1", 3600);
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == f.Expect("sid-1"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // warned once
  CHECK(r.err.find("warning: xpkg.upbound.io: cache: ") != std::string::npos);
  CHECK(r.err.find("going on without the cache") != std::string::npos);
}

TEST_CASE("exchange: a credential shorter-lived than the margin serves who waited", "[upbound_store]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 20);
  REQUIRE(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  for (int i = 0; i < 5; ++i) {
    f.fs.now += 2;
    CHECK(f.h.Run({"get"}, kHost).out == f.Expect("sid-1"));
  }
  CHECK(f.h.http.requests().size() == 1);
}

}  // namespace
}  // namespace dcu
