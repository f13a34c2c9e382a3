// The WinHTTP HttpTransport: the curl transport's behaviour (limits,
// wording, no redirects) on Windows' own HTTP stack, so TLS is verified by
// the system's certificate store and the system's proxy settings apply.
// Sessions opened on the first Send that needs one; one connection and
// request per Send (no keep-alive, no cookies), synchronous.
// The URL policy and the debug lines are the core's (helper/net/http_client.h).
#include <windows.h>
#include <winhttp.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"
#include "helper/system/http_transport.h"
#include "platform/windows/wide.h"
#include "platform/windows/winhttp_errors.h"
#include "platform/windows/winhttp_proxy.h"
#include "platform/windows/winhttp_response.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kMaxBody = 1 << 20;  // the curl transport's limit (headers: winhttp_response.h)
constexpr DWORD kReadChunk = 16384;

// WinHTTP offers no supported hook that verifies the server's chain against
// extra roots before the request's bytes (which may carry a token) leave:
// its SENDING_REQUEST callback runs after the request is built and, under
// wine at least, closing the handle there does not stop the send.
constexpr const char* kNoCaBundle =
    "UP_CA_BUNDLE is not supported on Windows: import the CA into the Windows certificate store "
    "(certutil -user -addstore Root FILE) and unset UP_CA_BUNDLE";

class Handle {
 public:
  explicit Handle(HINTERNET handle) : handle_(handle) {}
  ~Handle() {
    if (handle_ != nullptr) WinHttpCloseHandle(handle_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HINTERNET get() const { return handle_; }

 private:
  HINTERNET handle_;
};

void WipeWide(std::wstring& s) {
  WipeBytes(s.data(), s.size() * sizeof(wchar_t));
  s.clear();
}

void CALLBACK OnStatus(HINTERNET, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  if (status == WINHTTP_CALLBACK_STATUS_SECURE_FAILURE && context != 0 && info != nullptr &&
      length >= sizeof(DWORD)) {
    reinterpret_cast<win::Observed*>(context)->secure_failure |= *static_cast<const DWORD*>(info);
  }
}

// The proxy's parts came from a UTF-8 environment; one that is not UTF-8
// becomes "", which WinHTTP then refuses.
std::wstring WideOrEmpty(const std::string& text) {
  StatusOr<std::wstring> wide = win::Wide(text, "");
  return wide.ok() ? std::move(*wide) : std::wstring();
}

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

DWORD MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return static_cast<DWORD>(std::clamp<long long>(left, 1, INT_MAX));
}

// Every blocking step gets only the time left: WinHTTP's timeouts are per
// step, the caller's deadline is for the whole exchange.
bool Arm(HINTERNET request, Clock::time_point deadline, milliseconds connect_timeout) {
  int left = static_cast<int>(MsLeft(deadline));
  int connect = static_cast<int>(std::min<long long>(left, std::max<long long>(connect_timeout.count(), 1)));
  DWORD response = static_cast<DWORD>(left);
  return WinHttpSetTimeouts(request, left, connect, left, left) &&
         WinHttpSetOption(request, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &response, sizeof response);
}

bool SetDword(HINTERNET handle, DWORD option, DWORD value) {
  return WinHttpSetOption(handle, option, &value, sizeof value);
}

class WinHttpTransport : public HttpTransport {
 public:
  explicit WinHttpTransport(HttpOptions options) : options_(std::move(options)) {}
  ~WinHttpTransport() override {
    for (auto& [key, session] : sessions_) WinHttpCloseHandle(session);
  }

  StatusOr<HttpResponse> Send(const HttpRequest& request, Clock::time_point deadline) override {
    if (request.method != "GET" && request.method != "POST") {
      return Status::InvalidInput("http: unsupported method " + request.method);
    }
    const std::string context = request.method + " " + ShownUrl(request.url);
    for (const auto& [name, value] : request.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value) || name.find(':') != std::string::npos) {
        return Status::InvalidInput(context + ": malformed request header");
      }
    }
    if (!options_.extra_ca_pem.empty()) return Status::InvalidInput(kNoCaBundle);
    if (deadline <= Clock::now()) return Status::Unavailable(context + ": timed out before sending");

