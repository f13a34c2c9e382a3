// The libcurl HttpTransport. One easy handle per Send: the helper makes one
// exchange per process, so connection reuse would buy nothing and a fresh
// handle carries no state (cookies, auth) from one request to the next.
// Send is thread-safe: calls share nothing but the loaded library table.
// The URL policy and the debug lines are the core's (helper/net/http_client.h).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "helper/base/text.h"
#include "helper/base/wipe.h"
#include "helper/net/url_policy.h"
#include "helper/system/http_transport.h"
#include "platform/curl/curl_loader.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxBody = 1 << 20;     // a token response is a few KiB
constexpr size_t kMaxHeaders = 1 << 20;  // all header lines together
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

struct Received {
  HttpResponse response;
  size_t header_bytes = 0;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  std::string& body = received->response.body;
  size_t n = size * count;
  if (body.size() + n > kMaxBody) {
    received->too_large = true;
    return 0;  // makes curl_easy_perform fail with CURLE_WRITE_ERROR
  }
  AppendWiping(body, data, n);  // the body is usually a token
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* received = static_cast<Received*>(user);
  size_t n = size * count;
  received->header_bytes += n;
  if (received->header_bytes > kMaxHeaders) {
    received->too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  Headers& headers = received->response.headers;
  if (line.substr(0, 5) == "HTTP/") {
    // A status line starts a response; after a 100 Continue or a proxy's
    // CONNECT reply only the final response's headers are the caller's.
    headers.clear();
  } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
    // Obsolete line folding: continues the previous header's value.
    if (!headers.empty()) headers.back().second += " " + std::string(TrimSpace(line));
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(std::string(line.substr(0, colon)),
                         std::string(TrimSpace(line.substr(colon + 1))));
  }
  return n;
}

// The system's CAs plus the extra ones. CURLOPT_CAINFO_BLOB replaces the
// default CA file rather than adding to it, so both go into the blob. The
// system bundle is the platform's own file, read here.
std::string CaBlob(const std::string& extra_pem) {
  std::ifstream in(kSystemCaBundle, std::ios::binary);
  std::ostringstream system;
  if (in) system << in.rdbuf();
  std::string blob = system.str();
  if (!blob.empty() && blob.back() != '\n') blob += '\n';
  return blob + extra_pem;
}

// The easy handle and header list, released together.
class Handle {
 public:
  explicit Handle(const LibCurl* lib) : lib_(lib), easy_(lib->easy_init()) {}
  ~Handle() {
    if (easy_ != nullptr) lib_->easy_cleanup(easy_);
    if (headers_ != nullptr) lib_->slist_free_all(headers_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  CURL* easy() const { return easy_; }
  // Sets an option, remembering the first failure: an option libcurl
  // refuses (e.g. PROTOCOLS_STR before 7.85) must fail the request, not
  // silently weaken it.
  template <typename T>
  void Set(CURLoption option, T value) {
    CURLcode code = lib_->easy_setopt(easy_, option, value);
    if (code != CURLE_OK && first_error_ == CURLE_OK) first_error_ = code;
  }
  CURLcode first_error() const { return first_error_; }
  void AddHeader(const std::string& line) { headers_ = lib_->slist_append(headers_, line.c_str()); }
  curl_slist* headers() const { return headers_; }

 private:
  const LibCurl* lib_;
  CURL* easy_;
  curl_slist* headers_ = nullptr;
  CURLcode first_error_ = CURLE_OK;
};

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(HttpOptions options) : options_(std::move(options)) {}

  StatusOr<HttpResponse> Send(const HttpRequest& request, Clock::time_point deadline) override {
    if (request.method != "GET" && request.method != "POST") {
      return Status::InvalidInput("http: unsupported method " + request.method);
    }
    const std::string context = request.method + " " + ShownUrl(request.url);
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
          name.find(':') != std::string::npos) {
        return Status::InvalidInput(context + ": malformed request header");
      }
    }
    std::string ca_blob = options_.extra_ca_pem.empty() ? "" : CaBlob(options_.extra_ca_pem);
    milliseconds left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (deadline <= Clock::now()) return Status::Unavailable(context + ": timed out before sending");
    left = std::max(left, milliseconds(1));

