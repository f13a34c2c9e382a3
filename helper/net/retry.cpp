#include "helper/net/retry.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

#include "helper/net/http_date.h"
#include "helper/base/text.h"

namespace dcu {
namespace {

using std::chrono::milliseconds;

// An attempt that fails this close to the deadline was ended by it (the
// transport gives up at the deadline, to the millisecond).
constexpr milliseconds kCutShort{20};

bool IsRetryable(const StatusOr<HttpResponse>& result) {
  if (!result.ok()) return result.status().code() == Code::kUnavailable;
  return result->status == 429 || (result->status >= 500 && result->status <= 599);
}

double RealRandom01() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// Full jitter (AWS "Exponential Backoff and Jitter"): spreads the retries of
// many clients hit by the same outage instead of synchronising them.
milliseconds Backoff(int retry, const RetryPolicy& policy, double random01) {
  double ceiling = static_cast<double>(policy.base_backoff.count());
  double cap = static_cast<double>(policy.max_backoff.count());
  for (int i = 1; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  random01 = std::clamp(random01, 0.0, 1.0);
  return milliseconds(static_cast<int64_t>(random01 * ceiling));
}

bool ParseNumber(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// "N attempt(s)" wording for the give-up message.
std::string Attempts(int n) {
  return std::to_string(n) + (n == 1 ? " attempt" : " attempts");
}

}  // namespace

milliseconds ParseRetryAfter(const std::string& value, std::chrono::system_clock::time_point now) {
  // Anything past a day is as good as "too long"; capping in seconds keeps
  // the arithmetic far from overflow.
  constexpr int64_t kDay = 86400;
  std::string_view v = TrimSpace(value);
  int64_t seconds = 0;
  if (!v.empty() && std::all_of(v.begin(), v.end(), IsDigit)) {
    if (v.size() > 6) return milliseconds(kDay * 1000);
    if (!ParseNumber(v, &seconds)) return milliseconds(-1);
    return milliseconds(std::min(seconds, kDay) * 1000);
  }
  std::optional<int64_t> when = ParseHttpDate(v);
  if (!when) return milliseconds(-1);
  // In seconds: system_clock counts nanoseconds and holds only +-292
  // years, so a date in 9999 cannot become a time_point. *when is within
  // +-2.6e11 (http_date.h), now_s is a real clock: the difference fits.
  int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  int64_t wait = *when - now_s;
  if (wait <= 0) return milliseconds(0);
  if (wait >= kDay) return milliseconds(kDay * 1000);
  // Sub-second precision of now, so that "3 seconds from now" is 3000 ms.
  auto exact = std::chrono::system_clock::time_point(std::chrono::seconds(*when)) - now;
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(exact));
}

StatusOr<HttpResponse> SendWithRetry(HttpTransport& transport, const HttpRequest& request,
                                     const RetryPolicy& policy,
                                     std::chrono::steady_clock::time_point deadline) {
  auto now = [&policy] {
    return policy.now ? policy.now() : std::chrono::steady_clock::now();
  };
  int max_attempts = std::max(1, policy.max_attempts);
  int attempt = 1;
  StatusOr<HttpResponse> result = transport.Send(request, deadline);
  while (IsRetryable(result) && attempt < max_attempts) {
    milliseconds wait = Backoff(attempt, policy, policy.random01 ? policy.random01() : RealRandom01());
    if (result.ok() && (result->status == 429 || result->status == 503)) {
      auto wall = policy.wall_now ? policy.wall_now() : std::chrono::system_clock::now();
      milliseconds asked = ParseRetryAfter(result->Header("Retry-After"), wall);
      if (asked.count() >= 0) wait = std::min(asked, policy.max_retry_after);
    }
    // A wait that ends at the deadline leaves no time to send: stop now and
    // let the caller report the last result rather than a timeout.
    if (now() + wait >= deadline) break;
    if (policy.sleep) {
      policy.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
    ++attempt;
    StatusOr<HttpResponse> next = transport.Send(request, deadline);
    // A retry that the deadline cut short says only "timed out": the result
    // before it (a 503, a certificate error) is what the user must see.
    if (!next.ok() && next.status().code() == Code::kUnavailable && now() + kCutShort >= deadline) break;
    result = std::move(next);
  }
  if (!result.ok() && result.status().code() == Code::kUnavailable) {
    return Status::Unavailable(result.status().message() + " (gave up after " + Attempts(attempt) +
                               ")");
  }
  return result;
}

}  // namespace dcu
