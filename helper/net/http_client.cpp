#include "helper/net/http_client.h"

#include "helper/net/url_policy.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

void LogAttempt(Log& log, const HttpRequest& request, const StatusOr<HttpResponse>& result,
                Clock::time_point start) {
  if (!log.debug()) return;
  long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  std::string outcome = result.ok() ? std::to_string(result->status) : "failed";
  log.Debug("http: " + request.method + " " + ShownUrl(request.url) + " -> " + outcome + " (" +
            std::to_string(ms) + " ms)");
}

// Puts the debug line on every attempt SendWithRetry makes.
class LoggedTransport : public HttpTransport {
 public:
  LoggedTransport(HttpTransport& inner, Log& log) : inner_(inner), log_(log) {}
  StatusOr<HttpResponse> Send(const HttpRequest& request, Clock::time_point deadline) override {
    Clock::time_point start = Clock::now();
    StatusOr<HttpResponse> result = inner_.Send(request, deadline);
    LogAttempt(log_, request, result, start);
    return result;
  }

 private:
  HttpTransport& inner_;
  Log& log_;
};

}  // namespace

StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request, Clock::time_point deadline) {
  Clock::time_point start = Clock::now();
  Status allowed = CheckUrlAllowed(request.url);
  if (!allowed.ok()) {
    LogAttempt(log_, request, allowed, start);
    return allowed;
  }
  if (!transport_) {
    StatusOr<std::unique_ptr<HttpTransport>> opened = open_();
    if (!opened.ok()) {
      LogAttempt(log_, request, opened.status(), start);
      return opened.status();
    }
    transport_ = std::move(*opened);
  }
  LoggedTransport logged(*transport_, log_);
  return SendWithRetry(logged, request, retry_, deadline);
}

}  // namespace dcu
