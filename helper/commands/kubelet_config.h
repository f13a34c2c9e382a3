// The kubelet's CredentialProviderConfig for this helper, as `configure
// kubelet` prints or writes it: the shape of
// install/kubelet/credential-provider-config.yaml, with the served hosts
// and the settings a node's plugin needs.
#pragma once

#include <string>
#include <vector>

#include "helper/settings.h"

namespace dcu {

// Where the kubelet keeps the plugin's cache: it runs plugins without HOME
// or XDG_RUNTIME_DIR.
inline constexpr const char* kKubeletCacheDir = "/run/docker-credential-upbound";

struct KubeletConfig {
  std::string yaml;
  // What the config cannot carry and the node will miss, one sentence each.
  std::vector<std::string> warnings;
};

// matchImages: settings.registry_hosts, host[:port] as the kubelet matches
// them (a port only when the image names it). env: UP_ROBOT_TOKEN_FILE when
// set; DOCKER_CREDENTIAL_UPBOUND_CONFIG when env names one (registries,
// organizations); the domain, endpoints, exchange, organization and CA
// bundle when they differ from the defaults; the cache directory. Never a
// secret: UP_ROBOT_TOKEN only earns a warning.
KubeletConfig MakeKubeletConfig(const Settings& settings, const Env& env);

}  // namespace dcu
