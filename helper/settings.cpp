#include "helper/settings.h"

#include <algorithm>
#include <initializer_list>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "helper/docker/registry_key.h"
#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/system/process.h"

namespace dcu {
namespace {

using json = nlohmann::json;

// One setting: its config-file key and environment variable.
struct Source {
  const char* key;
  const char* env;
};

constexpr Source kSources[] = {
    {"domain", "UP_DOMAIN"},
    {"apiEndpoint", "OVERRIDE_API_ENDPOINT"},
    {"authEndpoint", "OVERRIDE_AUTH_ENDPOINT"},
    {"registryEndpoint", "OVERRIDE_REGISTRY_ENDPOINT"},
    {"robotTokenFile", "UP_ROBOT_TOKEN_FILE"},
    {"exchange", "DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"},
    {"organization", "UP_ORGANIZATION"},
    {"cacheDir", "DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"},
    {"caBundle", "UP_CA_BUNDLE"},
    {"debug", "UP_DEBUG"},
    {"timeout", "DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"},
    {"sessionLifetime", "DOCKER_CREDENTIAL_UPBOUND_SESSION_LIFETIME"},
    {"keyringTimeout", "DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT"},
    {"verifyPeriod", "DOCKER_CREDENTIAL_UPBOUND_VERIFY"},
};

constexpr std::size_t kMaxConfigFile = 1 << 20;

std::string Get(const Env& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// base/name, with the separator base already uses: Windows' variables
// (%APPDATA%) hold C:\Users\..., and a path shown to the user should
// look like one. Both separators work there, so this is only cosmetic.
std::string Join(const std::string& base, const std::string& name) {
  bool backslashes = base.find('\\') != std::string::npos && base.find('/') == std::string::npos;
  std::string path = base;
  if (!path.empty() && path.back() != '/' && path.back() != '\\') path += backslashes ? '\\' : '/';
  for (char c : name) path += c == '/' && backslashes ? '\\' : c;
  return path;
}

// The first of these variables that is set, joined with name; "" if none.
std::string FirstSet(const Env& env, std::initializer_list<std::pair<const char*, const char*>> bases) {
  for (const auto& [variable, name] : bases) {
    std::string base = Get(env, variable);
    if (!base.empty()) return Join(base, name);
  }
  return "";
}

// APPDATA is Windows' roaming per-user configuration (Go's
// os.UserConfigDir), between the XDG name and the home directory.
std::string ConfigPath(const Env& env) {
  std::string explicit_path = Get(env, "DOCKER_CREDENTIAL_UPBOUND_CONFIG");
  if (!explicit_path.empty()) return explicit_path;
  return FirstSet(env, {{"XDG_CONFIG_HOME", "docker-credential-upbound/config.json"},
                        {"APPDATA", "docker-credential-upbound/config.json"},
                        {"HOME", ".config/docker-credential-upbound/config.json"}});
}

// A raw value and where it came from, for messages.
struct Raw {
  std::string value;
  std::string origin;
};

// The config file's lists, parsed once the served hosts are known.
struct HostLists {
  std::vector<std::string> registries;   // "registries"
  std::vector<std::string> realm_hosts;  // "realmHosts"
  json organizations;                    // "organizations", null when absent
};

Status ReadConfigFile(FileSystem& fs, const std::string& path, bool must_exist,
                      std::map<std::string, Raw>* raw, HostLists* lists) {
  StatusOr<std::string> text = fs.ReadFile(path, kMaxConfigFile);
  if (!text.ok()) {
    if (must_exist) return Status::InvalidInput("config file " + path + ": cannot be read");
    return Status::Ok();
  }
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidInput("config file " + path + ": not a JSON object");
  }
  for (const auto& item : doc.items()) {
    const std::string& key = item.key();
    std::string origin = "config file " + path + ", key \"" + key + "\"";
    if (key == "registries" || key == "realmHosts") {
      std::vector<std::string>* list = key == "registries" ? &lists->registries : &lists->realm_hosts;
      if (!item.value().is_array()) return Status::InvalidInput(origin + ": must be a list of hosts");
      for (const auto& host : item.value()) {
        if (!host.is_string()) return Status::InvalidInput(origin + ": must be a list of hosts");
        list->push_back(host.get<std::string>());
      }
      continue;
    }
    if (key == "organizations") {
      lists->organizations = item.value();
      continue;
    }
    auto known = std::find_if(std::begin(kSources), std::end(kSources),
                              [&key](const Source& s) { return key == s.key; });
    if (known == std::end(kSources)) return Status::InvalidInput(origin + ": unknown key");
    const json& value = item.value();
    if (value.is_string()) {
      (*raw)[key] = {value.get<std::string>(), origin};
    } else if (value.is_boolean()) {
      (*raw)[key] = {value.get<bool>() ? "true" : "false", origin};
    } else if (value.is_number_integer()) {
      (*raw)[key] = {std::to_string(value.get<long long>()), origin};
    } else {
      return Status::InvalidInput(origin + ": must be a string");
    }
  }
  return Status::Ok();
}

// "https://host[:port][/]" with host lower-cased; http only to loopback is
// checked when a request is made, so tests may point at 127.0.0.1.
StatusOr<std::string> ParseEndpoint(const Raw& raw) {
  std::string value(TrimSpace(raw.value));
  if (value.find("://") == std::string::npos) value = "https://" + value;
  std::string scheme = ToLower(value.substr(0, value.find("://")));
  if (scheme != "https" && scheme != "http") {
    return Status::InvalidInput(raw.origin + ": \"" + ShownUrl(raw.value) + "\" must be an https URL");
  }
  while (!value.empty() && value.back() == '/') value.pop_back();
  StatusOr<std::string> host = NormalizeRegistryKey(value);
  if (!host.ok() || value.size() <= scheme.size() + 3) {
    return Status::InvalidInput(raw.origin + ": \"" + ShownUrl(raw.value) + "\" is not a URL");
  }
  std::string rest = value.substr(scheme.size() + 3);
  std::size_t path = rest.find_first_of("/?#");
  return scheme + "://" + ToLower(rest.substr(0, path)) + (path == std::string::npos ? "" : rest.substr(path));
}

StatusOr<int> ParseSeconds(const Raw& raw, int max, int min = 1) {
  const std::string& v = raw.value;
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), IsDigit) || std::stoi(v) < min ||
      std::stoi(v) > max) {
    return Status::InvalidInput(raw.origin + ": \"" + v + "\" must be a number of seconds from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return std::stoi(v);
}

StatusOr<bool> ParseBool(const Raw& raw) {
  std::string v = ToLower(raw.value);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "" || v == "0" || v == "false" || v == "no" || v == "off") return false;
  return Status::InvalidInput(raw.origin + ": \"" + raw.value + "\" must be 1 or 0");
}

