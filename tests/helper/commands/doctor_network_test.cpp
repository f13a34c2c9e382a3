// doctor's checks 6 to 8 (endpoints, exchange, registry), --json and
// --repository, against a routed fake of Upbound and its registry.
#include <nlohmann/json.hpp>

#include "helper/commands/doctor/repository_probe.h"
#include "tests/helper/commands/doctor_fixture.h"

namespace dcu {
namespace {

using F = DoctorFixture;

int Count(const F& f, const std::string& url_prefix) {
  int n = 0;
  for (const HttpRequest& r : f.sent) n += r.url.compare(0, url_prefix.size(), url_prefix) == 0;
  return n;
}

TEST_CASE("doctor 6: an unreachable endpoint, a TLS failure; every step within the timeout", "[doctor]") {
  F down;
  down.registry_down = true;
  auto start = std::chrono::steady_clock::now();
  RunResult r = down.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 6) == "FAIL");
  CHECK(F::Line(r.out, 6).find("registry xpkg.example.test unreachable: GET https://xpkg.example.test/v2/: Connection refused") !=
        std::string::npos);
  CHECK(F::Fix(r.out, 6).find("OVERRIDE_*_ENDPOINT") != std::string::npos);
  CHECK(F::Line(r.out, 8).find("skipped: xpkg.example.test: the registry is unreachable (check 6)") != std::string::npos);
  for (auto deadline : down.deadlines) CHECK(deadline <= start + std::chrono::seconds(6));

  // The API is not needed by the direct exchange: a warning.
  F api;
  api.api_down = true;
  r = api.Run();
  CHECK(r.code == 0);
  CHECK(F::Verdict(r.out, 6) == "warning");
  CHECK(F::Line(r.out, 6).find("the direct exchange does not use it") != std::string::npos);
  // ...but the session exchange is.
  F session;
  session.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  session.api_down = true;
  r = session.Run();
  CHECK(F::Verdict(r.out, 6) == "FAIL");
  CHECK(F::Line(r.out, 7).find("the API is unreachable (check 6)") != std::string::npos);

  F tls;
  tls.tls_failure = "SSL certificate problem: unable to get local issuer certificate";
  r = tls.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 6) == "FAIL");
  CHECK(F::Line(r.out, 6).find("TLS failed: ") != std::string::npos);
  CHECK(F::Fix(r.out, 6).find("set UP_CA_BUNDLE") != std::string::npos);
}

TEST_CASE("doctor 7: the session and org-token exchanges, and a rejected token", "[doctor]") {
  F session;
  session.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  RunResult r = session.Run();
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(F::Verdict(r.out, 7) == "ok");
  CHECK(F::Line(r.out, 7).find("a session for robot robot-id, valid 3600 s") != std::string::npos);
  CHECK(F::Line(r.out, 8).find("accepted the session credential of robot robot-id") != std::string::npos);
  CHECK(Count(session, "https://api.example.test/v1/login") == 1);
  CHECK(Count(session, "https://api.example.test/v1/logout") == 1);  // the session doctor opened is ended
  CHECK(session.h.store().List()->empty());                          // nothing stored

  F org;
  org.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";
  org.h.env["UP_ORGANIZATION"] = "acme";
  r = org.Run();
  CHECK(r.code == 0);
  CHECK(F::Line(r.out, 7).find("an org-scoped token for acme") != std::string::npos);

  F no_org;
  no_org.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";
  r = no_org.Run();  // the settings themselves are refused, in one line
  CHECK(r.code == 1);
  CHECK(r.err.find("set UP_ORGANIZATION") != std::string::npos);

  F rejected;
  rejected.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  rejected.robot_rejected = true;
  r = rejected.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 7) == "FAIL");
  CHECK(F::Line(r.out, 7).find("xpkg.example.test: ") != std::string::npos);
  CHECK(F::Fix(r.out, 7).find("docker-credential-upbound login --server xpkg.example.test --token-file FILE") !=
        std::string::npos);
  CHECK(F::Line(r.out, 8).find("no exchanged credential (check 7)") != std::string::npos);
}

TEST_CASE("doctor 8: the registry's token service rejects the credential", "[doctor]") {
  for (const char* exchange : {"direct", "session"}) {
    INFO(exchange);
    F f;
    f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = exchange;
    f.registry_rejects = true;
    RunResult r = f.Run();
    CHECK(r.code == 1);
    CHECK(F::Verdict(r.out, 8) == "FAIL");
    CHECK(F::Line(r.out, 8).find("the registry's token service (xpkg.example.test) rejected") != std::string::npos);
    CHECK(F::Fix(r.out, 8).find("up robot token create") != std::string::npos);
  }
  // The robot pair goes only to the registry's own realm, with Basic.
  F good;
  good.Run();
  for (const HttpRequest& r : good.sent) {
    bool has_auth = false;
    for (const auto& header : r.headers) has_auth |= header.first == "Authorization";
    if (has_auth) CHECK(r.url.compare(0, 40, "https://xpkg.example.test/service/token?") == 0);
  }
}

