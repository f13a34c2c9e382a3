#include <catch2/catch.hpp>

#include <sstream>

#include "helper/upbound/exchange.h"
#include "tests/doubles/fake_http.h"

namespace dcu {
namespace {

using std::chrono::steady_clock;

// {"jti":"0123-abcd"}
const char* kJwt = "eyJhbGciOiJub25lIn0.eyJqdGkiOiIwMTIzLWFiY2QifQ.c2ln";

RetryPolicy NoWait() {
  RetryPolicy retry;
  retry.sleep = [](std::chrono::milliseconds) {};
  retry.random01 = [] { return 0.0; };
  return retry;
}

Settings Upbound(ExchangeKind kind) {
  Settings s;
  s.api_endpoint = "https://api.upbound.io";
  s.auth_endpoint = "https://auth.upbound.io";
  s.exchange = kind;
  s.organization = "acme";
  return s;
}

constexpr std::int64_t kNow = 1'800'000'000;

StatusOr<RegistryCredential> Exchange(const Settings& s, FakeHttp& http) {
  std::ostringstream err;
  Log log(err);
  HttpClient client([&http]() -> StatusOr<std::unique_ptr<HttpTransport>> { return http.NewTransport(); },
                    NoWait(), log);
  return ExchangeRobotToken(s, {"access-id", kJwt, "test"}, client, kNow,
                            steady_clock::now() + std::chrono::seconds(30));
}

TEST_CASE("exchange: session login with the jti and the SID cookie", "[exchange]") {
  FakeHttp http;
  http.Respond(200, "{}", {{"set-cookie", "other=1; Path=/"},
                           {"Set-Cookie", "SID=sess-123; Path=/; Max-Age=600; HttpOnly"}});
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
  REQUIRE(c.ok());
  CHECK(c->username == "_token");
  CHECK(c->secret == "sess-123");
  CHECK(c->expires_at - c->obtained_at == 600);
  REQUIRE(http.requests().size() == 1);
  const HttpRequest& r = http.requests()[0];
  CHECK(r.method == "POST");
  CHECK(r.url == "https://api.upbound.io/v1/login");
  CHECK(r.headers[0] == std::make_pair(std::string("Content-Type"), std::string("application/json")));
}

TEST_CASE("exchange: session lifetime from Max-Age, Expires or the default", "[exchange]") {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(SessionLifetime("SID=x; Max-Age=100", 7, now) == 100);
  CHECK(SessionLifetime("SID=x; expires=Sun, 06 Nov 1994 09:49:37 GMT; Max-Age=5", 7, now) == 5);
  CHECK(SessionLifetime("SID=x; Expires=Sun, 06 Nov 1994 09:49:37 GMT", 7, now) == 3600);
  CHECK(SessionLifetime("SID=x; Expires=Sun, 06 Nov 1994 07:49:37 GMT", 7, now) < 0);
  CHECK(SessionLifetime("SID=x; Max-Age=0", 7, now) <= 0);
  CHECK(SessionLifetime("SID=x; Path=/", 7, now) == 7);
  // The older date forms, and an Expires nobody can read (ignored).
  CHECK(SessionLifetime("SID=x; Expires=Sun, 06-Nov-1994 09:49:37 GMT", 7, now) == 3600);
  CHECK(SessionLifetime("SID=x; Expires=Sunday, 06-Nov-94 09:49:37 GMT", 7, now) == 3600);
  CHECK(SessionLifetime("SID=x; Expires=soon", 7, now) == 7);
  CHECK(CookieValue({"a=b", "SID=\"q\"; Path=/"}, "SID") == "q");
  CHECK(CookieValue({"SIDX=1"}, "SID").empty());
}

TEST_CASE("exchange: a rejected token is named as such with the endpoint", "[exchange]") {
  FakeHttp http;
  http.Respond(401, R"({"message":"Unauthorized"})");
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Code::kUnauthenticated);
  CHECK(c.status().message() ==
        "Upbound rejected the robot token (revoked, or for another domain or organization): "
        "POST https://api.upbound.io/v1/login answered 401");
  CHECK(http.requests().size() == 1);  // 4xx is never retried
}

TEST_CASE("exchange: 5xx is retried, then reported", "[exchange]") {
  FakeHttp http;
  http.Respond(503);
  http.Respond(200, "{}", {{"Set-Cookie", "SID=s; Max-Age=60"}});
  CHECK(Exchange(Upbound(ExchangeKind::kSession), http).ok());
  CHECK(http.requests().size() == 2);

  FakeHttp down;
  for (int i = 0; i < 4; ++i) down.Respond(502);
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), down);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Code::kUnavailable);
  CHECK(c.status().message() == "Upbound failed: POST https://api.upbound.io/v1/login answered 502");
}

TEST_CASE("exchange: a login without a SID cookie is a failure", "[exchange]") {
  FakeHttp http;
  http.Respond(200, "{}");
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("without a SID cookie") != std::string::npos);
}