// The host part of an endpoint URL, e.g. "upbound.io" for https://upbound.io.
std::string HostOf(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

std::string SchemeOf(const std::string& url) { return url.substr(0, url.find("://")); }

// LOCALAPPDATA is Windows' per-user, per-machine data (Go's
// os.UserCacheDir): the cache is not worth roaming.
std::string DefaultCacheDir(const Env& env) {
  std::string dir = FirstSet(env, {{"XDG_RUNTIME_DIR", "docker-credential-upbound"},
                                   {"XDG_CACHE_HOME", "docker-credential-upbound"},
                                   {"LOCALAPPDATA", "docker-credential-upbound"},
                                   {"HOME", ".cache/docker-credential-upbound"}});
  if (!dir.empty()) return dir;
  // No private place is known: a per-user name ($USER may be unset, shared
  // or wrong after su) in the temporary directory (Windows' TEMP or TMP,
  // else /tmp). Anyone may pre-create it, so the file system reads a cache
  // file only from a directory this user owns and nobody else may write
  // (FileSystem::ReadPrivateFile), and writes only after EnsurePrivateDir
  // has checked the same.
  std::string per_user = "docker-credential-upbound-" + ProcessUserId();
  dir = FirstSet(env, {{"TEMP", per_user.c_str()}, {"TMP", per_user.c_str()}});
  return dir.empty() ? "/tmp/" + per_user : dir;
}

}  // namespace

const char* ExchangeKindName(ExchangeKind kind) {
  switch (kind) {
    case ExchangeKind::kSession: return "session";
    case ExchangeKind::kOrgToken: return "org-token";
    case ExchangeKind::kDirect: return "direct";
  }
  return "session";
}

bool Settings::IsUpboundRegistry(const std::string& key) const {
  return std::find(registry_hosts.begin(), registry_hosts.end(), key) != registry_hosts.end();
}

