// The kubelet mode through Run: golden request/response pairs for each
// apiVersion, checked against the kubelet's types; organizations by prefix;
// namespace authorization; cacheDuration around expiry; malformed input.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "helper/kubelet/provider.h"
#include "tests/doubles/clocked_file_system.h"
#include "tests/doubles/unsigned_jwt.h"
#include "tests/doubles/harness.h"
#include "tests/helper/kubelet/kubelet_schema.h"

namespace dcu::kubelet {
namespace {

using json = nlohmann::json;

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(DCU_SOURCE_DIR) + "/tests/helper/kubelet/golden/" + name);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Request(const std::string& image, const std::string& extra = "",
                    const std::string& version = "v1") {
  return R"({"apiVersion":"credentialprovider.kubelet.k8s.io/)" + version +
         R"(","kind":"CredentialProviderRequest","image":")" + image + "\"" + extra + "}";
}

const auto& Jwt = UnsignedJwt;

std::string SaToken(const std::string& ns) {
  return Jwt(R"({"sub":"system:serviceaccount:)" + ns + R"(:puller","kubernetes.io":{"namespace":")" + ns +
             R"(","serviceaccount":{"name":"puller"}}})");
}

struct Fixture {
  Fixture() {
    h.system().fs = &fs;
    h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "5";
  }
  // The default token of the host, from the environment.
  void HostToken() {
    h.env["UP_ROBOT_TOKEN"] = "robot-token-secret";
    h.env["UP_ROBOT_ACCESS_ID"] = "robot-id";
  }
  // What the registry answers one verification of a direct pair.
  void Verified(int realm_status = 200) {
    h.http.Respond(401, "", {{"WWW-Authenticate",
                              R"(Bearer realm="https://xpkg.upbound.io/service/token",service="xpkg.upbound.io")"}});
    h.http.Respond(realm_status, realm_status == 200 ? R"({"token":"t"})" : "{}");
  }
  void Login(const std::string& sid, int max_age) {
    h.http.Respond(200, "{}", {{"Set-Cookie", "SID=" + sid + "; Path=/; Max-Age=" + std::to_string(max_age)}});
  }
  // A token file for an organization, and the config naming them.
  std::string TokenFile(const std::string& org) {
    std::string path = dir.path + "/" + org + ".json";
    std::ofstream(path, std::ios::binary) << R"({"accessId":")" << org << R"(-id","token":")" << org << R"(-token-secret"})";
    return path;
  }
  void Config(const std::string& organizations) {
    std::string path = dir.path + "/config.json";
    std::ofstream(path, std::ios::binary) << R"({"organizations":)" << organizations << "}";
    h.env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = path;
  }
  void TwoOrganizations(const std::string& acme_extra = "") {
    Config(R"([{"name":"acme","robotTokenFile":")" + TokenFile("acme") + "\"" + acme_extra +
           R"(},{"name":"globex","prefix":"xpkg.upbound.io/globex","robotTokenFile":")" + TokenFile("globex") +
           "\"}]");
  }
  RunResult Kubelet(const std::string& request) { return h.Run({"kubelet"}, request); }
  Harness h;
  ClockedFileSystem fs;
  TempDir dir;
};

// The one answer on stdout, parsed, after the schema check.
json Answer(const RunResult& r, const std::string& version = "credentialprovider.kubelet.k8s.io/v1") {
  REQUIRE(r.code == 0);
  REQUIRE(!r.out.empty());
  CHECK(r.out.back() == '\n');
  CHECK(r.out.find('\n') == r.out.size() - 1);
  json doc = json::parse(r.out, nullptr, false);
  REQUIRE(!doc.is_discarded());
  CHECK(schema::CheckResponse(doc, version) == "");
  return doc;
}

// One line on stderr, nothing on stdout, exit 1.
void Refused(const RunResult& r, const std::string& says) {
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(says) != std::string::npos);
  CHECK(r.err.rfind("docker-credential-upbound: error: ", 0) == 0);
  CHECK(r.err.find('\n') == r.err.size() - 1);
}

TEST_CASE("kubelet: golden request/response pairs for v1, v1beta1 and v1alpha1", "[kubelet]") {
  for (const char* version : {"v1", "v1beta1", "v1alpha1"}) {
    CAPTURE(version);
    Fixture f;
    f.HostToken();
    f.Verified();
    std::string request = Golden(std::string(version) + "-request.json");
    CHECK(schema::CheckRequest(json::parse(request)) == "");
    RunResult r = f.Kubelet(request);
    CHECK(r.out == Golden(std::string(version) + "-response.json"));
    CHECK(r.err.empty());
    Answer(r, json::parse(request)["apiVersion"]);
    // One verification at the registry: /v2/, then its realm.
    CHECK(f.h.http.requests().size() == 2);
  }
}

