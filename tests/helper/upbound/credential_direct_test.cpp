// The default exchange, direct: the robot pair, verified against the
// registry's token service at most once per period, through Run with a
// scripted transport and a clock the test moves.
#include <catch2/catch.hpp>

#include "helper/upbound/credential.h"
#include "tests/doubles/clocked_file_system.h"
#include "tests/doubles/harness.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";
const std::string kPair = R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})"
                          "\n";
const std::string kNotFound = "credentials not found in native keychain\n";

struct Fixture {
  Fixture() {
    h.system().fs = &fs;
    h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "5";
    REQUIRE(h.Run({"store"}, kStore).code == 0);
  }
  void Challenge() {
    h.http.Respond(401, "", {{"WWW-Authenticate",
                              R"(Bearer realm="https://xpkg.upbound.io/service/token",service="xpkg.upbound.io")"}});
  }
  void Realm(int status) { h.http.Respond(status, status == 200 ? R"({"token":"t"})" : "{}"); }
  Harness h;
  ClockedFileSystem fs;
};

TEST_CASE("direct: verified once per period, then served from the keyring alone", "[direct]") {
  Fixture f;
  f.Challenge();
  f.Realm(200);
  RunResult first = f.h.Run({"get"}, kHost);
  CHECK(first.out == kPair);
  CHECK(first.err.empty());
  REQUIRE(f.h.http.requests().size() == 2);
  CHECK(f.h.http.requests()[1].headers[0].second == "Basic cm9ib3QtaWQ6cm9ib3QtdG9rZW4tc2VjcmV0");
  for (int i = 0; i < 3; ++i) {
    f.fs.now += 1000;
    CHECK(f.h.Run({"get"}, kHost).out == kPair);
  }
  CHECK(f.h.http.requests().size() == 2);
  f.fs.now += 601;  // the hour is over
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.http.requests().size() == 4);
}

TEST_CASE("direct: a rejected pair answers not found for a minute, and says why", "[direct]") {
  Fixture f;
  f.Challenge();
  f.Realm(401);
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.code == 1);
  CHECK(r.out == kNotFound);  // public packages pull anonymously
  CHECK(r.err ==
        "docker-credential-upbound: warning: xpkg.upbound.io: the registry's token service (xpkg.upbound.io) "
        "rejected robot robot-id (HTTP 401) 0 s ago; answering without credentials (asking again after 60 s, or "
        "after a store)\n");
  f.fs.now += 59;
  CHECK(f.h.Run({"get"}, kHost).out == kNotFound);
  CHECK(f.h.http.requests().size() == 2);
  f.fs.now += 1;
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.http.requests().size() == 4);

  // A new token is asked about at once, whatever was remembered.
  f.fs.now += 10;
  f.Challenge();
  f.Realm(403);
  REQUIRE(f.h.Run({"store"}, R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"new-token"})").code == 0);
  CHECK(f.h.Run({"get"}, kHost).out == kNotFound);
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
}

TEST_CASE("direct: an unreachable registry hands the pair out unverified, caching nothing", "[direct]") {
  Fixture f;
  f.h.http.FailToConnect();
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  f.Challenge();
  f.h.http.Respond(503);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.http.pending() == 0);
}

TEST_CASE("direct: a realm on another host is never sent the pair", "[direct]") {
  Fixture f;
  f.h.http.Respond(401, "", {{"WWW-Authenticate", R"(Bearer realm="https://evil.example/token",service="x")"}});
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == kNotFound);
  CHECK(r.err.find("the registry's token realm https://evil.example/token is not on xpkg.upbound.io") !=
        std::string::npos);
  CHECK(r.err.find("realmHosts") != std::string::npos);
  CHECK(f.h.http.requests().size() == 1);
  CHECK(f.h.http.requests()[0].headers.empty());
}

TEST_CASE("direct: DOCKER_CREDENTIAL_UPBOUND_VERIFY=0 sends nothing; bad values name the variable", "[direct]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.http.requests().empty());
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "soon";
  CHECK(f.h.Run({"get"}, kHost).out ==
        "docker-credential-upbound: error: environment variable DOCKER_CREDENTIAL_UPBOUND_VERIFY: \"soon\" must be "
        "a number of seconds from 0 to 2592000\n");
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "120";
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  f.fs.now += 121;
  f.Challenge();
  f.Realm(200);
  CHECK(f.h.Run({"get"}, kHost).out == kPair);
  CHECK(f.h.http.requests().size() == 4);
}

TEST_CASE("direct: an unusable cache directory still verifies, with one warning", "[direct]") {
  Fixture f;
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  REQUIRE(f.fs.WritePrivateFileAtomic(dir + ".file", "x").ok());
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = dir + ".file/cache";
  f.Challenge();
  f.Realm(200);
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == kPair);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("going on without the cache") != std::string::npos);
}

TEST_CASE("direct: docker login's store of what get returned stores the same pair", "[direct]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  RunResult r = f.h.Run({"store"}, kStore);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(f.h.store().Get(kHost)->secret == "robot-token-secret");
}


// Hands out what the harness' store holds, then erases it, as an erase that
// runs between a get's read of the token and its taking the host's lock.
class ErasedAfterRead : public SecretStore {
 public:
  explicit ErasedAfterRead(SecretStore& target) : target_(target) {}
  StatusOr<Credential> Get(const std::string& server) override {
    StatusOr<Credential> cred = target_.Get(server);
    (void)target_.Erase(server);
    return cred;
  }
  Status Put(const Credential& cred) override { return target_.Put(cred); }
  Status Erase(const std::string& server) override { return target_.Erase(server); }
  StatusOr<std::map<std::string, std::string>> List() override { return target_.List(); }

 private:
  SecretStore& target_;
};

TEST_CASE("direct: a token erased while a get waits for the lock leaves no verdict behind", "[direct]") {
  Fixture f;
  SecretStore& backing = f.h.store();
  f.h.system().open_secret_store = [&backing](const SecretStoreOptions&) -> std::unique_ptr<SecretStore> {
    return std::make_unique<ErasedAfterRead>(backing);
  };
  f.Challenge();
  f.Realm(200);
  RunResult r = f.h.Run({"get"}, kHost);
  CHECK(r.out == kNotFound);      // read again under the lock: gone
  CHECK(f.h.http.requests().empty());  // nobody was asked about the erased token
  std::string dir = f.h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"];
  for (const std::string& name : f.fs.ListDir(dir)) CHECK(name.find(".verdict") == std::string::npos);
}

}  // namespace
}  // namespace dcu
