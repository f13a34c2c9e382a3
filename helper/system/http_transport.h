// HttpTransport: the one HTTP interface the platform implements (libcurl on
// Linux). The core sends only through net/http_client.h, which applies the
// URL policy and retries first; a transport just carries one request.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "helper/base/status.h"

namespace dcu {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;             // already allowed by CheckUrlAllowed
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
  // One attempt, following no redirect. Returns the response for any HTTP
  // status (4xx and 5xx included); Unavailable for connection, TLS and
  // timeout failures; InvalidInput for a request it cannot send (a header
  // with a line break, an unreadable CA bundle). Gives up at `deadline`.
  // Thread-safe.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request,
                                      std::chrono::steady_clock::time_point deadline) = 0;
};

struct HttpOptions {
  std::string extra_ca_pem;  // CA certificates (PEM text) trusted in addition to the system's
  std::chrono::milliseconds connect_timeout{5000};
  // The proxy variables of the environment main read, for a transport that
  // cannot read them itself (WinHTTP; libcurl reads its own and ignores
  // these). Each is the lower-case variable, else the upper-case one:
  // Windows names are case-insensitive, so HTTP_PROXY and http_proxy are
  // one variable there.
  std::string http_proxy;   // for http:// URLs
  std::string https_proxy;  // for https:// URLs
  std::string all_proxy;    // for either, when the scheme's own is unset
  std::string no_proxy;     // hosts reached directly, comma-separated
};

// The platform's transport. Creating one costs nothing: a library it needs
// (libcurl) is loaded on the first Send, so a process that never sends never
// loads it. Defined once, in platform/.
std::unique_ptr<HttpTransport> NewHttpTransport(const HttpOptions& options);

}  // namespace dcu
