// Which proxy a WinHTTP request goes through. The standard variables
// (HttpOptions: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) decide first,
// as libcurl's reading of them does on Linux; without them, the system's
// settings (the session's WINHTTP_ACCESS_TYPE_AUTOMATIC_PROXY) decide.
// Loopback is always reached directly. No Windows header: the rules are
// plain text matching.
#pragma once

#include <string>

#include "helper/base/status.h"
#include "helper/system/http_transport.h"

namespace dcu::win {

struct ProxyChoice {
  enum Kind { kSystem, kDirect, kNamed };
  Kind kind = kSystem;
  std::string server;    // kNamed: "host:port", as WINHTTP_PROXY_INFO wants it
  std::string shown;     // kNamed: the proxy as messages may show it (no user info)
  std::string username;  // kNamed: from the proxy URL's user info, decoded
  std::string password;  // may be a secret: the caller wipes it
};

// The proxy for a request to `host` (lower case, an IPv6 literal in
// brackets or not) over https or http. InvalidInput naming the variable
// for a proxy URL WinHTTP cannot use (a scheme other than http://, a bad
// host or port).
StatusOr<ProxyChoice> ChooseProxy(const HttpOptions& options, bool https, const std::string& host);

// Whether NO_PROXY's list reaches `host` directly, as libcurl reads it:
// "*" for every host; otherwise comma- or space-separated names, each
// matching itself and its subdomains (a leading dot changes nothing), and
// IP addresses, IPv4 ones with an optional /prefix.
bool NoProxyMatches(const std::string& no_proxy, const std::string& host);

// localhost (and *.localhost), 127.0.0.0/8 and ::1.
bool IsLoopbackHost(const std::string& host);

}  // namespace dcu::win