    StatusOr<std::wstring> url = win::Wide(request.url, context);
    if (!url.ok()) return url.status();
    URL_COMPONENTS parts{};
    parts.dwStructSize = sizeof parts;
    parts.dwSchemeLength = parts.dwHostNameLength = parts.dwUrlPathLength = parts.dwExtraInfoLength =
        static_cast<DWORD>(-1);
    if (!WinHttpCrackUrl(url->c_str(), static_cast<DWORD>(url->size()), 0, &parts) ||
        (parts.nScheme != INTERNET_SCHEME_HTTP && parts.nScheme != INTERNET_SCHEME_HTTPS)) {
      return Status::InvalidInput(context + ": malformed URL");
    }
    const bool https = parts.nScheme == INTERNET_SCHEME_HTTPS;
    std::wstring host(parts.lpszHostName, parts.dwHostNameLength);
    std::wstring path(parts.lpszUrlPath, parts.dwUrlPathLength);
    std::wstring extra(parts.lpszExtraInfo, parts.dwExtraInfoLength);
    extra = extra.substr(0, extra.find(L'#'));  // a fragment is never sent
    path = (path.empty() ? L"/" : path) + extra;

    StatusOr<win::ProxyChoice> proxy = win::ChooseProxy(options_, https, ToLower(win::Narrow(host)));
    if (!proxy.ok()) return proxy.status();
    struct WipeProxy {
      win::ProxyChoice& p;
      ~WipeProxy() { Wipe(p.password); }
    } wipe_proxy{*proxy};

    StatusOr<HINTERNET> session = Session(*proxy);
    if (!session.ok()) return session.status();
    Handle connection(WinHttpConnect(*session, host.c_str(), parts.nPort, 0));
    if (connection.get() == nullptr) return Status::Unavailable(context + ": " + win::WinHttpErrorText(GetLastError()));
    std::wstring method = request.method == "POST" ? L"POST" : L"GET";
    Handle handle(WinHttpOpenRequest(connection.get(), method.c_str(), path.c_str(), nullptr, WINHTTP_NO_REFERER,
                                     WINHTTP_DEFAULT_ACCEPT_TYPES, https ? WINHTTP_FLAG_SECURE : 0));
    if (handle.get() == nullptr) return Status::Unavailable(context + ": " + win::WinHttpErrorText(GetLastError()));
    win::Observed observed;
    observed.proxied = proxy->kind == win::ProxyChoice::kNamed;
    if (Status s = Configure(handle.get(), &observed); !s.ok()) {
      return Status::Unavailable(context + ": " + s.message());
    }

    std::wstring lines;
    bool has_accept = false;
    for (const auto& [name, value] : request.headers) {
      has_accept = has_accept || EqualsIgnoreCase(name, "Accept");
      StatusOr<std::wstring> line = win::Wide(name + ": " + value + "\r\n", context + ": request header");
      if (!line.ok()) return line.status();
      lines += *line;
      WipeWide(*line);
    }
    if (!has_accept) lines = L"Accept: */*\r\n" + lines;  // libcurl's default
    BOOL added = WinHttpAddRequestHeaders(handle.get(), lines.c_str(), static_cast<DWORD>(lines.size()),
                                          WINHTTP_ADDREQ_FLAG_ADD);
    DWORD add_error = GetLastError();
    WipeWide(lines);
    if (!added) return Status::InvalidInput(context + ": malformed request header (" + win::WinHttpErrorText(add_error) + ")");

