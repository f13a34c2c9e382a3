// Asking the registry's token service about a direct pair, as docker login
// does, through a scripted transport.
#include <catch2/catch.hpp>

#include <sstream>

#include "helper/base/encoding.h"
#include "helper/upbound/verify.h"
#include "tests/doubles/fake_http.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

struct Fixture {
  Fixture() : log(err) {
    settings.registry_endpoint = "https://xpkg.upbound.io";
    policy.max_attempts = 1;
  }
  PairCheck Verify(const std::string& host = "xpkg.upbound.io") {
    HttpClient http([this]() -> StatusOr<std::unique_ptr<HttpTransport>> { return fake.NewTransport(); }, policy, log);
    HttpClient probe([this]() -> StatusOr<std::unique_ptr<HttpTransport>> { return fake.NewTransport(); }, policy, log);
    return VerifyPair(settings, host, robot, http, probe, Clock::now() + std::chrono::seconds(5));
  }
  void Challenge(const std::string& realm, const std::string& service = "xpkg.upbound.io") {
    fake.Respond(401, "", {{"Www-Authenticate", "Bearer realm=\"" + realm + "\",service=\"" + service + "\""}});
  }
  Settings settings;
  RobotToken robot{"robot-id", "robot-secret", "test"};
  RetryPolicy policy;
  std::ostringstream err;
  Log log;
  FakeHttp fake;
};

TEST_CASE("verify: the challenge, then the realm with Basic credentials and no scope", "[verify]") {
  Fixture f;
  f.Challenge("https://xpkg.upbound.io/service/token", "xpkg upbound");
  f.fake.Respond(200, R"({"token":"t"})");
  PairCheck check = f.Verify();
  CHECK(check.outcome == PairCheck::kAccepted);
  REQUIRE(f.fake.requests().size() == 2);
  CHECK(f.fake.requests()[0].url == "https://xpkg.upbound.io/v2/");
  CHECK(f.fake.requests()[0].headers.empty());  // nothing secret before the realm is known
  const HttpRequest& ask = f.fake.requests()[1];
  CHECK(ask.url == "https://xpkg.upbound.io/service/token?service=xpkg%20upbound");
  REQUIRE(ask.headers.size() == 1);
  CHECK(ask.headers[0].first == "Authorization");
  // The transport got the header; the helper's own copy was wiped after.
  CHECK(check.reason.find("robot-secret") == std::string::npos);
}

TEST_CASE("verify: 401 and 403 from the realm reject; other answers decide nothing", "[verify]") {
  for (int status : {401, 403}) {
    Fixture f;
    f.Challenge("https://xpkg.upbound.io/service/token");
    f.fake.Respond(status, "{}");
    PairCheck check = f.Verify();
    CHECK(check.outcome == PairCheck::kRejected);
    CHECK(check.reason == "the registry's token service (xpkg.upbound.io) rejected robot robot-id (HTTP " +
                              std::to_string(status) + ")");
  }
  for (int status : {500, 429, 404}) {
    Fixture f;
    f.Challenge("https://xpkg.upbound.io/service/token");
    f.fake.Respond(status, "{}");
    CHECK(f.Verify().outcome == PairCheck::kUnknown);
  }
  Fixture down;
  down.fake.FailToConnect();
  CHECK(down.Verify().outcome == PairCheck::kUnknown);
  Fixture odd;
  odd.fake.Respond(502);
  CHECK(odd.Verify().outcome == PairCheck::kUnknown);
  CHECK(odd.fake.requests().size() == 1);
}

TEST_CASE("verify: the pair goes only to a realm on the registry's host", "[verify]") {
  for (const char* realm : {"https://evil.example/service/token", "https://xpkg.upbound.io.evil.example/t",
                            "https://robot:pw@xpkg.upbound.io/t", "https://evil.example#@xpkg.upbound.io/t",
                            "ftp://xpkg.upbound.io/t", "not a url"}) {
    INFO(realm);
    Fixture f;
    f.Challenge(realm);
    PairCheck check = f.Verify();
    CHECK(check.outcome == PairCheck::kRefused);
    CHECK(f.fake.requests().size() == 1);  // the pair was not sent
    CHECK(check.reason.find("pw") == std::string::npos);
  }
  // Another port on the same host is the same host; realmHosts allows more.
  Fixture port;
  port.Challenge("https://xpkg.upbound.io:8443/token");
  port.fake.Respond(200, R"({"token":"t"})");
  CHECK(port.Verify().outcome == PairCheck::kAccepted);
  Fixture listed;
  listed.settings.realm_hosts = {"auth.example"};
  listed.Challenge("https://auth.example/token");
  listed.fake.Respond(200, R"({"token":"t"})");
  CHECK(listed.Verify().outcome == PairCheck::kAccepted);
  CHECK(listed.fake.requests()[1].url == "https://auth.example/token?service=xpkg.upbound.io");
  // http to a host that is not loopback is refused by the URL policy.
  Fixture plain;
  plain.Challenge("http://xpkg.upbound.io/token");
  CHECK(plain.Verify().outcome == PairCheck::kRefused);
  CHECK(plain.fake.requests().size() == 1);
}

