#include "helper/base/host_port.h"

#include <algorithm>

#include "helper/base/text.h"

namespace dcu {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '.' || c == '-' || c == '_';
}

bool IsIPv6Char(char c) { return (c >= 'a' && c <= 'f') || IsDigit(c) || c == ':' || c == '.'; }

Status Bad(const char* why) { return Status::InvalidInput(why); }

// A port as written after the colon: 1 to 5 digits, 1..65535.
StatusOr<int> ParsePort(std::string_view text) {
  if (text.empty()) return Bad("empty port");
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), IsDigit)) return Bad("bad port");
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  if (value < 1 || value > 65535) return Bad("port out of range");
  return value;
}

StatusOr<std::string> IPv6Literal(std::string_view inner) {
  std::string lower = ToLower(inner);
  if (lower.empty() || lower.find(':') == std::string::npos ||
      !std::all_of(lower.begin(), lower.end(), IsIPv6Char)) {
    return Bad("bad IPv6 address");
  }
  return "[" + lower + "]";
}

}  // namespace

StatusOr<HostPort> ParseHostPort(std::string_view authority, bool bare_ipv6) {
  HostPort out;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("unclosed '[' in IPv6 address");
    StatusOr<std::string> host = IPv6Literal(authority.substr(1, close - 1));
    if (!host.ok()) return host.status();
    out.host = std::move(*host);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Bad("unexpected text after IPv6 address");
      has_port = true;
      port = rest.substr(1);
    }
  } else if (bare_ipv6 && std::count(authority.begin(), authority.end(), ':') > 1) {
    StatusOr<std::string> host = IPv6Literal(authority);
    if (!host.ok()) return Bad("bad host");
    out.host = std::move(*host);
  } else {
    std::size_t colon = authority.find(':');
    out.host = ToLower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
    }
    if (out.host.empty()) return Bad("no host");
    if (!std::all_of(out.host.begin(), out.host.end(), IsHostChar)) return Bad("bad host");
    if (out.host.front() == '.' || out.host.find("..") != std::string::npos) {
      return Bad("empty label in host");
    }
  }
  if (has_port) {
    StatusOr<int> value = ParsePort(port);
    if (!value.ok()) return value.status();
    out.port = *value;
  }
  return out;
}

}  // namespace dcu