    if (!Arm(handle.get(), deadline, options_.connect_timeout)) {
      return Status::Unavailable(context + ": cannot set timeouts: " + win::WinHttpErrorText(GetLastError()));
    }
    Clock::time_point sent = Clock::now();
    void* body = request.body.empty() ? WINHTTP_NO_REQUEST_DATA : const_cast<char*>(request.body.data());
    DWORD length = static_cast<DWORD>(request.body.size());
    HttpResponse response;
    for (bool answered_proxy = false;; answered_proxy = true) {
      if (!WinHttpSendRequest(handle.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, body, length, length, 0)) {
        return win::Failure(GetLastError(), context, observed, sent);
      }
      if (!Arm(handle.get(), deadline, options_.connect_timeout) || !WinHttpReceiveResponse(handle.get(), nullptr)) {
        return win::Failure(GetLastError(), context, observed, sent);
      }
      if (Status s = win::ReadHead(handle.get(), &response); !s.ok()) return Status::Unavailable(context + ": " + s.message());
      // The proxy URL's user info answers the proxy's challenge, once, as
      // libcurl does; a second 407 is the caller's.
      if (response.status != 407 || answered_proxy || proxy->username.empty() || !AnswerProxy(handle.get(), *proxy)) {
        break;
      }
      if (!Arm(handle.get(), deadline, options_.connect_timeout)) {
        return win::Failure(ERROR_WINHTTP_TIMEOUT, context, observed, sent);
      }
    }
    if (response.status > 100 && response.status < 200) {
      // An interim response other than 100 Continue (which WinHTTP skips),
      // e.g. 103 Early Hints: only the final response is the caller's. Wine
      // returns the 103 as final, with the rest of the stream as its body:
      // refused rather than misread.
      if (!Arm(handle.get(), deadline, options_.connect_timeout) || !WinHttpReceiveResponse(handle.get(), nullptr) ||
          !win::ReadHead(handle.get(), &response).ok() || (response.status >= 100 && response.status < 200)) {
        return Status::Unavailable(context + ": Weird server reply (an interim response without a final one)");
      }
    }