TEST_CASE("kubelet: the schema the tests enforce rejects what the kubelet rejects", "[kubelet]") {
  const std::string v1 = "credentialprovider.kubelet.k8s.io/v1";
  json good = json::parse(Golden("v1-response.json"));
  CHECK(schema::CheckResponse(good, v1) == "");
  auto with = [&](const std::function<void(json&)>& change) {
    json copy = good;
    change(copy);
    return schema::CheckResponse(copy, v1);
  };
  CHECK(with([](json& d) { d["expiresAt"] = "x"; }) == "response: unknown field \"expiresAt\"");
  CHECK(with([](json& d) { d["CacheKeyType"] = d["cacheKeyType"]; }) == "response: unknown field \"CacheKeyType\"");
  CHECK(with([](json& d) { d["cacheKeyType"] = "Host"; }) == "response: invalid cacheKeyType");
  CHECK(with([](json& d) { d.erase("cacheKeyType"); }) == "response: invalid cacheKeyType");
  CHECK(with([](json& d) { d["cacheDuration"] = "3600"; }) == "response.cacheDuration: not a Go duration");
  CHECK(with([](json& d) { d["cacheDuration"] = 3600; }) == "response.cacheDuration: not a Go duration");
  CHECK(with([](json& d) { d["apiVersion"] = "credentialprovider.kubelet.k8s.io/v1beta1"; }) ==
        "response: apiVersion differs from the request's");
  CHECK(with([](json& d) { d["auth"]["xpkg.upbound.io"]["email"] = "x"; }) ==
        "response.auth[xpkg.upbound.io]: unknown field \"email\"");
  CHECK(with([](json& d) { d["serviceAccountTokenCacheType"] = "ServiceAccount"; }) ==
        "response: unknown field \"serviceAccountTokenCacheType\"");
  for (const char* d : {"0s", "0", "1h0m0s", "59m58s", "1.5h", "300ms", "2h45m", "-1s"}) CHECK(schema::IsGoDuration(d));
  for (const char* d : {"", "1", "1d", "h", "1hm", "1 h"}) CHECK_FALSE(schema::IsGoDuration(d));
}

TEST_CASE("kubelet: an image elsewhere gets an empty auth, exit 0, nothing asked", "[kubelet]") {
  Fixture f;
  f.HostToken();
  for (const char* image : {"docker.io/library/nginx", "nginx", "ghcr.io/acme/pkg:v1", "xpkg.upbound.io.evil.io/a/b",
                            "xpkg.upbound.io:5000/acme/pkg"}) {
    CAPTURE(image);
    json answer = Answer(f.Kubelet(Request(image)));
    CHECK(answer["auth"] == json::object());
    CHECK(answer["cacheKeyType"] == "Registry");
    CHECK_FALSE(answer.contains("cacheDuration"));  // defaultCacheDuration: nothing to refresh
  }
  CHECK(f.h.http.requests().empty());
  CHECK(f.h.opens() == 0);
}

TEST_CASE("kubelet: the auth key is the host as the image writes it", "[kubelet]") {
  Fixture f;
  f.HostToken();
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  json answer = Answer(f.Kubelet(Request("xpkg.upbound.io:443/acme/pkg")));
  CHECK(answer["auth"].contains("xpkg.upbound.io:443"));  // the kubelet compares ports exactly
  answer = Answer(f.Kubelet(Request("registry.upbound.io/acme/pkg")));
  CHECK(answer["auth"].contains("registry.upbound.io"));
}

