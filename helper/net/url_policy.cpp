#include "helper/net/url_policy.h"

#include <string_view>

#include "helper/base/host_port.h"
#include "helper/base/text.h"

namespace dcu {
namespace {

bool IsAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A decimal 0..255 with no leading zero: resolvers read "010" as octal and
// "0999" as a host name to look up, so only the plain form is trusted.
bool IsOctet(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  int value = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value <= 255;
}

// 127.0.0.0/8 written as a plain dotted quad.
bool IsLoopbackV4(std::string_view host) {
  if (host.substr(0, 4) != "127.") return false;
  std::string_view rest = host.substr(4);
  for (int i = 0; i < 3; ++i) {
    size_t dot = rest.find('.');
    std::string_view part = i < 2 ? rest.substr(0, dot) : rest;
    if (i < 2 && dot == std::string_view::npos) return false;
    if (!IsOctet(part)) return false;
    rest = i < 2 ? rest.substr(dot + 1) : std::string_view();
  }
  return true;
}

bool IsLoopbackHost(std::string_view host) {
  return EqualsIgnoreCase(host, "localhost") || host == "[::1]" ||
         host == "[0:0:0:0:0:0:0:1]" || IsLoopbackV4(host);
}

}  // namespace

Status CheckUrlAllowed(const std::string& url) {
  // Messages name the scheme and host only: a path or query may carry a
  // token, and userinfo is a password by definition.
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\') {
      return Status::InvalidInput("url: contains a space, control or non-ASCII character");
    }
  }
  size_t sep = url.find("://");
  if (sep == std::string::npos) return Status::InvalidInput("url: not an absolute http(s) URL");
  std::string_view scheme = std::string_view(url).substr(0, sep);
  std::string scheme_lower = ToLower(scheme);
  for (char c : scheme) {
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') {
      return Status::InvalidInput("url: not an absolute http(s) URL");
    }
  }
  std::string_view rest = std::string_view(url).substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // Scheme and host only; ShownUrl drops everything up to the last '@'.
  std::string redacted = ShownUrl(url);
  std::string_view after_scheme = std::string_view(redacted).substr(redacted.find("://") + 3);
  std::string shown = scheme_lower + "://" + std::string(after_scheme.substr(0, after_scheme.find('/')));

  if (scheme_lower != "https" && scheme_lower != "http") {
    return Status::InvalidInput("url: only https (or http to a loopback address) is allowed: " +
                                shown);
  }
  // An '@' before the path is user info to one parser, and to another the
  // end of a query or fragment that moves the host ("h#@evil").
  if (rest.substr(0, rest.find('/')).find('@') != std::string_view::npos) {
    return Status::InvalidInput("url: user info is not allowed: " + shown);
  }
  // The same parser as registry keys, so the host checked here is the host
  // libcurl connects to.
  StatusOr<HostPort> parsed = ParseHostPort(authority);
  if (!parsed.ok()) return Status::InvalidInput("url: malformed host or port: " + shown);
  if (scheme_lower == "http" && !IsLoopbackHost(parsed->host)) {
    return Status::InvalidInput(
        "url: http is only allowed to 127.0.0.0/8, [::1] or localhost; use https: " + shown);
  }
  return Status::Ok();
}

}  // namespace dcu