TEST_CASE("exchange: a SID cookie that is not printable ASCII is a failure, never a mangled secret",
          "[exchange]") {
  // Found by tests/fuzz/exchange_fuzz.cpp: "\xed" reached Docker as U+FFFD
  // and made the cache's JSON writer throw.
  for (std::string sid : {std::string("abc\xed"), std::string("a\x01") + "b", std::string("a\\b"), std::string("a\"b")}) {
    INFO(sid);
    FakeHttp http;
    http.Respond(200, "{}", {{"Set-Cookie", "SID=" + sid + "; Path=/; Max-Age=600"}});
    StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kUnavailable);
    CHECK(c.status().message().find("with a malformed SID cookie") != std::string::npos);
  }
  FakeHttp http;
  http.Respond(200, "{}", {{"Set-Cookie", "SID=\"a b,c=d/+\"; Max-Age=600"}});
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
  REQUIRE(c.ok());
  CHECK(c->secret == "a b,c=d/+");
}

TEST_CASE("exchange: a robot token that is not UTF-8 is refused before anything is sent", "[exchange]") {
  // Found by tests/fuzz/exchange_fuzz.cpp: the login body's JSON writer
  // threw on it (UP_ROBOT_TOKEN, or a legacy keyring item's secret, can
  // be any bytes), and main answered "internal error".
  for (RobotToken robot : {RobotToken{"access-id", std::string(kJwt) + "\xc3", "UP_ROBOT_TOKEN"},
                           RobotToken{"access-\xff", "not-a-jwt", "UP_ROBOT_TOKEN"}}) {
    FakeHttp http;
    std::ostringstream err;
    Log log(err);
    HttpClient client([&http]() -> StatusOr<std::unique_ptr<HttpTransport>> { return http.NewTransport(); },
                      NoWait(), log);
    StatusOr<RegistryCredential> c = ExchangeRobotToken(Upbound(ExchangeKind::kSession), robot, client, kNow,
                                                        steady_clock::now() + std::chrono::seconds(30));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kInvalidInput);
    CHECK(c.status().message() == "UP_ROBOT_TOKEN: the robot token or its access ID is not UTF-8 text");
    CHECK(http.requests().empty());
  }
}

TEST_CASE("exchange: org-scoped token, RFC 8693 form", "[exchange]") {
  FakeHttp http;
  http.Respond(200, R"({"access_token":"org-tok","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600})");
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
  REQUIRE(c.ok());
  CHECK(c->username == "_token");
  CHECK(c->secret == "org-tok");
  CHECK(c->expires_at - c->obtained_at == 3600);
  const HttpRequest& r = http.requests()[0];
  CHECK(r.url == "https://auth.upbound.io/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens");
  CHECK(r.body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange") == 0);
  CHECK(r.body.find("&scope=upbound%3Aorg%3Aacme") != std::string::npos);
  CHECK(r.body.find("&audience=upbound%3Aspaces%3Aapi&audience=upbound%3Aspaces%3Acontrolplanes") !=
        std::string::npos);
}

TEST_CASE("exchange: malformed org-token answers are failures", "[exchange]") {
  for (const char* body : {"not json", "{}", R"({"access_token":"","expires_in":10})",
                           R"({"access_token":"t","expires_in":"10"})"}) {
    FakeHttp http;
    http.Respond(200, body);
    StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kUnavailable);
  }
}

TEST_CASE("exchange: the credential is stamped with the time it was obtained", "[exchange]") {
  FakeHttp http;
  http.Respond(200, R"({"access_token":"org-tok","expires_in":60})");
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
  REQUIRE(c.ok());
  CHECK(c->obtained_at == kNow);
  CHECK(c->expires_at == kNow + 60);
}

TEST_CASE("exchange: an absurd expires_in is capped, not overflowed", "[exchange]") {
  for (const char* big : {"1e300", "2592001", "18446744073709551616", "9223372036854775807"}) {
    INFO(big);
    FakeHttp http;
    http.Respond(200, std::string(R"({"access_token":"org-tok","expires_in":)") + big + "}");
    StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
    REQUIRE(c.ok());
    CHECK(c->expires_at - c->obtained_at == kMaxLifetimeSeconds);
  }
}

TEST_CASE("exchange: a negative or unreadable expires_in is a malformed answer", "[exchange]") {
  // -1e300 cast to an integer is undefined behaviour; 1e400 overflows the
  // JSON parser's double.
  for (const char* bad : {"-1e300", "-5", "0", "0.4", "1e400", "-1e400"}) {
    INFO(bad);
    FakeHttp http;
    http.Respond(200, std::string(R"({"access_token":"org-tok","expires_in":)") + bad + "}");
    StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kUnavailable);
  }
}

