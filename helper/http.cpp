#include "helper/http.h"

#include <string_view>

#include "helper/text.h"

namespace dcu {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

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

// Characters a host may hold here. Anything else (a backslash, a space,
// percent-encoding) is where URL parsers disagree, and libcurl must connect
// to exactly the host this check approved.
bool IsHostChar(char c) { return IsAlnum(c) || c == '-' || c == '.' || c == '_'; }

bool IsValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  long value = 0;
  for (char c : port) {
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

// Splits "host[:port]" or "[v6][:port]"; false if malformed.
bool SplitHostPort(std::string_view authority, std::string_view* host) {
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    *host = authority.substr(0, close + 1);
    for (char c : host->substr(1, close - 1)) {
      bool hex = IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return false;
    }
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      has_port = true;
      port = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.find(':');
    *host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
    for (char c : *host) {
      if (!IsHostChar(c)) return false;
    }
  }
  if (host->empty() || *host == "[]") return false;
  return !has_port || IsValidPort(port);
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::vector<std::string> HttpResponse::AllHeaders(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) out.push_back(value);
  }
  return out;
}

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
  size_t at = authority.rfind('@');
  std::string_view after_userinfo = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::string shown = scheme_lower + "://" + std::string(after_userinfo);

  if (scheme_lower != "https" && scheme_lower != "http") {
    return Status::InvalidInput("url: only https (or http to a loopback address) is allowed: " +
                                shown);
  }
  if (at != std::string_view::npos) {
    return Status::InvalidInput("url: user info is not allowed: " + shown);
  }
  std::string_view host;
  if (!SplitHostPort(authority, &host)) {
    return Status::InvalidInput("url: malformed host or port: " + shown);
  }
  if (scheme_lower == "http" && !IsLoopbackHost(host)) {
    return Status::InvalidInput(
        "url: http is only allowed to 127.0.0.0/8, [::1] or localhost; use https: " + shown);
  }
  return Status::Ok();
}

}  // namespace dcu