StatusOr<Settings> LoadSettings(const Env& env, FileSystem& fs,
                                const std::map<std::string, std::string>& flags) {
  // Lowest precedence first; later layers overwrite.
  std::map<std::string, Raw> raw;
  HostLists lists;
  std::string config_path = ConfigPath(env);
  if (!config_path.empty()) {
    Status read = ReadConfigFile(fs, config_path, !Get(env, "DOCKER_CREDENTIAL_UPBOUND_CONFIG").empty(),
                                 &raw, &lists);
    if (!read.ok()) return read;
  }
  for (const Source& source : kSources) {
    auto it = env.find(source.env);
    if (it != env.end() && !it->second.empty()) {
      raw[source.key] = {it->second, std::string("environment variable ") + source.env};
    }
  }
  for (const auto& flag : flags) raw[flag.first] = {flag.second, "flag --" + flag.first};

  Settings s;
  auto has = [&raw](const char* key) { return raw.count(key) != 0; };
  if (has("domain")) {
    StatusOr<std::string> domain = ParseEndpoint(raw["domain"]);
    if (!domain.ok()) return domain.status();
    s.domain = *domain;
  }
  std::string scheme = SchemeOf(s.domain), host = HostOf(s.domain);
  s.api_endpoint = scheme + "://api." + host;
  s.auth_endpoint = scheme + "://auth." + host;
  s.registry_endpoint = scheme + "://xpkg." + host;
  for (auto [key, field] : {std::pair<const char*, std::string*>{"apiEndpoint", &s.api_endpoint},
                            {"authEndpoint", &s.auth_endpoint},
                            {"registryEndpoint", &s.registry_endpoint}}) {
    if (!has(key)) continue;
    StatusOr<std::string> endpoint = ParseEndpoint(raw[key]);
    if (!endpoint.ok()) return endpoint.status();
    *field = *endpoint;
  }
  StatusOr<std::string> registry = NormalizeRegistryKey(s.registry_endpoint);
  if (!registry.ok()) return Status::InvalidInput("registry endpoint: " + registry.status().message());
  s.registry_hosts.push_back(*registry);
  // The older registry host on the same realm, for Upbound's own domain only.
  if (!has("registryEndpoint") && host == "upbound.io") s.registry_hosts.push_back("registry.upbound.io");
  for (auto [name, from, to] : {std::tuple<const char*, std::vector<std::string>*, std::vector<std::string>*>{
                                    "registries", &lists.registries, &s.registry_hosts},
                                {"realmHosts", &lists.realm_hosts, &s.realm_hosts}}) {
    for (const std::string& extra : *from) {
      StatusOr<std::string> key = NormalizeRegistryKey(extra);
      if (!key.ok()) {
        return Status::InvalidInput("config file " + config_path + ", key \"" + name + "\": " +
                                    key.status().message());
      }
      to->push_back(*key);
    }
  }

  if (!lists.organizations.is_null()) {
    StatusOr<std::vector<Organization>> orgs = ParseOrganizations(
        lists.organizations, "config file " + config_path + ", key \"organizations\"", s.registry_hosts);
    if (!orgs.ok()) return orgs.status();
    s.organizations = std::move(*orgs);
  }

  if (has("exchange")) {
    const std::string& v = raw["exchange"].value;
    if (v == "session") {
      s.exchange = ExchangeKind::kSession;
    } else if (v == "org-token") {
      s.exchange = ExchangeKind::kOrgToken;
    } else if (v == "direct") {
      s.exchange = ExchangeKind::kDirect;
    } else {
      return Status::InvalidInput(raw["exchange"].origin + ": \"" + v +
                                  "\" must be session, org-token or direct");
    }
  }
  if (has("organization")) s.organization = raw["organization"].value;
  // With organizations, each names its own; UP_ORGANIZATION is then only
  // for the hosts' default tokens.
  if (s.exchange == ExchangeKind::kOrgToken && s.organization.empty() && s.organizations.empty()) {
    return Status::InvalidInput("the org-token exchange needs an organization: set UP_ORGANIZATION");
  }
  if (has("robotTokenFile")) s.robot_token_file = raw["robotTokenFile"].value;
  s.robot_token = Get(env, "UP_ROBOT_TOKEN");
  s.robot_access_id = Get(env, "UP_ROBOT_ACCESS_ID");
  s.cache_dir = has("cacheDir") ? raw["cacheDir"].value : DefaultCacheDir(env);
  if (has("caBundle")) s.ca_bundle = raw["caBundle"].value;
  if (has("debug")) {
    StatusOr<bool> debug = ParseBool(raw["debug"]);
    if (!debug.ok()) return debug.status();
    s.debug = *debug;
  }
  if (has("timeout")) {
    StatusOr<int> seconds = ParseSeconds(raw["timeout"], 600);
    if (!seconds.ok()) return seconds.status();
    s.timeout_seconds = *seconds;
  }
  if (has("sessionLifetime")) {
    StatusOr<int> seconds = ParseSeconds(raw["sessionLifetime"], 30 * 24 * 3600);
    if (!seconds.ok()) return seconds.status();
    s.session_lifetime_seconds = *seconds;
  }
  if (has("verifyPeriod")) {
    StatusOr<int> seconds = ParseSeconds(raw["verifyPeriod"], 30 * 24 * 3600, 0);
    if (!seconds.ok()) return seconds.status();
    s.verify_period_seconds = *seconds;
  }
  if (has("keyringTimeout")) {
    // A provider that asks the user to confirm access (KeePassXC) may need longer.
    StatusOr<int> seconds = ParseSeconds(raw["keyringTimeout"], 600);
    if (!seconds.ok()) return seconds.status();
    s.keyring.timeout_seconds = *seconds;
  }
  s.keyring.session_bus_address = Get(env, "DBUS_SESSION_BUS_ADDRESS");
  s.keyring.runtime_dir = Get(env, "XDG_RUNTIME_DIR");
  return s;
}

}  // namespace dcu