    std::string error;
    const LibCurl* lib = LoadLibCurl(&error);
    if (lib == nullptr) return Status::Unavailable("http: " + error);
    Handle handle(lib);
    if (handle.easy() == nullptr) return Status::Unavailable(context + ": curl_easy_init failed");

    Received received;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    handle.Set(CURLOPT_URL, request.url.c_str());
    handle.Set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we may be one thread of many
    handle.Set(CURLOPT_PROTOCOLS_STR, "http,https");
    handle.Set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // A redirect could carry the request, and its Authorization header or
    // body, to a host the core's URL policy never saw.
    handle.Set(CURLOPT_FOLLOWLOCATION, 0L);
    handle.Set(CURLOPT_SSL_VERIFYPEER, 1L);
    handle.Set(CURLOPT_SSL_VERIFYHOST, 2L);
    handle.Set(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    handle.Set(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    curl_blob blob{ca_blob.data(), ca_blob.size(), CURL_BLOB_COPY};
    if (!ca_blob.empty()) handle.Set(CURLOPT_CAINFO_BLOB, &blob);
    handle.Set(CURLOPT_CONNECTTIMEOUT_MS,
               static_cast<long>(std::min(options_.connect_timeout, left).count()));
    handle.Set(CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    handle.Set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    handle.Set(CURLOPT_ERRORBUFFER, error_buffer);
    handle.Set(CURLOPT_WRITEFUNCTION, &OnBody);
    handle.Set(CURLOPT_WRITEDATA, static_cast<void*>(&received));
    handle.Set(CURLOPT_HEADERFUNCTION, &OnHeader);
    handle.Set(CURLOPT_HEADERDATA, static_cast<void*>(&received));
    for (const auto& [name, value] : request.headers) {
      // "Name;" is curl's spelling of a header with an empty value.
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      handle.AddHeader(line);
      Wipe(line);
    }
    if (request.method == "POST") {
      handle.AddHeader("Expect:");  // no 100-continue round trip
      handle.Set(CURLOPT_POST, 1L);
      handle.Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      handle.Set(CURLOPT_POSTFIELDS, request.body.data());
    } else {
      handle.Set(CURLOPT_HTTPGET, 1L);
    }
    handle.Set(CURLOPT_HTTPHEADER, handle.headers());
    if (handle.first_error() != CURLE_OK) {
      return Status::Unavailable(context + ": libcurl refused an option: " +
                                 lib->easy_strerror(handle.first_error()));
    }

    Clock::time_point sent = Clock::now();
    CURLcode code = lib->easy_perform(handle.easy());
    if (received.too_large) return Status::Unavailable(context + ": response too large");
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return Status::Unavailable(context + ": timed out after " +
                                 std::to_string(TimeSince(sent)) + " ms");
    }
    if (code != CURLE_OK) {
      std::string detail = lib->easy_strerror(code);
      // For certificate problems the error buffer says which one (e.g.
      // "self-signed certificate"), and holds no request data.
      if ((code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
           code == CURLE_SSL_CACERT_BADFILE) && error_buffer[0] != '\0') {
        detail += " (" + std::string(error_buffer) + ")";
      }
      return Status::Unavailable(context + ": " + detail);
    }
    long status = 0;
    lib->easy_getinfo(handle.easy(), CURLINFO_RESPONSE_CODE, &status);
    received.response.status = static_cast<int>(status);
    return std::move(received.response);
  }


 private:
  static long TimeSince(Clock::time_point t) {
    return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - t).count());
  }

  HttpOptions options_;
};

}  // namespace

std::unique_ptr<HttpTransport> NewHttpTransport(const HttpOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace dcu
