#include "helper/registry_key.h"

#include <algorithm>
#include <array>

#include "helper/protocol_strings.h"
#include "helper/text.h"

namespace dcu {
namespace {

constexpr std::array<std::string_view, 4> kDockerHubHosts = {
    "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"};

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

bool IsIPv6Char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

Status Invalid(std::string_view raw, std::string_view why) {
  return Status::InvalidInput("server URL \"" + std::string(raw) + "\": " + std::string(why));
}

// Parses "host[:port]" or "[v6]:port" into a host (IPv6 bracketed) and a port
// ("" when absent).
Status SplitHostPort(std::string_view raw, std::string_view authority, std::string* host,
                     std::string* port) {
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid(raw, "unclosed '[' in IPv6 address");
    std::string inner = ToLower(authority.substr(1, close - 1));
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), IsIPv6Char) ||
        inner.find(':') == std::string::npos) {
      return Invalid(raw, "bad IPv6 address");
    }
    *host = "[" + inner + "]";
    std::string_view rest = authority.substr(close + 1);
    if (rest.empty()) return Status::Ok();
    if (rest.front() != ':') return Invalid(raw, "unexpected text after IPv6 address");
    *port = std::string(rest.substr(1));
    return Status::Ok();
  }
  if (std::count(authority.begin(), authority.end(), ':') > 1) {
    // An IPv6 literal without brackets cannot carry a port.
    std::string inner = ToLower(authority);
    if (!std::all_of(inner.begin(), inner.end(), IsIPv6Char)) return Invalid(raw, "bad host");
    *host = "[" + inner + "]";
    return Status::Ok();
  }
  size_t colon = authority.find(':');
  *host = ToLower(authority.substr(0, colon));
  if (colon != std::string_view::npos) *port = std::string(authority.substr(colon + 1));
  while (!host->empty() && host->back() == '.') host->pop_back();
  if (host->empty()) return Invalid(raw, "no host");
  if (!std::all_of(host->begin(), host->end(), IsHostChar)) return Invalid(raw, "bad host");
  return Status::Ok();
}

// Returns "" for the default port, or the port without leading zeros.
StatusOr<std::string> CanonicalPort(std::string_view raw, const std::string& port, bool has_colon) {
  if (port.empty() && has_colon) return Invalid(raw, "empty port");
  if (port.empty()) return std::string();
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
    return Invalid(raw, "bad port");
  }
  long value = std::stol(port);
  if (value < 1 || value > 65535) return Invalid(raw, "port out of range");
  if (value == 443) return std::string();
  return std::to_string(value);
}

}  // namespace

StatusOr<std::string> NormalizeRegistryKey(std::string_view raw) {
  std::string_view text = TrimSpace(raw);
  if (text.empty()) return Status::InvalidInput("empty server URL");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\') {
      return Invalid(text, "contains white space or control characters");
    }
  }
  size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string scheme = ToLower(text.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http") return Invalid(text, "scheme must be http or https");
    text = text.substr(scheme_end + 3);
  }
  std::string_view authority = text.substr(0, text.find_first_of("/?#"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  if (authority.empty()) return Invalid(raw, "no host");

  std::string host, port;
  Status split = SplitHostPort(TrimSpace(raw), authority, &host, &port);
  if (!split.ok()) return split;
  bool bracketed = authority.front() == '[';
  bool has_colon = bracketed ? authority.find("]:") != std::string_view::npos
                             : std::count(authority.begin(), authority.end(), ':') == 1;
  StatusOr<std::string> canonical_port = CanonicalPort(TrimSpace(raw), port, has_colon);
  if (!canonical_port.ok()) return canonical_port.status();

  if (canonical_port->empty() &&
      std::find(kDockerHubHosts.begin(), kDockerHubHosts.end(), host) != kDockerHubHosts.end()) {
    return std::string(protocol::kDockerHubKey);
  }
  return canonical_port->empty() ? host : host + ":" + *canonical_port;
}

std::string RegistryHostOfKey(const std::string& key) {
  return key == protocol::kDockerHubKey ? std::string("index.docker.io") : key;
}

}  // namespace dcu