    char chunk[kReadChunk];
    Status read = Status::Ok();
    for (;;) {
      if (Clock::now() >= deadline) {
        read = win::Failure(ERROR_WINHTTP_TIMEOUT, context, observed, sent);
        break;
      }
      // Ask what is there, then read only that: one WinHttpReadData may wait
      // to fill its buffer from a trickling server, past the deadline.
      DWORD available = 0;
      if (!Arm(handle.get(), deadline, options_.connect_timeout) ||
          !WinHttpQueryDataAvailable(handle.get(), &available)) {
        read = win::Failure(GetLastError(), context, observed, sent);
        break;
      }
      if (available == 0) break;
      DWORD got = 0;
      if (!WinHttpReadData(handle.get(), chunk, std::min(available, kReadChunk), &got)) {
        read = win::Failure(GetLastError(), context, observed, sent);
        break;
      }
      if (got == 0) break;
      if (response.body.size() + got > kMaxBody) {
        read = Status::Unavailable(context + ": response too large");
        break;
      }
      AppendWiping(response.body, chunk, got);  // the body is usually a token
    }
    WipeBytes(chunk, sizeof chunk);
    if (read.ok() && win::Truncated(response)) read = Status::Unavailable(context + ": Transferred a partial file");
    if (!read.ok()) {
      Wipe(response.body);
      return read;
    }
    return response;
  }

 private:
  // One session per way out, opened on first use: the system's settings,
  // direct, or one named proxy. The proxy is the session's (WinHttpOpen)
  // rather than each request's (WINHTTP_OPTION_PROXY), which wine ignores.
  StatusOr<HINTERNET> Session(const win::ProxyChoice& proxy) {
    std::wstring key = proxy.kind == win::ProxyChoice::kSystem   ? L"system"
                       : proxy.kind == win::ProxyChoice::kDirect ? L"direct"
                                                                 : L"proxy " + WideOrEmpty(proxy.server);
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = sessions_.find(key); it != sessions_.end()) return it->second;
    HINTERNET session = nullptr;
    // No agent string: libcurl sends no User-Agent either.
    if (proxy.kind == win::ProxyChoice::kSystem) {
      // AUTOMATIC_PROXY (Windows 8.1 and later) follows the system's
      // settings, PAC and WPAD included; DEFAULT_PROXY (WinHTTP's own,
      // netsh winhttp) where it is missing.
      session = WinHttpOpen(nullptr, WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY, WINHTTP_NO_PROXY_NAME,
                            WINHTTP_NO_PROXY_BYPASS, 0);
      if (session == nullptr) {
        session = WinHttpOpen(nullptr, WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, WINHTTP_NO_PROXY_NAME,
                              WINHTTP_NO_PROXY_BYPASS, 0);
      }
    } else if (proxy.kind == win::ProxyChoice::kDirect) {
      session = WinHttpOpen(nullptr, WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
    } else {
      std::wstring server = WideOrEmpty(proxy.server);
      session = WinHttpOpen(nullptr, WINHTTP_ACCESS_TYPE_NAMED_PROXY, server.c_str(), WINHTTP_NO_PROXY_BYPASS, 0);
    }
    if (session == nullptr) return Status::Unavailable("http: WinHttpOpen failed: " + win::WinHttpErrorText(GetLastError()));
    // TLS 1.2 and 1.3, as libcurl's defaults; 1.2 alone where 1.3 is unknown.
    if (!SetDword(session, WINHTTP_OPTION_SECURE_PROTOCOLS,
                  WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 | WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_3)) {
      SetDword(session, WINHTTP_OPTION_SECURE_PROTOCOLS, WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2);
    }
    sessions_.emplace(key, session);
    return session;
  }

  // Everything a request needs set before it is sent. Failing to turn off
  // redirects fails the request: it must not silently go elsewhere.
  Status Configure(HINTERNET request, win::Observed* observed) {
    // A redirect could carry the request, and its Authorization header or
    // body, to a host the core's URL policy never saw.
    if (!SetDword(request, WINHTTP_OPTION_DISABLE_FEATURE,
                  WINHTTP_DISABLE_REDIRECTS | WINHTTP_DISABLE_COOKIES | WINHTTP_DISABLE_KEEP_ALIVE)) {
      return Status::Unavailable("cannot turn off redirects: " + win::WinHttpErrorText(GetLastError()));
    }
    SetDword(request, WINHTTP_OPTION_REDIRECT_POLICY, WINHTTP_OPTION_REDIRECT_POLICY_NEVER);
    // Never the user's Windows logon (NTLM, Kerberos) to a server that asks.
    SetDword(request, WINHTTP_OPTION_AUTOLOGON_POLICY, WINHTTP_AUTOLOGON_SECURITY_LEVEL_HIGH);
    SetDword(request, WINHTTP_OPTION_MAX_RESPONSE_HEADER_SIZE, static_cast<DWORD>(win::kMaxHeaders));
    // The status callback only records which certificate check failed.
    DWORD_PTR context = reinterpret_cast<DWORD_PTR>(observed);
    if (!WinHttpSetOption(request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof context) ||
        WinHttpSetStatusCallback(request, OnStatus, WINHTTP_CALLBACK_FLAG_SECURE_FAILURE, 0) ==
            WINHTTP_INVALID_STATUS_CALLBACK) {
      return Status::Unavailable("cannot watch TLS failures: " + win::WinHttpErrorText(GetLastError()));
    }
    return Status::Ok();
  }

  // Sets the proxy's credentials in the strongest scheme both sides know.
  static bool AnswerProxy(HINTERNET request, const win::ProxyChoice& proxy) {
    DWORD schemes = 0, first = 0, target = 0;
    if (!WinHttpQueryAuthSchemes(request, &schemes, &first, &target) || target != WINHTTP_AUTH_TARGET_PROXY) {
      return false;
    }
    DWORD scheme = 0;
    for (DWORD candidate : {WINHTTP_AUTH_SCHEME_NEGOTIATE, WINHTTP_AUTH_SCHEME_NTLM, WINHTTP_AUTH_SCHEME_DIGEST,
                            WINHTTP_AUTH_SCHEME_BASIC}) {
      if ((schemes & candidate) != 0) {
        scheme = candidate;
        break;
      }
    }
    if (scheme == 0) return false;
    std::wstring user = WideOrEmpty(proxy.username);
    std::wstring password = WideOrEmpty(proxy.password);
    bool ok = WinHttpSetCredentials(request, WINHTTP_AUTH_TARGET_PROXY, scheme, user.c_str(), password.c_str(), nullptr);
    WipeWide(password);
    return ok;
  }

  const HttpOptions options_;
  std::mutex mu_;
  std::map<std::wstring, HINTERNET> sessions_;
};

}  // namespace

std::unique_ptr<HttpTransport> NewHttpTransport(const HttpOptions& options) {
  return std::make_unique<WinHttpTransport>(options);
}

}  // namespace dcu