TEST_CASE("kubelet: organizations by the longest prefix, each with its own token", "[kubelet]") {
  Fixture f;
  f.TwoOrganizations();
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  json acme = Answer(f.Kubelet(Request("xpkg.upbound.io/acme/configuration-aws:v1")));
  CHECK(acme["cacheKeyType"] == "Image");  // one host, several organizations
  CHECK(acme["auth"] == json::parse(R"({"xpkg.upbound.io/acme":{"username":"acme-id","password":"acme-token-secret"}})"));
  json globex = Answer(f.Kubelet(Request("xpkg.upbound.io/globex/fn:v2")));
  CHECK(globex["auth"] ==
        json::parse(R"({"xpkg.upbound.io/globex":{"username":"globex-id","password":"globex-token-secret"}})"));
  // Under no prefix, and no default token: nothing, not cached, and why.
  for (const char* image : {"xpkg.upbound.io/acme-evil/x", "xpkg.upbound.io/other/acme", "xpkg.upbound.io/acmes"}) {
    CAPTURE(image);
    RunResult r = f.Kubelet(Request(image));
    json none = Answer(r);
    CHECK(none["auth"] == json::object());
    CHECK(none["cacheDuration"] == "0s");
    CHECK(r.err.find("xpkg.upbound.io: no credential") != std::string::npos);
  }
  // With a default token, an image under no prefix gets it, keyed by the host.
  f.HostToken();
  json other = Answer(f.Kubelet(Request("xpkg.upbound.io/acme-evil/x")));
  CHECK(other["auth"] == json::parse(R"({"xpkg.upbound.io":{"username":"robot-id","password":"robot-token-secret"}})"));
  CHECK(other["cacheKeyType"] == "Image");
  // get sees only a host: it keeps the host's default token.
  RunResult get = f.h.Run({"get"}, "xpkg.upbound.io");
  CHECK(get.out.find("\"Username\":\"robot-id\"") != std::string::npos);
}

TEST_CASE("kubelet: each organization is exchanged with its own token, name and cache entry", "[kubelet]") {
  Fixture f;
  f.TwoOrganizations();
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";  // no UP_ORGANIZATION: each names its own
  f.h.http.Respond(200, R"({"access_token":"acme-org-token","token_type":"Bearer","expires_in":3600})");
  f.h.http.Respond(200, R"({"access_token":"globex-org-token","token_type":"Bearer","expires_in":3600})");
  json acme = Answer(f.Kubelet(Request("xpkg.upbound.io/acme/pkg")));
  json globex = Answer(f.Kubelet(Request("xpkg.upbound.io/globex/pkg")));
  CHECK(acme["auth"]["xpkg.upbound.io/acme"]["password"] == "acme-org-token");
  CHECK(globex["auth"]["xpkg.upbound.io/globex"]["password"] == "globex-org-token");
  REQUIRE(f.h.http.requests().size() == 2);
  CHECK(f.h.http.requests()[0].body.find("subject_token=acme-token-secret") != std::string::npos);
  CHECK(f.h.http.requests()[0].body.find("scope=upbound%3Aorg%3Aacme") != std::string::npos);
  CHECK(f.h.http.requests()[1].body.find("subject_token=globex-token-secret") != std::string::npos);
  CHECK(f.h.http.requests()[1].body.find("scope=upbound%3Aorg%3Aglobex") != std::string::npos);
  // Both cached, apart: no more requests.
  f.fs.now += 60;
  CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/acme/pkg")))["auth"] == acme["auth"]);
  CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/globex/pkg")))["auth"] == globex["auth"]);
  CHECK(f.h.http.requests().size() == 2);
  // The host's default token without UP_ORGANIZATION cannot be exchanged.
  RunResult host = f.Kubelet(Request("xpkg.upbound.io/initech/pkg"));
  Refused(host, "the org-token exchange needs an organization");
}

TEST_CASE("kubelet: namespaces an organization lists are the only ones served", "[kubelet]") {
  Fixture f;
  f.TwoOrganizations(R"(,"namespaces":["team-a","team-b"])");
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  const std::string image = "xpkg.upbound.io/acme/pkg";
  auto with_token = [&](const std::string& token) {
    return f.Kubelet(Request(image, R"(,"serviceAccountToken":")" + token + "\""));
  };
  for (const char* ns : {"team-a", "team-b"}) {
    CAPTURE(ns);
    RunResult allowed = with_token(SaToken(ns));
    CHECK(Answer(allowed)["auth"]["xpkg.upbound.io/acme"]["username"] == "acme-id");
    CHECK(allowed.err.empty());
  }
  struct Denied {
    std::string token;
    std::string says;
  };
  for (const Denied& d : std::vector<Denied>{
           {SaToken("team-c"), "serves only pods in team-a, team-b, not team-c (service account team-c/puller)"},
           {"", "carries no service-account token"},
           {"not-a-jwt", "service-account token: not a JWT with JSON claims"},
           {Jwt(R"({"sub":"system:serviceaccount:team-a:x","kubernetes.io":{"namespace":"team-c"}})"),
            "name different service accounts"}}) {
    CAPTURE(d.says);
    RunResult r = d.token.empty() ? f.Kubelet(Request(image)) : with_token(d.token);
    json answer = Answer(r);
    CHECK(answer["auth"] == json::object());
    CHECK(answer["cacheDuration"] == "0s");
    CHECK(r.err.find(d.says) != std::string::npos);
    CHECK(r.err.find("answering without credentials") != std::string::npos);
    if (!d.token.empty()) CHECK(r.err.find(d.token) == std::string::npos);
  }
  // An organization that lists no namespaces serves every pod, token or not.
  CHECK(Answer(with_token(SaToken("team-z")))["auth"]["xpkg.upbound.io/globex"].is_null());
  RunResult globex = f.Kubelet(Request("xpkg.upbound.io/globex/pkg", R"(,"serviceAccountToken":")" +
                                                                          SaToken("team-z") + "\""));
  CHECK(Answer(globex)["auth"]["xpkg.upbound.io/globex"]["username"] == "globex-id");
  CHECK(f.h.http.requests().empty());
}

