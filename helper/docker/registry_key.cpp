#include "helper/docker/registry_key.h"

#include <algorithm>
#include <array>

#include "helper/base/host_port.h"
#include "helper/docker/strings.h"
#include "helper/base/text.h"

namespace dcu {
namespace {

constexpr std::array<std::string_view, 4> kDockerHubHosts = {
    "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"};

Status Invalid(std::string_view raw, std::string_view why) {
  return Status::InvalidInput("server URL \"" + std::string(raw) + "\": " + std::string(why));
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

  StatusOr<HostPort> parsed = ParseHostPort(authority, /*bare_ipv6=*/true);
  if (!parsed.ok()) return Invalid(TrimSpace(raw), parsed.status().message());
  std::string host = std::move(parsed->host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return Invalid(TrimSpace(raw), "no host");
  // 443 is the registry default: "host" and "host:443" are one registry.
  int port = parsed->port == 443 ? 0 : parsed->port;

  if (port == 0 &&
      std::find(kDockerHubHosts.begin(), kDockerHubHosts.end(), host) != kDockerHubHosts.end()) {
    return std::string(protocol::kDockerHubKey);
  }
  return port == 0 ? host : host + ":" + std::to_string(port);
}

}  // namespace dcu
