// Settings, from flags > environment > config file > defaults, in one place.
//
// Environment names are shared with the `up` CLI and with tests outside
// this repository: keep them exactly. The config file is JSON, at
// $DOCKER_CREDENTIAL_UPBOUND_CONFIG, else
// $XDG_CONFIG_HOME/docker-credential-upbound/config.json, else
// %APPDATA%\docker-credential-upbound\config.json (Windows), else
// $HOME/.config/docker-credential-upbound/config.json. The order is the
// same on every OS: each variable is simply absent where it does not apply.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "helper/base/status.h"
#include "helper/organizations.h"
#include "helper/system/file_system.h"
#include "helper/system/secret_store.h"

namespace dcu {

enum class ExchangeKind { kSession, kOrgToken, kDirect };

struct Settings {
  std::string domain = "https://upbound.io";  // UP_DOMAIN
  std::string api_endpoint;                   // https://api.<domain>
  std::string auth_endpoint;                  // https://auth.<domain>
  std::string registry_endpoint;              // https://xpkg.<domain>
  // Canonical keys of the registries served with exchanged credentials:
  // the registry endpoint's host[:port], plus extra ones from the config.
  std::vector<std::string> registry_hosts;

  std::string robot_token_file;  // UP_ROBOT_TOKEN_FILE
  // How messages name robot_token_file's setting.
  std::string robot_token_file_label = "UP_ROBOT_TOKEN_FILE";
  std::string robot_token;       // UP_ROBOT_TOKEN (a secret: never printed)
  std::string robot_access_id;   // UP_ROBOT_ACCESS_ID

  // direct is the default: the pair Upbound documents for push and pull.
  ExchangeKind exchange = ExchangeKind::kDirect;
  std::string organization;  // UP_ORGANIZATION, for org-token

  // DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR, else <base>/docker-credential-upbound
  // with base the first set of $XDG_RUNTIME_DIR, $XDG_CACHE_HOME,
  // %LOCALAPPDATA% (Windows), $HOME/.cache; else a per-user name
  // (docker-credential-upbound-<uid or SID>) in %TEMP%, %TMP% or /tmp.
  std::string cache_dir;
  std::string ca_bundle;  // UP_CA_BUNDLE
  bool debug = false;     // UP_DEBUG
  int timeout_seconds = 30;             // bound on a whole get
  int session_lifetime_seconds = 3600;  // when a login's cookie does not say
  // How long the registry's verdict on a direct pair holds
  // (DOCKER_CREDENTIAL_UPBOUND_VERIFY, verifyPeriod); 0: never verify.
  int verify_period_seconds = 3600;
  // Hosts (host or host:port) besides the registry's own whose token realm
  // may be sent a direct pair (config key realmHosts).
  std::vector<std::string> realm_hosts;
  // One robot token per organization (config key organizations), each
  // with its image prefix on a served registry.
  std::vector<Organization> organizations;
  // DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT, and where the session bus is.
  SecretStoreOptions keyring;

  bool IsUpboundRegistry(const std::string& key) const;
};

using Env = std::map<std::string, std::string>;

// The config file is read through fs. flags: config-file key -> value, for
// commands that take flags (e.g. {"domain", "https://example.com"}); the
// protocol actions pass none. InvalidInput naming the variable, or the file
// and key, on a bad value.
StatusOr<Settings> LoadSettings(const Env& env, FileSystem& fs,
                                const std::map<std::string, std::string>& flags = {});

const char* ExchangeKindName(ExchangeKind kind);

}  // namespace dcu
