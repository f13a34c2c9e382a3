// Retrying an HTTP exchange: a flaky network or a busy server should cost
// the user a short wait, not a failed `docker pull`.
#pragma once

#include <chrono>
#include <functional>

#include "helper/system/http_transport.h"
#include "helper/base/status.h"

namespace dcu {

struct RetryPolicy {
  int max_attempts = 4;  // attempts in all, the first included
  // Full-jitter exponential backoff: before retry n (1-based) the wait is
  // random01() * min(max_backoff, base_backoff * 2^(n-1)).
  std::chrono::milliseconds base_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  // A 429 or 503 with Retry-After waits that long instead, at most this.
  std::chrono::milliseconds max_retry_after{10000};

  // Seams for tests; empty means the real thing (std::this_thread::sleep_for,
  // a seeded std::mt19937, steady_clock::now, system_clock::now).
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> random01;  // uniform in [0, 1)
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<std::chrono::system_clock::time_point()> wall_now;  // HTTP-date Retry-After
};

// Sends `request` through `transport`, retrying connection failures
// (Unavailable), 5xx and 429, and nothing else. Never sleeps past `deadline`:
// when the next wait would reach it, returns the last result at once.
//
// Returns the final response whatever its status (a 5xx after the last
// attempt included; the caller words the error), or the last Unavailable
// with "(gave up after N attempts)" appended, or a non-retryable error as is.
// A retry that fails at the deadline (timed out) does not replace the result
// before it: "answered 503" says more than "timed out".
StatusOr<HttpResponse> SendWithRetry(HttpTransport& transport, const HttpRequest& request,
                                     const RetryPolicy& policy,
                                     std::chrono::steady_clock::time_point deadline);

// The wait a Retry-After value asks for: delta-seconds or an IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT") relative to `now`, at most a day
// (whatever the number or the year). Negative if absent or malformed; zero
// for a date in the past.
std::chrono::milliseconds ParseRetryAfter(const std::string& value,
                                          std::chrono::system_clock::time_point now);

}  // namespace dcu
