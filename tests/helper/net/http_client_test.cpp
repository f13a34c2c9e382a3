// The core's send path, over the scripted transport.
#include <catch2/catch.hpp>

#include <sstream>

#include "helper/net/http_client.h"
#include "tests/doubles/fake_http.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

RetryPolicy NoWait() {
  RetryPolicy retry;
  retry.sleep = [](std::chrono::milliseconds) {};
  retry.random01 = [] { return 0.0; };
  return retry;
}

struct Fixture {
  FakeHttp http;
  int opens = 0;
  std::ostringstream err;
  Log log{err};
  HttpClient client{[this]() -> StatusOr<std::unique_ptr<HttpTransport>> {
                      ++opens;
                      return http.NewTransport();
                    },
                    NoWait(), log};
  StatusOr<HttpResponse> Get(const std::string& url) {
    return client.Send(HttpRequest{"GET", url, {}, ""}, Clock::now() + std::chrono::seconds(5));
  }
};

TEST_CASE("http client: a refused URL never reaches a transport", "[http_client]") {
  Fixture f;
  for (const char* url : {"http://example.com/x?token=SECRET", "https://user:SECRET@api.upbound.io/",
                          "ftp://127.0.0.1/", "https://evil.com\\@127.0.0.1/"}) {
    INFO(url);
    StatusOr<HttpResponse> r = f.Get(url);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK(r.status().message().find("SECRET") == std::string::npos);
  }
  CHECK(f.opens == 0);
  CHECK(f.http.requests().empty());
}

TEST_CASE("http client: opens the transport once, on the first allowed request", "[http_client]") {
  Fixture f;
  f.http.Respond(200);
  f.http.Respond(204);
  CHECK(f.Get("https://api.upbound.io/v1/self")->status == 200);
  CHECK(f.Get("http://127.0.0.1:8080/x")->status == 204);
  CHECK(f.opens == 1);
  CHECK(f.http.requests().size() == 2);
}

TEST_CASE("http client: retries, with one debug line per attempt", "[http_client]") {
  Fixture f;
  f.log.set_debug(true);
  f.http.Respond(503);
  f.http.Respond(200);
  StatusOr<HttpResponse> r = f.Get("https://api.upbound.io/v1/login?token=SECRET");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  std::string log = f.err.str();
  INFO(log);
  CHECK(log.find("docker-credential-upbound: debug: http: GET https://api.upbound.io/v1/login -> 503 (") == 0);
  CHECK(log.find("-> 200 (") != std::string::npos);
  CHECK(log.find("SECRET") == std::string::npos);
  CHECK(std::count(log.begin(), log.end(), '\n') == 2);
}

TEST_CASE("http client: a transport that cannot be opened fails the request", "[http_client]") {
  std::ostringstream err;
  Log log(err);
  HttpClient client([]() -> StatusOr<std::unique_ptr<HttpTransport>> { return Status::InvalidInput("no CA"); },
                    NoWait(), log);
  StatusOr<HttpResponse> r =
      client.Send(HttpRequest{"GET", "https://api.upbound.io/", {}, ""}, Clock::now() + std::chrono::seconds(5));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "no CA");
  CHECK(err.str().empty());  // debug is off
}

}  // namespace
}  // namespace dcu