TEST_CASE("doctor 6 and 8: a token realm on another host is never sent anything", "[doctor]") {
  F f;
  f.realm = "https://evil.example/service/token";
  RunResult r = f.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 6) == "warning");
  CHECK(F::Verdict(r.out, 8) == "FAIL");
  CHECK(F::Line(r.out, 8).find("https://evil.example/service/token is not on xpkg.example.test") != std::string::npos);
  CHECK(F::Fix(r.out, 8).find("realmHosts") != std::string::npos);
  CHECK(Count(f, "https://evil.example") == 0);
}

TEST_CASE("doctor --json: the same verdicts, and ok", "[doctor]") {
  F f;
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  f.registry_rejects = true;
  RunResult text = f.Run();
  RunResult r = f.Run({"--json"});
  CHECK(r.code == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["checks"].size() == 8);
  CHECK(doc["ok"] == false);
  CHECK(doc["repository"].is_null());
  for (int n = 1; n <= 8; ++n) {
    const nlohmann::json& c = doc["checks"][n - 1];
    CHECK(c["number"] == n);
    std::string verdict = F::Verdict(text.out, n);
    CHECK(c["verdict"] == (verdict == "FAIL" ? "fail" : verdict));
    CHECK(!c["name"].get<std::string>().empty());
  }
  CHECK(doc["checks"][7]["fix"].get<std::string>().find("up robot token create") != std::string::npos);

  F good;
  r = good.Run({"--json"});
  CHECK(r.code == 0);
  CHECK(nlohmann::json::parse(r.out)["ok"] == true);
}

TEST_CASE("doctor --repository: which exchange gets pull and push", "[doctor]") {
  F f;  // robot pair: pull,push; session: pull; org-token: nothing
  RunResult r = f.Run({"--repository", "acme/pkg"});
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("--repository acme/pkg on xpkg.example.test, asked for pull,push with robot robot-id:") !=
        std::string::npos);
  CHECK(r.out.find("   direct    pull,push   (current setting)\n") != std::string::npos);
  CHECK(r.out.find("   session   pull\n") != std::string::npos);
  CHECK(r.out.find("   org-token nothing\n") != std::string::npos);
  CHECK(r.out.find("for pull: DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct") != std::string::npos);
  CHECK(r.out.find("for push: DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct") != std::string::npos);
  bool scoped = false;
  for (const HttpRequest& q : f.sent) {
    scoped |= q.url.find("&scope=repository%3Aacme%2Fpkg%3Apull%2Cpush") != std::string::npos;
  }
  CHECK(scoped);
  CHECK(Count(f, "https://api.example.test/v1/logout") == 1);

  F pull_only;  // the pair pulls only; a session pushes
  pull_only.grants = {{"robot", "pull"}, {"session", "pull,push"}, {"org", "pull"}};
  pull_only.h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "org-token";
  pull_only.h.env["UP_ORGANIZATION"] = "acme";
  r = pull_only.Run({"--repository", "acme/pkg", "--json"});
  nlohmann::json doc = nlohmann::json::parse(r.out);
  const nlohmann::json& repo = doc["repository"];
  CHECK(repo["kinds"]["direct"]["granted"] == nlohmann::json({"pull"}));
  CHECK(repo["kinds"]["session"]["granted"] == nlohmann::json({"pull", "push"}));
  CHECK(repo["pull"] == "org-token");  // the current setting pulls
  CHECK(repo["push"] == "session");
  CHECK(repo["accessId"] == "robot-id");

  F none;
  none.grants = {{"robot", "pull"}, {"session", ""}, {"org", ""}};
  none.robot_rejected = true;  // both exchanges fail
  r = none.Run({"--repository", "acme/pkg"});
  CHECK(r.out.find("   session   exchange failed: ") != std::string::npos);
  CHECK(r.out.find("for push: no exchange gets push on acme/pkg") != std::string::npos);

  F bad;
  r = bad.Run({"--repository", "Acme/../x"});
  CHECK(r.code == 1);
  CHECK(r.err.find("docker-credential-upbound: error: doctor: --repository takes ORG/NAME") == 0);
  CHECK(bad.sent.empty());
}

TEST_CASE("doctor --repository: reading a registry token's access claim", "[doctor]") {
  bool jwt = false;
  std::string token = UnsignedJwt(R"({"access":[{"type":"repository","name":"acme/pkg","actions":["pull","push","pull"]},)"
                                  R"({"type":"repository","name":"acme/other","actions":["delete"]},)"
                                  R"({"type":1,"name":["x"]}]})");
  CHECK(doctor::GrantedActions(token, "acme/pkg", &jwt) == std::vector<std::string>{"pull", "push"});
  CHECK(jwt);
  CHECK(doctor::GrantedActions(UnsignedJwt(R"({"access":"all"})"), "acme/pkg", &jwt).empty());
  CHECK(doctor::GrantedActions("opaque", "acme/pkg", &jwt).empty());
  CHECK_FALSE(jwt);
  CHECK(doctor::ValidRepository("acme/pkg"));
  CHECK(doctor::ValidRepository("acme/team/pkg-1.x"));
  for (const char* bad : {"", "acme", "acme/", "/pkg", "Acme/pkg", "acme//pkg", "acme/pkg?x", "acme/p kg"}) {
    CHECK_FALSE(doctor::ValidRepository(bad));
  }
}

}  // namespace
}  // namespace dcu
