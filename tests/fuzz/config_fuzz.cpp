// The config file ($DOCKER_CREDENTIAL_UPBOUND_CONFIG) on any bytes, through
// LoadSettings as every command reads it. Properties of what it accepts:
// endpoints are http(s) URLs, every served registry and realm host is a
// canonical key, every organization's prefix is on a served registry and
// is matched to that organization, and the numbers are within their bounds.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "helper/docker/registry_key.h"
#include "helper/organizations.h"
#include "helper/settings.h"
#include "tests/fuzz/memory_file_system.h"

namespace {

bool Canonical(const std::string& key) {
  dcu::StatusOr<std::string> again = dcu::NormalizeRegistryKey(key);
  return again.ok() && *again == key;
}

bool HttpUrl(const std::string& url) {
  return url.compare(0, 8, "https://") == 0 || url.compare(0, 7, "http://") == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = "/etc/dcu/config.json";
  dcu::MemoryFileSystem fs;
  fs.files[path] = std::string(reinterpret_cast<const char*>(data), size);
  dcu::Env env = {{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}, {"HOME", "/home/fuzz"}};
  dcu::StatusOr<dcu::Settings> loaded = dcu::LoadSettings(env, fs);
  if (!loaded.ok()) {
    if (loaded.status().code() != dcu::Code::kInvalidInput) std::abort();  // a bad file is the user's input
    return 0;
  }
  const dcu::Settings& s = *loaded;
  for (const std::string* url : {&s.domain, &s.api_endpoint, &s.auth_endpoint, &s.registry_endpoint}) {
    if (!HttpUrl(*url)) std::abort();
  }
  if (s.registry_hosts.empty()) std::abort();
  dcu::StatusOr<std::string> own = dcu::NormalizeRegistryKey(s.registry_endpoint);
  if (!own.ok() || *own != s.registry_hosts[0]) std::abort();
  for (const std::string& host : s.registry_hosts) {
    if (!Canonical(host) || !s.IsUpboundRegistry(host)) std::abort();
  }
  for (const std::string& host : s.realm_hosts) {
    if (!Canonical(host)) std::abort();
  }
  for (const dcu::Organization& org : s.organizations) {
    if (org.name.empty() || org.robot_token_file.empty() || !s.IsUpboundRegistry(org.prefix_host)) std::abort();
    if (dcu::MatchOrganization(s.organizations, org.prefix_host, org.prefix_path) != &org) std::abort();
    for (const std::string& ns : org.namespaces) {
      if (!dcu::IsNamespaceName(ns)) std::abort();
    }
  }
  if (s.exchange == dcu::ExchangeKind::kOrgToken && s.organization.empty() && s.organizations.empty()) std::abort();
  if (s.timeout_seconds < 1 || s.timeout_seconds > 600 || s.session_lifetime_seconds < 1 ||
      s.session_lifetime_seconds > 30 * 24 * 3600 || s.verify_period_seconds < 0 ||
      s.verify_period_seconds > 30 * 24 * 3600 || s.keyring.timeout_seconds < 1 || s.keyring.timeout_seconds > 600) {
    std::abort();
  }
  return 0;
}
