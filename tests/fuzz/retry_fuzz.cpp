// How the client retries on servers' answers (status, Retry-After), through
// SendWithRetry with a clock that moves only when it sleeps. The input is
// scripted answers (tests/fuzz/scripted_http.h); a status of 600 or more
// stands for a failed connection.
//
// Properties: at most max_attempts sends; no wait past the deadline, none
// longer than the policy allows; only 5xx, 429 and failed connections are
// retried; the last answer is what the caller gets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "helper/net/retry.h"
#include "tests/fuzz/scripted_http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  dcu::FakeHttp fake;
  std::vector<int> statuses;  // what each send gets; 600: a failed connection
  const std::string separator = "\n%%\n";
  for (std::size_t start = 0; start <= input.size();) {
    std::size_t end = input.find(separator, start);
    if (end == std::string::npos) end = input.size();
    dcu::HttpResponse r = dcu::ParseScriptedAnswer(input.substr(start, end - start));
    statuses.push_back(r.status >= 600 ? 600 : r.status);
    if (r.status >= 600) {
      fake.FailToConnect();
    } else {
      fake.Respond(r.status, r.body, r.headers);
    }
    start = end + separator.size();
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::time_point() + std::chrono::hours(1);
  Clock::time_point now = start;
  const Clock::time_point deadline = start + std::chrono::seconds(30);
  dcu::RetryPolicy policy;
  policy.now = [&now]() { return now; };
  policy.wall_now = []() { return std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)); };
  policy.random01 = []() { return 0.999; };
  policy.sleep = [&](std::chrono::milliseconds wait) {
    if (wait.count() < 0 || wait > std::max(policy.max_backoff, policy.max_retry_after)) std::abort();
    now += wait;
    if (now >= deadline) std::abort();  // slept into the deadline
  };
  std::unique_ptr<dcu::HttpTransport> transport = fake.NewTransport();
  dcu::HttpRequest request;
  request.url = "https://api.upbound.io/v1/login";
  dcu::StatusOr<dcu::HttpResponse> result = dcu::SendWithRetry(*transport, request, policy, deadline);

  std::size_t sent = fake.requests().size();
  if (sent < 1 || sent > static_cast<std::size_t>(policy.max_attempts)) std::abort();
  // Only a retryable answer is followed by another send.
  for (std::size_t i = 0; i + 1 < sent && i < statuses.size(); ++i) {
    if (statuses[i] != 429 && statuses[i] < 500) std::abort();
  }
  // The caller gets the last answer.
  if (sent <= statuses.size()) {
    int last = statuses[sent - 1];
    if (result.ok() != (last != 600) || (result.ok() && result->status != last)) std::abort();
  }
  return 0;
}