TEST_CASE("kubelet: the service-account token is never returned as a password", "[kubelet]") {
  Fixture f;
  std::string sa = SaToken("team-a");
  f.h.env["UP_ROBOT_TOKEN"] = sa;  // absurd, but the guard must hold
  f.h.env["UP_ROBOT_ACCESS_ID"] = "robot-id";
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  RunResult r = f.Kubelet(Request("xpkg.upbound.io/acme/pkg", R"(,"serviceAccountToken":")" + sa + "\""));
  CHECK(Answer(r)["auth"] == json::object());
  CHECK(r.out.find(sa) == std::string::npos);
  CHECK(r.err.find("the credential is the pod's service-account token") != std::string::npos);
}

TEST_CASE("kubelet: cacheDuration never outlives the credential", "[kubelet]") {
  SECTION("an exchanged session: until the refresh point, then what is left of its use") {
    Fixture f;
    f.HostToken();
    f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
    auto duration = [&]() { return Answer(f.Kubelet(Request("xpkg.upbound.io/acme/pkg")))["cacheDuration"]; };
    f.Login("sid-1", 3600);
    CHECK(duration() == "55m0s");  // refreshed 5 minutes before the end
    f.fs.now += 3000;
    CHECK(duration() == "5m0s");
    f.fs.now += 350;  // in the refresh window; Upbound is down: the cached one serves
    for (int i = 0; i < 4; ++i) f.h.http.Respond(503);
    CHECK(duration() == "3m40s");  // until 30 s before it expires
    f.fs.now += 219;
    for (int i = 0; i < 4; ++i) f.h.http.Respond(503);
    CHECK(duration() == "1s");
    CHECK(f.h.http.pending() == 0);
  }
  SECTION("short and clamped lifetimes") {
    Fixture f;
    f.HostToken();
    f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
    f.Login("sid-short", 20);
    CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/a/b")))["cacheDuration"] == "15s");
    f.fs.now += 20;
    f.Login("sid-long", 999999999);  // clamped to 30 days
    CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/a/b")))["cacheDuration"] == "719h55m0s");
  }
  SECTION("a direct pair: what is left of its verification; unverified, not at all") {
    Fixture f;
    f.HostToken();
    f.Verified();
    CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/a/b")))["cacheDuration"] == "1h0m0s");
    f.fs.now += 1000;
    CHECK(Answer(f.Kubelet(Request("xpkg.upbound.io/a/b")))["cacheDuration"] == "43m20s");
    f.fs.now += 2600;  // the verdict expired; the registry cannot be reached now
    for (int i = 0; i < 6; ++i) f.h.http.FailToConnect();
    RunResult unverified = f.Kubelet(Request("xpkg.upbound.io/a/b"));
    CHECK(Answer(unverified)["cacheDuration"] == "0s");
    CHECK(Answer(unverified)["auth"]["xpkg.upbound.io"]["username"] == "robot-id");
  }
  SECTION("verification off: the provider config's defaultCacheDuration") {
    Fixture f;
    f.HostToken();
    f.h.env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
    CHECK_FALSE(Answer(f.Kubelet(Request("xpkg.upbound.io/a/b"))).contains("cacheDuration"));
  }
  SECTION("the arithmetic at the edges") {
    RegistryCredential c{"u", "s", 1000, 1000 + 3600};
    CHECK(CacheSeconds(c, 3600, 1000) == 3300);
    CHECK(CacheSeconds(c, 3600, 1000 + 3300) == 270);      // in the window: until 30 s before the end
    CHECK(CacheSeconds(c, 3600, 1000 + 3570) == 0);        // no longer usable
    CHECK(CacheSeconds(c, 3600, 1000 + 999999) == 0);      // long expired: never negative
    RegistryCredential verified{"u", "s", 1000, 0, 1000 + 60};
    CHECK(CacheSeconds(verified, 3600, 1030) == 30);
    CHECK(CacheSeconds(verified, 3600, 2000) == 0);
    RegistryCredential unverified{"u", "s", 1000, 0, 0};
    CHECK(CacheSeconds(unverified, 3600, 1000) == 0);
    CHECK_FALSE(CacheSeconds(unverified, 0, 1000).has_value());
  }
}

