// login through Run: a scripted transport, the in-memory store, real token
// files in a private temporary directory, and a clock the test moves.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "tests/doubles/clocked_file_system.h"
#include "tests/doubles/harness.h"
#include "tests/helper/commands/unwrapped.h"
#include "tests/doubles/unsigned_jwt.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

const char* kHost = "xpkg.upbound.io";
const char* kSecret = "robot-token-secret";
const std::string kFileJson = R"({"accessId":"robot-id","token":"robot-token-secret"})";

struct Fixture {
  Fixture() {
    h.system().fs = &fs;
    h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "5";
    file = dir.path + "/token.json";
    REQUIRE(fs.WritePrivateFileAtomic(file, kFileJson).ok());
  }
  void Challenge() {
    h.http.Respond(401, "", {{"WWW-Authenticate",
                              R"(Bearer realm="https://xpkg.upbound.io/service/token",service="xpkg.upbound.io")"}});
  }
  void Realm(int status) { h.http.Respond(status, status == 200 ? R"({"token":"t"})" : "{}"); }
  void Login(const std::string& sid, int max_age) {
    h.http.Respond(200, "{}", {{"Set-Cookie", "SID=" + sid + "; Path=/; Max-Age=" + std::to_string(max_age)}});
  }
  // Runs and checks that no output, stdout or stderr, holds a secret.
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    RunResult r = h.Run(std::move(args), input);
    for (const std::string& secret : secrets) {
      INFO("secret in output: " << secret);
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
    r.out = Unwrapped(r.out, 14);
    return r;
  }
  StatusOr<Credential> Stored() { return h.store().Get(kHost); }
  Harness h;
  ClockedFileSystem fs;
  TempDir dir;
  std::string file;
  std::vector<std::string> secrets = {kSecret, "sid-1", "previous-secret"};
};

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One line on stderr, the error prefix, nothing on stdout.
void CheckOneError(const RunResult& r, const std::string& part) {
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("docker-credential-upbound: error: login: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  INFO(r.err);
  CHECK(Has(r.err, part));
}

TEST_CASE("login: an accepted pair is stored, said, and its verdict cached", "[login]") {
  Fixture f;
  f.Challenge();
  f.Realm(200);
  RunResult r = f.Run({"login", "--token-file", f.file});
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(Has(r.out, "Logged in to xpkg.upbound.io\n"));
  CHECK(Has(r.out, "access ID:  robot-id\n"));
  CHECK(Has(r.out, "exchange:   direct\n"));
  CHECK(Has(r.out, "verified:   xpkg.upbound.io accepted robot robot-id\n"));
  CHECK(Has(r.out, "until:      get asks again after 2027-01-15T09:00:00Z (in 1h, verifyPeriod)\n"));
  CHECK(Has(r.out, "stored in:  the secret store"));
  StatusOr<Credential> stored = f.Stored();
  REQUIRE(stored.ok());
  CHECK(stored->username == "robot-id");
  CHECK(stored->secret == kSecret);
  // The realm was asked as docker login asks: /v2/, then Basic, no scope.
  REQUIRE(f.h.http.requests().size() == 2);
  CHECK(f.h.http.requests()[0].url == "https://xpkg.upbound.io/v2/");
  CHECK(f.h.http.requests()[1].url == "https://xpkg.upbound.io/service/token?service=xpkg.upbound.io");
  // The next get needs no round trip.
  RunResult get = f.h.Run({"get"}, kHost);
  CHECK(get.code == 0);
  CHECK(Has(get.out, R"("Username":"robot-id")"));
  CHECK(f.h.http.requests().size() == 2);
}

TEST_CASE("login: session exchange stores the token and caches the session", "[login]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  f.Login("sid-1", 7200);
  RunResult r = f.Run({"login", "--token-file", f.file});
  REQUIRE(r.code == 0);
  CHECK(Has(r.out, "exchange:   session\n"));
  CHECK(Has(r.out, "verified:   Upbound's session login (https://api.upbound.io) accepted robot robot-id\n"));
  CHECK(Has(r.out, "until:      the session expires 2027-01-15T10:00:00Z (in 2h)"));
  REQUIRE(f.h.http.requests().size() == 1);
  CHECK(f.h.http.requests()[0].url == "https://api.upbound.io/v1/login");
  CHECK(f.Stored()->secret == kSecret);
  RunResult get = f.h.Run({"get"}, kHost);
  CHECK(Has(get.out, R"("Username":"_token","Secret":"sid-1")"));
  CHECK(f.h.http.requests().size() == 1);
}

TEST_CASE("login: a rejected token is not stored and the previous one stays", "[login]") {
  Fixture f;
  REQUIRE(f.h.store().Put({kHost, "previous-id", "previous-secret"}).ok());
  f.Challenge();
  f.Realm(401);
  RunResult r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "not stored: the registry's token service (xpkg.upbound.io) rejected robot robot-id (HTTP 401)");
  CHECK(f.Stored()->username == "previous-id");
  CHECK(f.Stored()->secret == "previous-secret");

  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  f.h.http.Respond(401, R"({"message":"Unauthorized"})");
  r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "not stored: Upbound rejected the robot token");
  CHECK(f.Stored()->username == "previous-id");
}

TEST_CASE("login: a realm on another host is never sent the token", "[login]") {
  Fixture f;
  f.h.http.Respond(401, "", {{"WWW-Authenticate", R"(Bearer realm="https://evil.example/token",service="x")"}});
  RunResult r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "realmHosts");
  CHECK(f.h.http.requests().size() == 1);
  CHECK(f.Stored().status().IsNotFound());
}

TEST_CASE("login: an unreachable registry or Upbound stores nothing and hints --no-verify", "[login]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  RunResult r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "not stored: the token could not be checked: cannot reach xpkg.upbound.io");
  CHECK(Has(r.err, "--no-verify"));
  CHECK(f.Stored().status().IsNotFound());

  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  for (int i = 0; i < 4; ++i) f.h.http.Respond(502);
  r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "Upbound failed: POST https://api.upbound.io/v1/login answered 502");
  CHECK(f.Stored().status().IsNotFound());
}

TEST_CASE("login: --no-verify sends nothing and says so", "[login]") {
  Fixture f;
  RunResult r = f.Run({"login", "--token-file", f.file, "--no-verify"});
  REQUIRE(r.code == 0);
  CHECK(Has(r.out, "verified:   no (--no-verify)"));
  CHECK(f.h.http.requests().empty());
  CHECK(f.Stored()->secret == kSecret);
}

TEST_CASE("login: a malformed token file is one line and stores nothing", "[login]") {
  Fixture f;
  for (const std::string& text : {std::string("robot-token-secret"), std::string(R"({"accessId":"robot-id"})"),
                                  std::string(R"({"token":"robot-token-secret"})"), std::string("[]"),
                                  std::string(R"({"accessId":"two\nlines","token":"robot-token-secret"})")}) {
    INFO(text);
    REQUIRE(f.fs.WritePrivateFileAtomic(f.file, text).ok());
    RunResult r = f.Run({"login", "--token-file", f.file});
    CheckOneError(r, "token file " + f.file + ": ");
  }
  RunResult r = f.Run({"login", "--token-file", f.dir.path + "/absent.json"});
  CheckOneError(r, "absent.json: no such file");
  CHECK(f.Stored().status().IsNotFound());
  CHECK(f.h.http.requests().empty());
}

// POSIX modes (what Windows refuses is in windows_file_system_test.cpp).
#ifndef _WIN32
TEST_CASE("login: a token file others may read, or in a directory others may write, is refused with the chmod",
          "[login]") {
  Fixture f;
  REQUIRE(chmod(f.file.c_str(), 0644) == 0);
  RunResult r = f.Run({"login", "--token-file", f.file});
  CheckOneError(r, "run `chmod 600 " + f.file + "`");
  REQUIRE(chmod(f.file.c_str(), 0620) == 0);
  CheckOneError(f.Run({"login", "--token-file", f.file}), "run `chmod 600 " + f.file + "`");

  // A name with a space is quoted for the shell.
  std::string spaced = f.dir.path + "/my token.json";
  REQUIRE(f.fs.WritePrivateFileAtomic(spaced, kFileJson).ok());
  REQUIRE(chmod(spaced.c_str(), 0604) == 0);
  CheckOneError(f.Run({"login", "--token-file", spaced}), "run `chmod 600 '" + spaced + "'`");

  std::string open_dir = f.dir.path + "/shared";
  REQUIRE(mkdir(open_dir.c_str(), 0700) == 0);
  REQUIRE(f.fs.WritePrivateFileAtomic(open_dir + "/token.json", kFileJson).ok());
  REQUIRE(chmod(open_dir.c_str(), 0777) == 0);
  CheckOneError(f.Run({"login", "--token-file", open_dir + "/token.json"}), "run `chmod go-w " + open_dir + "`");
  CHECK(f.Stored().status().IsNotFound());
  CHECK(f.h.http.requests().empty());
}
#endif

TEST_CASE("login: --token-stdin takes the JSON or a bare token", "[login]") {
  Fixture f;
  RunResult r = f.Run({"login", "--token-stdin", "--no-verify"}, kFileJson + "\n");
  REQUIRE(r.code == 0);
  CHECK(f.Stored()->username == "robot-id");

  r = f.Run({"login", "--token-stdin", "--access-id", "bare-id", "--no-verify"}, "  robot-token-secret\n");
  REQUIRE(r.code == 0);
  CHECK(Has(r.out, "access ID:  bare-id\n"));
  CHECK(f.Stored()->username == "bare-id");
  CHECK(f.Stored()->secret == kSecret);

  // A JWT names its access ID (jti).
  std::string jwt = UnsignedJwt(R"({"jti":"jwt-id","sub":"robot|ci"})");
  f.secrets.push_back(jwt);
  r = f.Run({"login", "--token-stdin", "--no-verify"}, jwt);
  REQUIRE(r.code == 0);
  CHECK(f.Stored()->username == "jwt-id");
  CHECK(f.Stored()->secret == jwt);

  CheckOneError(f.Run({"login", "--token-stdin", "--no-verify"}, "robot-token-secret"), "--access-id");
  CheckOneError(f.Run({"login", "--token-stdin", "--no-verify"}, ""), "stdin is empty");
  CheckOneError(f.Run({"login", "--token-stdin", "--no-verify"}, "robot token secret"), "not a robot token");
  CheckOneError(f.Run({"login", "--token-stdin", "--access-id", "other", "--no-verify"}, kFileJson),
                "--access-id other differs from the accessId on stdin (robot-id)");
  CHECK(f.Stored()->username == "jwt-id");
}

TEST_CASE("login: wrong flag combinations and hosts are one error each, before anything is sent", "[login]") {
  Fixture f;
  CheckOneError(f.Run({"login"}), "give the robot token with --token-file FILE");
  CheckOneError(f.Run({"login", "--token-file", f.file, "--token-stdin"}, kFileJson), "not both");
  CheckOneError(f.Run({"login", "--token-file", f.file, "--access-id", "x"}), "--access-id goes with --token-stdin");
  RunResult r = f.Run({"login", "--server", "ghcr.io", "--token-file", f.file});
  CheckOneError(r, "ghcr.io is not a served Upbound registry (served: xpkg.upbound.io and registry.upbound.io)");
  CHECK(Has(r.err, "\"registries\""));
  CheckOneError(f.Run({"login", "--server", "xpkg.upbound.io/acme", "--token-file", f.file}), "without a path");
  CheckOneError(f.Run({"login", "--server", "http://a@b/", "--token-file", f.file}), "--server: ");
  CHECK(f.h.http.requests().empty());
  CHECK(f.Stored().status().IsNotFound());
  // The flag parser refuses a token given as a flag value for a switch.
  CHECK(f.Run({"login", "--token-stdin=robot-token-secret"}).code == 1);
}

TEST_CASE("login: --server picks another served host, in any spelling", "[login]") {
  Fixture f;
  RunResult r = f.Run({"login", "--server", "https://Registry.Upbound.io:443/", "--token-file", f.file, "--no-verify"});
  REQUIRE(r.code == 0);
  CHECK(Has(r.out, "Logged in to registry.upbound.io\n"));
  CHECK(f.h.store().Get("registry.upbound.io")->username == "robot-id");
  CHECK(f.Stored().status().IsNotFound());
}

TEST_CASE("login: a token in the environment wins over the stored one, and login says so", "[login]") {
  Fixture f;
  f.h.env["UP_ROBOT_TOKEN_FILE"] = f.file;
  RunResult r = f.Run({"login", "--token-file", f.file, "--no-verify"});
  REQUIRE(r.code == 0);
  CHECK(r.err == "docker-credential-upbound: warning: UP_ROBOT_TOKEN_FILE is set (" + f.file +
                     "): get keeps using that file, not the stored token, until it is unset\n");
  f.h.env.erase("UP_ROBOT_TOKEN_FILE");
  f.h.env["UP_ROBOT_TOKEN"] = "env-secret";
  f.secrets.push_back("env-secret");
  r = f.Run({"login", "--token-file", f.file, "--no-verify"});
  CHECK(Has(r.err, "warning: UP_ROBOT_TOKEN is set"));
}

TEST_CASE("login: a session seeded under the stored token's identity, even with an env token set", "[login]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  f.h.env["UP_ROBOT_TOKEN"] = "env-secret";
  f.h.env["UP_ROBOT_ACCESS_ID"] = "env-id";
  f.secrets.push_back("env-secret");
  f.Login("sid-1", 3600);
  REQUIRE(f.Run({"login", "--token-file", f.file}).code == 0);
  // get uses the environment's token: the seeded session is not its.
  f.Login("sid-env", 3600);
  CHECK(Has(f.h.Run({"get"}, kHost).out, "sid-env"));
  f.h.env.erase("UP_ROBOT_TOKEN");
  f.h.env.erase("UP_ROBOT_ACCESS_ID");
  CHECK(Has(f.h.Run({"get"}, kHost).out, "sid-1"));
  CHECK(f.h.http.requests().size() == 2);
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("login: a token file in a shared directory is refused with a move, not a chmod", "[login]") {
  Harness h;
  RunResult r = h.Run({"login", "--token-file", "/tmp/no-such-token-file-dcu.json"});
  CHECK(r.code == 1);
  CHECK(r.err ==
        "docker-credential-upbound: error: login: token file /tmp/no-such-token-file-dcu.json: its directory /tmp "
        "may be written by other users (or is not yours), who could swap the file: move the file to a directory "
        "only you can write\n");
  CHECK(h.store().List()->empty());
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("login: org-token exchange names the organization and caches the token", "[login]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";
  f.h.env["UP_ORGANIZATION"] = "acme";
  f.secrets.push_back("org-token-secret");
  f.h.http.Respond(200, R"({"access_token":"org-token-secret","expires_in":1800,"token_type":"Bearer"})");
  RunResult r = f.Run({"login", "--token-file", f.file});
  REQUIRE(r.code == 0);
  CHECK(Has(r.out, "verified:   Upbound's org-scoped token exchange (https://auth.upbound.io, organization acme) "
                   "accepted robot robot-id\n"));
  CHECK(Has(r.out, "until:      the org-scoped token expires 2027-01-15T08:30:00Z (in 30m)"));
  REQUIRE(f.h.http.requests().size() == 1);
  CHECK(Has(f.h.http.requests()[0].url, "/orgscopedtokens"));
  CHECK(Has(f.h.Run({"get"}, kHost).out, R"("Secret":"org-token-secret")"));
  CHECK(f.h.http.requests().size() == 1);
}

TEST_CASE("login: a secret store that cannot be reached stores nothing, one error", "[login]") {
  Fixture f;
  f.h.BreakStore(Status::Unavailable("secret store: no session bus"));
  RunResult r = f.Run({"login", "--token-file", f.file, "--no-verify"});
  CheckOneError(r, "not stored: the secret store: secret store: no session bus");
}

}  // namespace
}  // namespace dcu
