#include <catch2/catch.hpp>

#include <deque>

#include "helper/net/retry.h"

namespace dcu {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Replays scripted results and counts the attempts.
class ScriptedTransport : public HttpTransport {
 public:
  std::deque<StatusOr<HttpResponse>> script;
  int attempts = 0;

  StatusOr<HttpResponse> Send(const HttpRequest&, Clock::time_point) override {
    ++attempts;
    REQUIRE_FALSE(script.empty());
    StatusOr<HttpResponse> next = script.front();
    if (script.size() > 1) script.pop_front();  // the last one repeats
    return next;
  }
};

HttpResponse Response(int status, Headers headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = "body " + std::to_string(status);
  return r;
}

// A fake clock that only the fake sleep advances, so tests run instantly.
struct FakeTime {
  Clock::time_point now = Clock::time_point(std::chrono::hours(1));
  std::vector<milliseconds> sleeps;

  RetryPolicy Policy(double random = 1.0) {
    RetryPolicy p;
    p.sleep = [this](milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    p.random01 = [random] { return random; };
    p.now = [this] { return now; };
    p.wall_now = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(784111777)); };
    return p;
  }
  Clock::time_point In(milliseconds d) const { return now + d; }
};

// A transport whose attempts take time on the fake clock: each answers its
// scripted result after `takes`, or times out at the deadline.
class SlowTransport : public HttpTransport {
 public:
  SlowTransport(FakeTime& time, std::deque<StatusOr<HttpResponse>> script, milliseconds takes)
      : time_(time), script_(std::move(script)), takes_(takes) {}
  int attempts = 0;

  StatusOr<HttpResponse> Send(const HttpRequest&, Clock::time_point deadline) override {
    ++attempts;
    if (time_.now + takes_ >= deadline) {
      time_.now = deadline;
      return Status::Unavailable("POST x: timed out after 100 ms");
    }
    time_.now += takes_;
    StatusOr<HttpResponse> next = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return next;
  }

 private:
  FakeTime& time_;
  std::deque<StatusOr<HttpResponse>> script_;
  milliseconds takes_;
};

TEST_CASE("retry: a retry the deadline cuts short does not hide the answer before it", "[retry]") {
  // Found by the fault matrix (tests/e2e/fault_matrix_test.sh): with a 1 s
  // timeout a login answered 503 three times, the fourth attempt ran into
  // the deadline, and the user read "timed out" instead of "answered 503".
  FakeTime time;
  SlowTransport t(time, {Response(503)}, milliseconds(300));
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(0.5), time.In(milliseconds(1000)));
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(t.attempts == 3);

  // The same for an error: a certificate problem, then a timeout.
  FakeTime time2;
  SlowTransport t2(time2, {Status::Unavailable("POST x: SSL peer certificate was not OK")}, milliseconds(300));
  StatusOr<HttpResponse> e = SendWithRetry(t2, HttpRequest{}, time2.Policy(0.5), time2.In(milliseconds(1000)));
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().message().find("SSL peer certificate was not OK") != std::string::npos);
  CHECK(e.status().message().find("timed out") == std::string::npos);

  // A first attempt that times out is still reported as such.
  FakeTime time3;
  SlowTransport t3(time3, {Response(200)}, milliseconds(5000));
  StatusOr<HttpResponse> slow = SendWithRetry(t3, HttpRequest{}, time3.Policy(0.5), time3.In(milliseconds(1000)));
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.status().message().find("timed out") != std::string::npos);
  CHECK(t3.attempts == 1);
}

TEST_CASE("retry: 503, 503, 200 takes three attempts", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(503), Response(503), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(t.attempts == 3);
  // Full jitter with random01 = 1 is the ceiling: 200 ms, then 400 ms.
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(200), milliseconds(400)});
}

TEST_CASE("retry: jitter scales the backoff, which is capped", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(502)};
  FakeTime time;
  RetryPolicy p = time.Policy(0.5);
  p.max_attempts = 8;
  p.max_backoff = milliseconds(1000);
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, p, time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(r->status == 502);  // the last response, for the caller to word
  CHECK(t.attempts == 8);
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(100), milliseconds(200),
                                                 milliseconds(400), milliseconds(500),
                                                 milliseconds(500), milliseconds(500),
                                                 milliseconds(500)});
}

TEST_CASE("retry: client errors and successes are not retried", "[retry]") {
  for (int status : {200, 204, 301, 400, 401, 403, 404, 409}) {
    INFO(status);
    ScriptedTransport t;
    t.script = {Response(status), Response(200)};
    FakeTime time;
    StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
    REQUIRE(r.ok());
    CHECK(r->status == status);
    CHECK(t.attempts == 1);
    CHECK(time.sleeps.empty());
  }
}

