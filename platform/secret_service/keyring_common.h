// What the two Secret Service clients (libsecret for writes, the native
// D-Bus reader for reads) share: the schemas, how items of
// docker-credential-secretservice are matched, and the wording of errors.
#pragma once

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "helper/base/status.h"
#include "helper/docker/registry_key.h"

namespace dcu::keyring {

inline constexpr const char* kSchemaName = "io.upbound.Credentials";
inline constexpr const char* kDockerSchemaName = "io.docker.Credentials";

// The registry key an item's "server" attribute names, or "" when it names
// none. docker-credential-secretservice keys its items by the URL exactly
// as the client sent it, so this is the one place that decides which of
// them (and of ours) belong to a server: every reader and writer asks it.
inline std::string ItemKey(const std::string& server_attribute) {
  StatusOr<std::string> key = NormalizeRegistryKey(server_attribute);
  return key.ok() ? *key : std::string();
}

// The "server" attribute values docker-credential-secretservice may have
// stored for key: it stores the URL exactly as its client sent it, and the
// clients send the key (docker login, podman, skopeo, buildah), the host
// with ":443" or a scheme (nerdctl, docker logout, older docker login), or a
// URL with "/", "/v1/" or "/v2/" (users' copies of a registry URL). Docker
// Hub has four host names. Every value maps back to key under ItemKey.
//
// Reads and erases search these exactly, never the whole of that helper's
// items (people who used it for years have hundreds), and list shows an
// item only when its attribute is among them, so that list, get and erase
// always agree on what is there.
inline std::vector<std::string> LegacyServerSpellings(const std::string& key) {
  static const char* const kHubHosts[] = {"index.docker.io", "docker.io", "registry-1.docker.io",
                                          "registry.hub.docker.com"};
  std::vector<std::string> authorities;
  if (key == ItemKey("docker.io")) {
    authorities.assign(std::begin(kHubHosts), std::end(kHubHosts));
  } else {
    authorities.push_back(key);
    // no port in the key: the default one, written out
    if (key.find(':') == std::string::npos || key.back() == ']') authorities.push_back(key + ":443");
  }
  static const std::pair<const char*, const char*> kForms[] = {
      {"", ""},         {"", "/"},         {"http://", ""},      {"http://", "/"},
      {"https://", ""}, {"https://", "/"}, {"https://", "/v1/"}, {"https://", "/v2/"}};
  std::vector<std::string> out;
  for (const std::string& authority : authorities) {
    for (const auto& form : kForms) {
      std::string value = form.first + authority + form.second;
      if (ItemKey(value) == key && std::find(out.begin(), out.end(), value) == out.end()) {
        out.push_back(value);
      }
    }
  }
  return out;
}

// The registry key a docker-credential-secretservice item stands for, or ""
// when its "server" attribute is not one of LegacyServerSpellings.
inline std::string LegacyItemKey(const std::string& server_attribute) {
  std::string key = ItemKey(server_attribute);
  if (key.empty()) return key;
  std::vector<std::string> spellings = LegacyServerSpellings(key);
  if (std::find(spellings.begin(), spellings.end(), server_attribute) == spellings.end()) return "";
  return key;
}

inline Status LockedError(const std::string& what) {
  return Status::Unavailable("keyring: " + what +
                             " is locked; unlock it (for example by logging in to the desktop "
                             "session) and try again");
}

inline Status TimeoutError(const std::string& context, int seconds) {
  return Status::Unavailable("keyring: the Secret Service did not answer within " +
                             std::to_string(seconds) + " s (" + context + ")");
}

// Maps a D-Bus error (its name and message, in any form) to one line.
inline Status FromDBusError(const std::string& context, const std::string& text) {
  auto has = [&text](const char* part) { return text.find(part) != std::string::npos; };
  if (has("ServiceUnknown") || has("NameHasNoOwner") || has("not provided by any .service files")) {
    return Status::Unavailable(
        "keyring: no Secret Service provider on the session bus; start gnome-keyring-daemon "
        "(or another provider such as KeePassXC)");
  }
  if (has("IsLocked")) return LockedError("the keyring");
  std::string detail = text;
  const std::string prefix = "GDBus.Error:";
  if (detail.compare(0, prefix.size(), prefix) == 0) detail.erase(0, prefix.size());
  return Status::Unavailable("keyring: " + context + ": " + detail);
}

}  // namespace dcu::keyring
