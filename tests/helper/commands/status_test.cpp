// status through Run: every token source, cache entries, verdicts and a
// failure; the JSON parses; no secret is ever printed; nothing is sent.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "helper/upbound/token_cache.h"
#include "tests/doubles/session_fixture.h"
#include "tests/helper/commands/unwrapped.h"

namespace dcu {
namespace {

using json = nlohmann::json;

const char* kHost = "xpkg.upbound.io";
const std::string kStore =
    R"({"ServerURL":"xpkg.upbound.io","Username":"robot-id","Secret":"robot-token-secret"})";

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }


struct Fixture : SessionFixture {
  RunResult Status(bool as_json = false) {
    std::size_t sent = h.http.requests().size();
    RunResult r = h.Run(as_json ? std::vector<std::string>{"status", "--json"} : std::vector<std::string>{"status"});
    CHECK(h.http.requests().size() == sent);  // local only
    CHECK(r.code == 0);
    if (!as_json) r.out = Unwrapped(r.out, 16);
    for (const char* secret : {"robot-token-secret", "sid-1", "env-secret", "file-secret", "acme-secret"}) {
      INFO(secret);
      CHECK(!Has(r.out, secret));
      CHECK(!Has(r.err, secret));
    }
    return r;
  }
  json Json() {
    RunResult r = Status(true);
    json doc = json::parse(r.out, nullptr, false);
    REQUIRE(doc.is_object());
    return doc;
  }
  json Row(const json& doc, const std::string& key) {
    for (const json& row : doc["hosts"]) {
      if (row["key"] == key) return row;
    }
    FAIL("no row " << key);
    return {};
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string dir = h.env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] + "-conf";
    REQUIRE(fs.EnsurePrivateDir(dir).ok());
    REQUIRE(fs.WritePrivateFileAtomic(dir + "/" + name, text).ok());
    return dir + "/" + name;
  }
};

TEST_CASE("status: nothing anywhere: one row per served host, source none", "[status]") {
  Fixture f;
  RunResult r = f.Status();
  CHECK(r.out ==
        "xpkg.upbound.io (served registry)\n"
        "  token:        none\n"
        "  exchange:     session\n"
        "  cached:       nothing\n"
        "  last failure: none\n"
        "\n"
        "registry.upbound.io (served registry)\n"
        "  token:        none\n"
        "  exchange:     session\n"
        "  cached:       nothing\n"
        "  last failure: none\n");
  json doc = f.Json();
  CHECK(doc["now_unix"] == f.fs.now);
  CHECK(doc["now"] == "2027-01-15T08:00:00Z");
  CHECK(doc["secret_store"]["ok"] == true);
  REQUIRE(doc["hosts"].size() == 2);
  json row = f.Row(doc, kHost);
  CHECK(row["kind"] == "registry");
  CHECK(row["source"] == "none");
  CHECK(row["access_id"].is_null());
  CHECK(row["credential"].is_null());
  CHECK(row["last_failure"].is_null());
}

