#include "helper/docker/registry_key.h"

#include <algorithm>
#include <array>

#include "helper/base/host_port.h"
#include "helper/base/shown_url.h"
#include "helper/docker/strings.h"
#include "helper/base/text.h"

namespace dcu {
namespace {

constexpr std::array<std::string_view, 4> kDockerHubHosts = {
    "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"};

// Names the URL as ShownUrl does: a store error line must not echo a
// password, a token in a query, or a line break.
Status Invalid(std::string_view raw, std::string_view why) {
  return Status::InvalidInput("server URL \"" + ShownUrl(TrimSpace(raw)) + "\": " + std::string(why));
}

}  // namespace

StatusOr<std::string> NormalizeRegistryKey(std::string_view raw) {
  std::string_view text = TrimSpace(raw);
  if (text.empty()) return Status::InvalidInput("empty server URL");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\') {
      return Invalid(raw, "contains white space or control characters");
    }
  }
  size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string scheme = ToLower(text.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http") return Invalid(raw, "scheme must be http or https");
    text = text.substr(scheme_end + 3);
  }
  // Where the host ends must not depend on the parser. Before the path,
  // an '@' is user info to one and, behind a '?' or '#', the end of a query
  // or fragment to another ("h#x@evil" is h or evil): no credential for it.
  std::string_view authority = text.substr(0, text.find('/'));
  if (authority.find('@') != std::string_view::npos) return Invalid(raw, "user info is not allowed");
  if (authority.find_first_of("?#") != std::string_view::npos) {
    return Invalid(raw, "'?' or '#' before the path");
  }
  if (authority.empty()) return Invalid(raw, "no host");

  StatusOr<HostPort> parsed = ParseHostPort(authority, /*bare_ipv6=*/true);
  if (!parsed.ok()) return Invalid(raw, parsed.status().message());
  std::string host = std::move(parsed->host);
  // One trailing dot (the DNS root) is the same host; ParseHostPort
  // refused more.
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return Invalid(raw, "no host");
  // 443 is the registry default: "host" and "host:443" are one registry.
  int port = parsed->port == 443 ? 0 : parsed->port;

  if (port == 0 &&
      std::find(kDockerHubHosts.begin(), kDockerHubHosts.end(), host) != kDockerHubHosts.end()) {
    return std::string(protocol::kDockerHubKey);
  }
  return port == 0 ? host : host + ":" + std::to_string(port);
}

}  // namespace dcu