TEST_CASE("exchange: an org-scoped token that has already expired is named as such", "[exchange]") {
  // Found by the fault matrix (tests/e2e/fault_matrix_test.sh): a 200 with
  // expires_in 0 was reported as an answer "without access_token".
  for (const char* expires_in : {"0", "-60"}) {
    INFO(expires_in);
    FakeHttp http;
    http.Respond(200, std::string(R"({"access_token":"org-tok-secret","expires_in":)") + expires_in + "}");
    StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kOrgToken), http);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Code::kUnavailable);
    CHECK(c.status().message().find("answered an access_token that has already expired (expires_in " +
                                    std::string(expires_in) + ")") != std::string::npos);
    CHECK(c.status().message().find("org-tok-secret") == std::string::npos);
  }
}

TEST_CASE("exchange: cookie lifetimes follow RFC 6265 and are capped", "[exchange]") {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  // The last valid Max-Age wins, whatever comes between (5.3 step 3).
  CHECK(SessionLifetime("SID=x; Max-Age=100; Max-Age=5", 7, now) == 5);
  CHECK(SessionLifetime("SID=x; Max-Age=5; Max-Age=1e3", 7, now) == 5);
  CHECK(SessionLifetime("SID=x; Max-Age=5; Max-Age=", 7, now) == 5);
  CHECK(SessionLifetime("SID=x; Max-Age=5; Expires=Sun, 06 Nov 1994 09:49:37 GMT", 7, now) == 5);
  CHECK(SessionLifetime("SID=x; Max-Age=0; Max-Age=60", 7, now) == 60);
  CHECK(SessionLifetime("SID=x; Max-Age=60; Max-Age=-1", 7, now) < 0);
  // Any number of digits: capped, never overflowed, never ignored.
  CHECK(SessionLifetime("SID=x; Max-Age=2592001", 7, now) == kMaxLifetimeSeconds);
  CHECK(SessionLifetime("SID=x; Max-Age=9999999999", 7, now) == kMaxLifetimeSeconds);
  CHECK(SessionLifetime("SID=x; Max-Age=99999999999999999999999999", 7, now) == kMaxLifetimeSeconds);
  CHECK(SessionLifetime("SID=x; Max-Age=-99999999999999999999999999", 7, now) < 0);
  CHECK(SessionLifetime("SID=x; Max-Age=000000000000000000000000060", 7, now) == 60);
  // Expires: the last one wins, the year 9999 is capped, before 1970 is expired.
  CHECK(SessionLifetime("SID=x; Expires=Fri, 31 Dec 9999 23:59:59 GMT", 7, now) == kMaxLifetimeSeconds);
  CHECK(SessionLifetime("SID=x; Expires=Thu, 01 Jan 1950 00:00:00 GMT", 7, now) < 0);
  CHECK(SessionLifetime("SID=x; Expires=Wed, 31 Dec 1969 23:59:59 GMT", 7, now) < 0);
  CHECK(SessionLifetime("SID=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", 7, now) < 0);
  CHECK(SessionLifetime("SID=x; Expires=Sun, 06 Nov 1994 09:49:37 GMT; Expires=Sun, 06 Nov 1994 08:59:37 GMT",
                        7, now) == 600);
  // The fallback (the configured session lifetime) is capped too.
  CHECK(SessionLifetime("SID=x", 1'000'000'000'000, now) == kMaxLifetimeSeconds);
}

TEST_CASE("exchange: a cookie whose lifetime is out of range still yields a bounded credential",
          "[exchange]") {
  FakeHttp http;
  http.Respond(200, "{}", {{"Set-Cookie", "SID=s; Max-Age=99999999999999999999"}});
  StatusOr<RegistryCredential> c = Exchange(Upbound(ExchangeKind::kSession), http);
  REQUIRE(c.ok());
  CHECK(c->expires_at - c->obtained_at == kMaxLifetimeSeconds);

  FakeHttp cleared;
  cleared.Respond(200, "{}", {{"Set-Cookie", "SID=s; Expires=Thu, 01 Jan 1950 00:00:00 GMT"}});
  StatusOr<RegistryCredential> expired = Exchange(Upbound(ExchangeKind::kSession), cleared);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().message().find("expired SID cookie") != std::string::npos);
}

TEST_CASE("exchange: failures show the endpoint without query or user info", "[exchange]") {
  Settings s = Upbound(ExchangeKind::kOrgToken);
  s.auth_endpoint = "https://auth.upbound.io/base?key=SECRET1";
  FakeHttp http;
  http.Respond(401);
  StatusOr<RegistryCredential> c = Exchange(s, http);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("https://auth.upbound.io/base") != std::string::npos);
  CHECK(c.status().message().find("SECRET1") == std::string::npos);

  FakeHttp nothing;
  nothing.Respond(200, "{}");
  s.auth_endpoint = "https://auth.upbound.io/base#SECRET2";
  c = Exchange(s, nothing);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("SECRET2") == std::string::npos);
}

}  // namespace
}  // namespace dcu
