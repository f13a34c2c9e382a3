// The HTTP seam: exchanges talk to Upbound through an HttpTransport, so
// tests can use a fake one and production a libcurl one loaded on demand.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "helper/status.h"

namespace dcu {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // https://..., or http:// to a loopback address
  Headers headers;             // e.g. {"Content-Type", "application/json"}
  std::string body;            // may hold a secret: never logged
};

struct HttpResponse {
  int status = 0;
  Headers headers;  // names as received; look them up case-insensitively
  std::string body;

  // The first header named `name` (any case), or "".
  std::string Header(const std::string& name) const;
  // Every header named `name` (any case), e.g. Set-Cookie.
  std::vector<std::string> AllHeaders(const std::string& name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One attempt. Returns the response for any HTTP status (4xx and 5xx
  // included); Unavailable for connection, TLS and timeout failures;
  // InvalidInput for a URL policy refuses. Gives up at `deadline`.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request,
                                      std::chrono::steady_clock::time_point deadline) = 0;
};

// Options of the real transport.
struct HttpOptions {
  std::string ca_bundle;  // extra CA file (PEM), added to the system's
  bool debug = false;     // diagnostics on stderr, never bodies or secrets
  std::chrono::milliseconds connect_timeout{5000};
};

// The libcurl transport (platform/curl_transport.cpp). libcurl is loaded with
// dlopen on the first Send, so a process that never sends never loads it.
std::unique_ptr<HttpTransport> NewCurlTransport(const HttpOptions& options);

// https, or http to 127.0.0.0/8, [::1] or localhost; anything else InvalidInput.
Status CheckUrlAllowed(const std::string& url);

}  // namespace dcu