TEST_CASE("verify: a loopback registry may speak plain http; Basic registries check the pair", "[verify]") {
  Fixture f;
  f.fake.FailToConnect();  // https
  f.Challenge("http://127.0.0.1:9999/service/token", "reg");
  f.fake.Respond(200, R"({"token":"t"})");
  CHECK(f.Verify("127.0.0.1:5000").outcome == PairCheck::kAccepted);
  REQUIRE(f.fake.requests().size() == 3);
  CHECK(f.fake.requests()[0].url == "https://127.0.0.1:5000/v2/");
  CHECK(f.fake.requests()[1].url == "http://127.0.0.1:5000/v2/");
  CHECK(f.fake.requests()[2].url == "http://127.0.0.1:9999/service/token?service=reg");

  Fixture basic;
  basic.fake.Respond(401, "", {{"WWW-Authenticate", "Basic realm=\"Registry\""}});
  basic.fake.Respond(401, "");
  CHECK(basic.Verify().outcome == PairCheck::kRejected);
  CHECK(basic.fake.requests()[1].url == "https://xpkg.upbound.io/v2/");
  CHECK(basic.fake.requests()[1].headers.size() == 1);

  Fixture open;
  open.fake.Respond(200, "{}");
  CHECK(open.Verify().outcome == PairCheck::kAccepted);
  CHECK(open.fake.requests().size() == 1);
}

TEST_CASE("verify: AskTokenService sends a scope and any Basic pair, and hands back the issued token", "[verify]") {
  Fixture f;
  f.Challenge("https://xpkg.upbound.io/service/token");
  f.fake.Respond(200, R"({"access_token":"issued-jwt"})");
  HttpClient http([&f]() -> StatusOr<std::unique_ptr<HttpTransport>> { return f.fake.NewTransport(); }, f.policy, f.log);
  std::string issued;
  PairCheck check = AskTokenService(f.settings, "xpkg.upbound.io",
                                    {"_token", "session-secret", "the session", "repository:acme/pkg:pull,push"}, http,
                                    http, Clock::now() + std::chrono::seconds(5), &issued);
  CHECK(check.outcome == PairCheck::kAccepted);
  CHECK(check.reason == "xpkg.upbound.io accepted the session");
  CHECK(issued == "issued-jwt");
  REQUIRE(f.fake.requests().size() == 2);
  CHECK(f.fake.requests()[1].url ==
        "https://xpkg.upbound.io/service/token?service=xpkg.upbound.io&scope=repository%3Aacme%2Fpkg%3Apull%2Cpush");
  CHECK(TokenRealmAllowed(f.settings, "xpkg.upbound.io", "https://xpkg.upbound.io:444/t"));
  CHECK_FALSE(TokenRealmAllowed(f.settings, "xpkg.upbound.io", "https://evil.example/t"));
}

TEST_CASE("verify: Bearer challenges as registries write them", "[verify]") {
  std::string realm, service;
  CHECK(ParseBearerChallenge({R"(Bearer realm="https://a/t",service="s",scope="repository:x:pull")"}, &realm, &service));
  CHECK(realm == "https://a/t");
  CHECK(service == "s");
  CHECK(ParseBearerChallenge({"Basic realm=\"x\"", R"(bearer service=s2, realm="https://b/t")"}, &realm, &service));
  CHECK(realm == "https://b/t");
  CHECK(service == "s2");
  CHECK(ParseBearerChallenge({R"(Bearer realm="https://c/\"q\"")"}, &realm, &service));
  CHECK(realm == "https://c/\"q\"");
  CHECK_FALSE(ParseBearerChallenge({"Basic realm=\"x\""}, &realm, &service));
  CHECK_FALSE(ParseBearerChallenge({"Bearer service=\"s\""}, &realm, &service));
  CHECK_FALSE(ParseBearerChallenge({"Bearerrealm=\"x\"", "", "Bearer"}, &realm, &service));
}

TEST_CASE("verify: a token realm's 200 without a token is no verdict", "[verify]") {
  // Found by the fault matrix (tests/e2e/fault_matrix_test.sh): a realm
  // answering 200 with an HTML page (a proxy, a captive portal) was taken
  // for an acceptance and cached as one for the whole verification period.
  for (const char* body : {"<html>upstream hiccup</html>", "{}", R"({"token":""})", "null"}) {
    INFO(body);
    Fixture f;
    f.Challenge("https://xpkg.upbound.io/service/token");
    f.fake.Respond(200, body);
    PairCheck check = f.Verify();
    CHECK(check.outcome == PairCheck::kUnknown);
    CHECK(check.reason == "the token service of xpkg.upbound.io answered 200 without a token");
  }
  // A registry with Basic authentication answers its own /v2/: no token there.
  Fixture basic;
  basic.fake.Respond(401, "", {{"WWW-Authenticate", "Basic realm=\"Registry\""}});
  basic.fake.Respond(200, "{}");
  CHECK(basic.Verify().outcome == PairCheck::kAccepted);
}

}  // namespace
}  // namespace dcu
