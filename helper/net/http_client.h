// The core's one send path. Every request passes the URL policy before any
// transport sees it, is retried as RetryPolicy says, and with debugging on
// leaves one line per attempt (method, URL without query or user info,
// outcome, time; never a header or a body).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "helper/base/log.h"
#include "helper/base/status.h"
#include "helper/net/retry.h"
#include "helper/system/http_transport.h"

namespace dcu {

class HttpClient {
 public:
  // Opens the transport; called on the first request that passes the policy.
  using Opener = std::function<StatusOr<std::unique_ptr<HttpTransport>>()>;

  HttpClient(Opener open, RetryPolicy retry, Log& log)
      : open_(std::move(open)), retry_(std::move(retry)), log_(log) {}

  // InvalidInput for a URL the policy refuses (nothing is sent); otherwise
  // what SendWithRetry returns.
  StatusOr<HttpResponse> Send(const HttpRequest& request, std::chrono::steady_clock::time_point deadline);

 private:
  Opener open_;
  RetryPolicy retry_;
  Log& log_;
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace dcu
