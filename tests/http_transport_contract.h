// The behaviour every HttpTransport must show (helper/system/http_transport.h),
// run against each backend on a loopback server in the test process: the
// libcurl transport (tests/platform/curl/) and the WinHTTP one
// (tests/platform/windows/). What only one of them can check stays in its
// own test file.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "helper/system/http_transport.h"
#include "tests/loopback_servers.h"

namespace dcu {

// The routes the contract (and each transport's own tests) use.
inline std::string ContractRoute(const testing::SeenRequest& r, testing::Socket client) {
  using testing::Http;
  using testing::LoopbackServer;
  const std::string& t = r.target;
  if (r.method == "CONNECT") return Http(403, "Forbidden", "", "");
  if (t.rfind("/echo", 0) == 0) {
    return Http(200, "OK", "Content-Type: text/plain\r\nX-Reply: yes\r\n", "you sent: " + r.body);
  }
  if (t == "/cookies") return Http(200, "OK", "Set-Cookie: a=1\r\nset-cookie: b=2\r\n", "");
  if (t == "/500") return Http(500, "Internal Server Error", "", "oops");
  if (t == "/429") return Http(429, "Too Many Requests", "Retry-After: 7\r\n", "slow down");
  if (t == "/302") return Http(302, "Found", "Location: /echo\r\n", "");
  if (t == "/big") return Http(200, "OK", "", std::string(2 << 20, 'x'));
  if (t == "/interim") {
    return "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + Http(200, "OK", "X-Final: 1\r\n", "done");
  }
  if (t == "/slow") {
    LoopbackServer::Stall(client, 10000);
    return Http(200, "OK", "", "too late");
  }
  if (t == "/trickle") {
    // Headers at once, then a byte every 100 ms for 10 s.
    if (!LoopbackServer::SendAll(client, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")) return "";
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!LoopbackServer::SendAll(client, "x")) break;
    }
    return "";
  }
  return Http(404, "Not Found", "", "");
}

namespace contract {

using Clock = std::chrono::steady_clock;
inline Clock::time_point In(int ms) { return Clock::now() + std::chrono::milliseconds(ms); }

// tests/memcheck.sh sets DCU_TEST_UNDER_VALGRIND: there, on CI's loaded
// cores, a step that takes milliseconds has taken over a minute.
inline bool UnderValgrind() { return std::getenv("DCU_TEST_UNDER_VALGRIND") != nullptr; }

// How late after its deadline a request may end: a hang is what is looked for.
inline std::chrono::milliseconds LateBy() { return std::chrono::milliseconds(UnderValgrind() ? 120000 : 2000); }

// A deadline that is not what the test is about.
inline Clock::time_point Soon() { return In(UnderValgrind() ? 120000 : 5000); }

// A request that must fail as Unavailable "... timed out ..." at a 1 s
// deadline, neither before it nor long after.
inline void CheckTimesOut(HttpTransport& transport, const std::string& url) {
  Clock::time_point start = Clock::now();
  StatusOr<HttpResponse> r = transport.Send(HttpRequest{"GET", url, {}, ""}, In(1000));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  INFO(r.status().message());
  CHECK(r.status().message().find("timed out") != std::string::npos);
  CHECK(took >= std::chrono::milliseconds(900));
  CHECK(took < std::chrono::milliseconds(1000) + LateBy());
}

}  // namespace contract

inline void CheckHttpTransportContract(HttpTransport& transport) {
  using contract::In;
  testing::LoopbackServer server(ContractRoute);

  SECTION("GET and POST round-trip headers and body") {
    StatusOr<HttpResponse> get = transport.Send(
        HttpRequest{"GET", server.Url("/echo?q=1"), {{"Accept", "application/json"}, {"X-Empty", ""}}, ""}, contract::Soon());
    REQUIRE(get.ok());
    CHECK(get->status == 200);
    CHECK(get->Header("x-reply") == "yes");
    CHECK(get->Header("Content-Type") == "text/plain");
    CHECK(get->body == "you sent: ");
    StatusOr<HttpResponse> post = transport.Send(
        HttpRequest{"POST", server.Url("/echo"), {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0k"}},
                    R"({"token":"s3cret"})"},
        contract::Soon());
    REQUIRE(post.ok());
    CHECK(post->status == 200);
    CHECK(post->body == R"(you sent: {"token":"s3cret"})");

    std::vector<testing::SeenRequest> seen = server.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].target == "/echo?q=1");
    CHECK(seen[0].Header("Accept") == "application/json");
    CHECK(seen[0].Header("X-Empty").empty());
    CHECK(std::count_if(seen[0].headers.begin(), seen[0].headers.end(),
                        [](const auto& h) { return h.first == "X-Empty"; }) == 1);  // sent, and empty
    CHECK(seen[0].body.empty());
    CHECK(seen[1].method == "POST");
    CHECK(seen[1].Header("Authorization") == "Bearer t0k");
    CHECK(seen[1].Header("Content-Type") == "application/json");
    CHECK(seen[1].Header("Expect").empty());
    CHECK(seen[1].body == R"({"token":"s3cret"})");
  }
  SECTION("every Set-Cookie is returned") {
    StatusOr<HttpResponse> r = transport.Send(HttpRequest{"GET", server.Url("/cookies"), {}, ""}, contract::Soon());
    REQUIRE(r.ok());
    CHECK(r->AllHeaders("Set-Cookie") == std::vector<std::string>{"a=1", "b=2"});
  }
  SECTION("error statuses are responses, not errors") {
    StatusOr<HttpResponse> r500 = transport.Send(HttpRequest{"GET", server.Url("/500"), {}, ""}, contract::Soon());
    REQUIRE(r500.ok());
    CHECK(r500->status == 500);
    CHECK(r500->body == "oops");
    StatusOr<HttpResponse> r429 = transport.Send(HttpRequest{"GET", server.Url("/429"), {}, ""}, contract::Soon());
    REQUIRE(r429.ok());
    CHECK(r429->status == 429);
    CHECK(r429->Header("Retry-After") == "7");
  }
  SECTION("redirects are returned, not followed") {
    StatusOr<HttpResponse> r =
        transport.Send(HttpRequest{"POST", server.Url("/302"), {{"Authorization", "Bearer x"}}, "{}"}, contract::Soon());
    REQUIRE(r.ok());
    CHECK(r->status == 302);
    CHECK(r->Header("Location") == "/echo");
    CHECK(server.seen().size() == 1);
  }
  SECTION("a response over 1 MiB is refused") {
    StatusOr<HttpResponse> r = transport.Send(HttpRequest{"GET", server.Url("/big"), {}, ""}, contract::Soon());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().message().find("response too large") != std::string::npos);
  }
  SECTION("a stalled server times out at the deadline") { contract::CheckTimesOut(transport, server.Url("/slow")); }
  SECTION("a trickling body ends at the deadline") { contract::CheckTimesOut(transport, server.Url("/trickle")); }
  SECTION("a deadline already past sends nothing") {
    StatusOr<HttpResponse> r =
        transport.Send(HttpRequest{"GET", server.Url("/echo"), {}, ""}, contract::Clock::now() - std::chrono::milliseconds(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().message().find("timed out") != std::string::npos);
    CHECK(server.seen().empty());
  }
}

}  // namespace dcu