TEST_CASE("kubelet: a revoked or missing token is an empty auth the kubelet does not cache", "[kubelet]") {
  Fixture f;
  f.HostToken();
  f.Verified(401);
  RunResult r = f.Kubelet(Request("xpkg.upbound.io/acme/pkg"));
  json answer = Answer(r);
  CHECK(answer["auth"] == json::object());
  CHECK(answer["cacheDuration"] == "0s");
  CHECK(r.err.find("rejected robot robot-id") != std::string::npos);
  CHECK(r.err.find("robot-token-secret") == std::string::npos);
}

TEST_CASE("kubelet: malformed requests: one line on stderr, exit 1, nothing on stdout", "[kubelet]") {
  Fixture f;
  f.HostToken();
  Refused(f.Kubelet("not json"), "kubelet request: not JSON");
  Refused(f.Kubelet(""), "kubelet request: not JSON");
  Refused(f.Kubelet("[1,2]"), "not a JSON object");
  Refused(f.Kubelet(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"Pod","image":"x.io/a"})"),
          "kind is \"Pod\", not CredentialProviderRequest");
  Refused(f.Kubelet(Request("xpkg.upbound.io/a/b", "", "v2")), "unknown apiVersion");
  Refused(f.Kubelet(R"({"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"})"),
          "image is missing");
  Refused(f.Kubelet(Request("")), "image is empty");
  Refused(f.Kubelet(Request("xpkg.upbound.io/Acme/pkg")), "image \"xpkg.upbound.io/Acme/pkg\": repository path");
  Refused(f.Kubelet(Request("xpkg.upbound.io/a/b:v1 ")), "white space");
  Refused(f.Kubelet(std::string(2 << 20, ' ')), "larger than");
  // Broken settings are the operator's to fix: said, exit 1.
  f.Config(R"([{"name":"acme"}])");
  Refused(f.Kubelet(Request("xpkg.upbound.io/a/b")), "\"robotTokenFile\" is missing");
  CHECK(f.h.http.requests().empty());
}

TEST_CASE("kubelet: Upbound out of reach is an error the kubelet logs", "[kubelet]") {
  Fixture f;
  f.HostToken();
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  for (int i = 0; i < 4; ++i) f.h.http.FailToConnect();
  Refused(f.Kubelet(Request("xpkg.upbound.io/a/b")), "connection refused");
}

TEST_CASE("kubelet: the call is bounded: 30 s for the work, a 45 s watchdog", "[kubelet]") {
  Fixture f;
  f.HostToken();
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "600";
  std::vector<int> armed;
  f.h.system().exit_after = [&armed](int seconds, const char* message) {
    armed.push_back(seconds);
    if (seconds > 0) CHECK(std::string(message).find("no answer within 45 s") != std::string::npos);
  };
  f.Verified();
  auto start = std::chrono::steady_clock::now();
  Answer(f.Kubelet(Request("xpkg.upbound.io/a/b")));
  CHECK(armed == std::vector<int>{kWatchdogSeconds, 0});  // disarmed before the answer is written
  REQUIRE(!f.h.http.deadlines().empty());
  CHECK(f.h.http.deadlines().back() - start <= std::chrono::seconds(kMaxSeconds + 1));
  // get keeps its own timeout.
  f.fs.now += 4000;  // the verdict expired: verified again
  f.Verified();
  start = std::chrono::steady_clock::now();
  REQUIRE(f.h.Run({"get"}, "xpkg.upbound.io").code == 0);
  CHECK(f.h.http.deadlines().back() - start > std::chrono::seconds(500));
}

}  // namespace
}  // namespace dcu::kubelet
