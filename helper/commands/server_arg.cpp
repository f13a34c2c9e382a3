#include "helper/commands/server_arg.h"

#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/docker/registry_key.h"

namespace dcu {
namespace {

// Whether a --server value names more than a host: "xpkg.upbound.io/acme".
bool HasPath(std::string_view raw) {
  raw = TrimSpace(raw);
  std::size_t scheme = raw.find("://");
  if (scheme != std::string_view::npos) raw.remove_prefix(scheme + 3);
  std::size_t slash = raw.find('/');
  if (slash == std::string_view::npos) return false;
  return raw.find_first_not_of('/', slash) != std::string_view::npos;
}

}  // namespace

std::string ServedHostsText(const Settings& settings) {
  const std::vector<std::string>& hosts = settings.registry_hosts;
  std::string text;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (i > 0) text += i + 1 == hosts.size() ? " and " : ", ";
    text += hosts[i];
  }
  return text;
}

StatusOr<std::string> ServerKey(const Settings& settings, const Args& args, bool must_be_served) {
  if (!args.Has("server")) return settings.registry_hosts.front();
  const std::string raw = args.Value("server");
  if (HasPath(raw)) {
    return Status::InvalidInput("--server " + ShownUrl(raw) +
                                ": a registry host, without a path (an organization's token comes from its "
                                "robotTokenFile in the config file)");
  }
  StatusOr<std::string> key = NormalizeRegistryKey(raw);
  if (!key.ok()) return Status::InvalidInput("--server: " + key.status().message());
  if (must_be_served && !settings.IsUpboundRegistry(*key)) {
    return Status::InvalidInput(*key + " is not a served Upbound registry (served: " + ServedHostsText(settings) +
                                "); a robot token is sent only to those. Add a host to the config file's "
                                "\"registries\" list to serve it");
  }
  return key;
}

}  // namespace dcu
