#include "helper/commands/kubelet_config.h"

#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "helper/docker/registry_key.h"

namespace dcu {
namespace {

// A YAML double-quoted scalar: JSON's string syntax is a subset of it.
std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

std::string Get(const Env& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

std::string HostOf(const std::string& url) {
  std::size_t scheme = url.find("://");
  std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

std::string SchemeOf(const std::string& url) {
  std::size_t scheme = url.find("://");
  return scheme == std::string::npos ? "https" : url.substr(0, scheme);
}

}  // namespace

KubeletConfig MakeKubeletConfig(const Settings& s, const Env& env) {
  KubeletConfig config;
  std::vector<std::pair<std::string, std::string>> vars;
  std::string explicit_config = Get(env, "DOCKER_CREDENTIAL_UPBOUND_CONFIG");
  if (!explicit_config.empty()) vars.emplace_back("DOCKER_CREDENTIAL_UPBOUND_CONFIG", explicit_config);
  if (!s.robot_token_file.empty()) vars.emplace_back("UP_ROBOT_TOKEN_FILE", s.robot_token_file);

  std::string scheme = SchemeOf(s.domain), host = HostOf(s.domain);
  if (s.domain != Settings().domain) vars.emplace_back("UP_DOMAIN", s.domain);
  for (auto [name, value, prefix] : {std::tuple<const char*, const std::string&, const char*>{
                                         "OVERRIDE_API_ENDPOINT", s.api_endpoint, "api."},
                                     {"OVERRIDE_AUTH_ENDPOINT", s.auth_endpoint, "auth."},
                                     {"OVERRIDE_REGISTRY_ENDPOINT", s.registry_endpoint, "xpkg."}}) {
    if (value != scheme + "://" + prefix + host) vars.emplace_back(name, value);
  }
  if (s.exchange != ExchangeKind::kDirect) {
    vars.emplace_back("DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", ExchangeKindName(s.exchange));
  }
  if (!s.organization.empty()) vars.emplace_back("UP_ORGANIZATION", s.organization);
  if (!s.ca_bundle.empty()) vars.emplace_back("UP_CA_BUNDLE", s.ca_bundle);
  vars.emplace_back("DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR", kKubeletCacheDir);

  if (!Get(env, "UP_ROBOT_TOKEN").empty()) {
    config.warnings.push_back(
        "UP_ROBOT_TOKEN is not written into the config (it is a secret): put the token on the node in a file "
        "readable by root only and set UP_ROBOT_TOKEN_FILE to it");
  }
  if (s.robot_token_file.empty() && s.organizations.empty()) {
    config.warnings.push_back(
        "no robot token file (UP_ROBOT_TOKEN_FILE): the kubelet runs the plugin without a secret store, so it "
        "needs one; re-run with UP_ROBOT_TOKEN_FILE=/etc/upbound/robot-token.json (the node's path)");
  }
  StatusOr<std::string> registry = NormalizeRegistryKey(s.registry_endpoint);
  bool extra_hosts = false;
  for (const std::string& h : s.registry_hosts) {
    if (!(registry.ok() && h == *registry) && h != "registry.upbound.io") extra_hosts = true;
  }
  if (explicit_config.empty() && (extra_hosts || !s.organizations.empty())) {
    config.warnings.push_back(
        "the config file's registries and organizations reach the plugin only through "
        "DOCKER_CREDENTIAL_UPBOUND_CONFIG: re-run with it set to the file's path on the node");
  }
  for (const Organization& org : s.organizations) {
    if (!org.namespaces.empty()) {
      config.warnings.push_back("organization " + org.name +
                                " lists namespaces: the provider needs tokenAttributes (see "
                                "install/kubelet/credential-provider-config-service-account.yaml)");
      break;
    }
  }

  std::string& y = config.yaml;
  y += "# The kubelet's image credential provider config for docker-credential-upbound,\n"
       "# written by `docker-credential-upbound configure kubelet`. Install the binary\n"
       "# into the kubelet's plugin directory and start the kubelet with\n"
       "#   --image-credential-provider-config=/etc/kubernetes/credential-provider-config.yaml\n"
       "#   --image-credential-provider-bin-dir=/usr/libexec/kubernetes/kubelet-plugins/credential-provider/exec\n"
       "apiVersion: kubelet.config.k8s.io/v1\n"
       "kind: CredentialProviderConfig\n"
       "providers:\n"
       "  - name: docker-credential-upbound\n"
       "    matchImages:\n";
  for (const std::string& h : s.registry_hosts) y += "      - " + Quote(h) + "\n";
  y += "    defaultCacheDuration: \"10m\"\n"
       "    apiVersion: credentialprovider.kubelet.k8s.io/v1\n"
       "    args: [\"kubelet\"]\n"
       "    env:\n";
  for (const auto& [name, value] : vars) {
    y += "      - name: " + std::string(name) + "\n        value: " + Quote(value) + "\n";
  }
  return config;
}

}  // namespace dcu