TEST_CASE("retry: at most max_attempts, returning the last 5xx", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(500)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(r->body == "body 500");
  CHECK(t.attempts == 4);
  CHECK(time.sleeps.size() == 3);
}

TEST_CASE("retry: 429 honours Retry-After in seconds", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(429, {{"retry-after", "2"}}), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(t.attempts == 2);
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(2000)});
}

TEST_CASE("retry: Retry-After above the cap is capped", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(503, {{"Retry-After", "3600"}}), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(t.attempts == 2);
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(10000)});
}

TEST_CASE("retry: Retry-After as an HTTP date", "[retry]") {
  // wall_now is Sun, 06 Nov 1994 08:49:37 GMT (784111777).
  ScriptedTransport t;
  t.script = {Response(429, {{"Retry-After", "Sun, 06 Nov 1994 08:49:40 GMT"}}), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(3000)});

  auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  CHECK(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", wall) == milliseconds(0));
  CHECK(ParseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", wall) == milliseconds(0));
  CHECK(ParseRetryAfter("Mon, 07 Nov 1994 08:49:37 GMT", wall) == milliseconds(86400000));
  CHECK(ParseRetryAfter(" 5 ", wall) == milliseconds(5000));
  CHECK(ParseRetryAfter("", wall) == milliseconds(-1));
  CHECK(ParseRetryAfter("soon", wall) == milliseconds(-1));
  CHECK(ParseRetryAfter("-3", wall) == milliseconds(-1));
  CHECK(ParseRetryAfter("Sun, 06 Foo 1994 08:49:37 GMT", wall) == milliseconds(-1));
  CHECK(ParseRetryAfter("99999999999999999999", wall) == milliseconds(86400000));
}

TEST_CASE("retry: a Retry-After date centuries away is a day, not an overflow", "[retry]") {
  // system_clock counts nanoseconds: 9999 is past what it can hold, so the
  // difference must be taken in seconds and capped before converting.
  auto wall = std::chrono::system_clock::time_point(std::chrono::seconds(784111777));
  CHECK(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", wall) == milliseconds(86400000));
  CHECK(ParseRetryAfter("Sat, 01 Jan 2450 00:00:00 GMT", wall) == milliseconds(86400000));
  CHECK(ParseRetryAfter("Mon, 01 Jan 1601 00:00:00 GMT", wall) == milliseconds(0));
  CHECK(ParseRetryAfter("Thu, 01 Jan 1950 00:00:00 GMT", wall) == milliseconds(0));

  ScriptedTransport t;
  t.script = {Response(503, {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(10000)});  // max_retry_after
}

TEST_CASE("retry: a malformed Retry-After falls back to backoff", "[retry]") {
  ScriptedTransport t;
  t.script = {Response(503, {{"Retry-After", "later"}}), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE(r.ok());
  CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(200)});
}

TEST_CASE("retry: never sleeps past the deadline", "[retry]") {
  SECTION("backoff") {
    ScriptedTransport t;
    t.script = {Response(503)};
    FakeTime time;
    // Waits of 200 and 400 ms fit in 1 s; the next, 800 ms, would not.
    StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(1000)));
    REQUIRE(r.ok());
    CHECK(r->status == 503);
    CHECK(t.attempts == 3);
    CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(200), milliseconds(400)});
  }
  SECTION("Retry-After") {
    ScriptedTransport t;
    t.script = {Response(429, {{"Retry-After", "5"}}), Response(200)};
    FakeTime time;
    StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(3000)));
    REQUIRE(r.ok());
    CHECK(r->status == 429);
    CHECK(t.attempts == 1);
    CHECK(time.sleeps.empty());
  }
}

TEST_CASE("retry: connection errors are retried, then reported", "[retry]") {
  SECTION("recovers") {
    ScriptedTransport t;
    t.script = {Status::Unavailable("GET http://x/: Couldn't connect to server"), Response(200)};
    FakeTime time;
    StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
    REQUIRE(r.ok());
    CHECK(t.attempts == 2);
  }
  SECTION("gives up") {
    ScriptedTransport t;
    t.script = {Status::Unavailable("GET http://x/: Couldn't connect to server")};
    FakeTime time;
    StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().message() ==
          "GET http://x/: Couldn't connect to server (gave up after 4 attempts)");
    CHECK(t.attempts == 4);
  }
}

TEST_CASE("retry: other errors are returned at once", "[retry]") {
  ScriptedTransport t;
  t.script = {Status::InvalidInput("url: http is only allowed to ..."), Response(200)};
  FakeTime time;
  StatusOr<HttpResponse> r = SendWithRetry(t, HttpRequest{}, time.Policy(), time.In(milliseconds(60000)));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidInput);
  CHECK(t.attempts == 1);
}

}  // namespace
}  // namespace dcu