TEST_CASE("status: the secret store, a cached session and a recorded failure", "[status]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.Login("sid-1", 3600);
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  f.fs.now += 600;
  RunResult r = f.Status();
  CHECK(Has(r.out,
            "xpkg.upbound.io (served registry)\n"
            "  token:        the secret store\n"
            "  access ID:    robot-id\n"
            "  exchange:     session\n"
            "  cached:       _token, expires 2027-01-15T09:00:00Z (in 50m)\n"
            "  last failure: none\n"));
  json row = f.Row(f.Json(), kHost);
  CHECK(row["source"] == "secret-store");
  CHECK(row["access_id"] == "robot-id");
  CHECK(row["credential"]["expires_at"] == "2027-01-15T09:00:00Z");
  CHECK(row["credential"]["expires_at_unix"] == 1'800'003'600);
  CHECK(row["credential"]["expired"] == false);

  // Expired, then Upbound unreachable: the failure is shown with its time.
  f.fs.now += 3600;
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  REQUIRE(f.h.Run({"get"}, kHost).code == 1);
  f.fs.now += 120;
  r = f.Status();
  INFO(r.out);
  CHECK(Has(r.out, "  cached:       _token, expired 2027-01-15T09:00:00Z (12m ago)\n"));
  CHECK(Has(r.out, "  last failure: 2027-01-15T09:10:00Z (2m ago): cannot reach Upbound: "));
  row = f.Row(f.Json(), kHost);
  CHECK(row["credential"]["expired"] == true);
  CHECK(row["last_failure"]["at_unix"] == 1'800'004'200);
  CHECK(row["last_failure"]["at"] == "2027-01-15T09:10:00Z");
  CHECK(row["last_failure"]["message"].get<std::string>().rfind("cannot reach Upbound", 0) == 0);
}

TEST_CASE("status: direct verdicts, accepted and rejected", "[status]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "direct";
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  auto challenge = [&]() {
    f.h.http.Respond(401, "", {{"WWW-Authenticate",
                                R"(Bearer realm="https://xpkg.upbound.io/service/token",service="xpkg.upbound.io")"}});
  };
  RunResult r = f.Status();
  CHECK(Has(r.out, "  verdict:      none cached (the next get asks the registry)\n"));
  challenge();
  f.h.http.Respond(200, R"({"token":"registry-token"})");
  REQUIRE(f.h.Run({"get"}, kHost).code == 0);
  r = f.Status();
  CHECK(Has(r.out, "  exchange:     direct\n"
                   "  verdict:      accepted until 2027-01-15T09:00:00Z (in 1h): xpkg.upbound.io accepted robot "
                   "robot-id\n"));
  CHECK(!Has(r.out, "cached:"));

  f.fs.now += 3600;
  challenge();
  f.h.http.Respond(401, "{}");
  REQUIRE(f.h.Run({"get"}, kHost).code == 1);
  json row = f.Row(f.Json(), kHost);
  CHECK(row["verdict"]["verdict"] == "rejected");
  CHECK(row["verdict"]["until_unix"] == f.fs.now + 60);
  CHECK(row["last_failure"]["message"] ==
        "the registry's token service (xpkg.upbound.io) rejected robot robot-id (HTTP 401)");
}

TEST_CASE("status: environment and token file sources, and the stored token they hide", "[status]") {
  Fixture f;
  REQUIRE(f.h.Run({"store"}, kStore).code == 0);
  f.h.env["UP_ROBOT_TOKEN"] = "env-secret";
  f.h.env["UP_ROBOT_ACCESS_ID"] = "env-id";
  RunResult r = f.Status();
  CHECK(Has(r.out, "xpkg.upbound.io (served registry)\n"
                   "  token:        environment UP_ROBOT_TOKEN\n"
                   "  access ID:    env-id\n"));
  CHECK(Has(r.out, "  note:         a token stored for it in the secret store is unused while UP_ROBOT_TOKEN is "
                   "set\n"));
  std::string file = f.Write("token.json", R"({"accessId":"file-id","token":"file-secret"})");
  f.h.env["UP_ROBOT_TOKEN_FILE"] = file;
  json row = f.Row(f.Json(), kHost);
  CHECK(row["source"] == "token-file");
  CHECK(row["source_path"] == file);
  CHECK(row["source_text"] == "token file UP_ROBOT_TOKEN_FILE " + file);
  CHECK(row["access_id"] == "file-id");
  CHECK(row["notes"].size() == 1);
  // A file that cannot be read is said, not fatal.
  f.h.env["UP_ROBOT_TOKEN_FILE"] = file + ".absent";
  r = f.Status();
  CHECK(Has(r.out, "  note:         UP_ROBOT_TOKEN_FILE " + file + ".absent: cannot be read\n"));
}

TEST_CASE("status: organizations and other stored registries have rows", "[status]") {
  Fixture f;
  std::string token = f.Write("acme.json", R"({"accessId":"acme-id","token":"acme-secret"})");
  std::string config = f.Write("config.json", R"({"organizations":[{"name":"acme","prefix":"xpkg.upbound.io/acme",)"
                                              R"("robotTokenFile":")" + token + R"("}]})");
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = config;
  REQUIRE(f.h.store().Put({"ghcr.io", "me", "robot-token-secret"}).ok());
  RunResult r = f.Status();
  CHECK(Has(r.out, "xpkg.upbound.io/acme (organization acme)\n"
                   "  token:        organization acme's robotTokenFile " + token + "\n"
                   "  access ID:    acme-id\n"));
  CHECK(Has(r.out, "ghcr.io (stored credential, not an Upbound registry)\n"
                   "  user:         me\n"));
  json doc = f.Json();
  REQUIRE(doc["hosts"].size() == 4);
  json org = f.Row(doc, "xpkg.upbound.io/acme");
  CHECK(org["kind"] == "organization");
  CHECK(org["organization"] == "acme");
  CHECK(org["source"] == "organization-token-file");
  json other = f.Row(doc, "ghcr.io");
  CHECK(other["kind"] == "stored");
  CHECK(other["exchange"] == "stored");
  CHECK(other["access_id"] == "me");
}

TEST_CASE("status: an unreachable secret store is said, and the rest still shown", "[status]") {
  Fixture f;
  f.h.BreakStore(Status::Unavailable("secret store: the keyring is locked"));
  std::string file = f.Write("token.json", R"({"accessId":"file-id","token":"file-secret"})");
  f.h.env["UP_ROBOT_TOKEN_FILE"] = file;
  RunResult r = f.Status();
  CHECK(r.out.rfind("secret store: cannot be read, so tokens stored there are not shown\n"
                    "  error:        secret store: the keyring is locked\n\n",
                    0) == 0);
  CHECK(Has(r.out, "  access ID:    file-id\n"));
  json doc = f.Json();
  CHECK(doc["secret_store"]["ok"] == false);
  CHECK(doc["secret_store"]["error"] == "secret store: the keyring is locked");
  f.h.env.erase("UP_ROBOT_TOKEN_FILE");
  r = f.Status();
  CHECK(Has(r.out, "xpkg.upbound.io (served registry)\n  token:        unknown: the secret store cannot be read\n"));
  CHECK(f.Row(f.Json(), kHost)["source"] == "unknown");
}

TEST_CASE("status: settings that cannot be loaded are the one exit 1", "[status]") {
  Fixture f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "never";
  RunResult r = f.h.Run({"status"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("docker-credential-upbound: error: status: environment variable DOCKER_CREDENTIAL_UPBOUND_TIMEOUT",
                    0) == 0);
}

}  // namespace
}  // namespace dcu
