// What the two Secret Service clients (libsecret for writes, the native
// D-Bus reader for reads) share: the schemas, how items of
// docker-credential-secretservice are matched, and the wording of errors.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "helper/base/status.h"
#include "helper/docker/registry_key.h"

namespace dcu::keyring {

inline constexpr const char* kSchemaName = "io.upbound.Credentials";
inline constexpr const char* kDockerSchemaName = "io.docker.Credentials";
// Set ("1") on our item for a server while a store replaces it with an item
// for another username: the Secret Service cannot change an item's
// attributes and secret in one call, so a store marks the old item, writes
// the new one, then removes the old. Readers prefer an unmarked item, so a
// store killed between those steps leaves the previous credential or the
// new one in use, never neither and never the two by turns; the next store
// or erase removes the marked item.
inline constexpr const char* kSupersededAttribute = "superseded";

// The registry key an item's "server" attribute names, or "" when it names
// none. docker-credential-secretservice keys its items by the URL exactly
// as the client sent it, so this is the one place that decides which of
// them (and of ours) belong to a server: every reader and writer asks it.
inline std::string ItemKey(const std::string& server_attribute) {
  StatusOr<std::string> key = NormalizeRegistryKey(server_attribute);
  return key.ok() ? *key : std::string();
}

// The "server" attribute values docker-credential-secretservice may have
// stored for key. It stores the URL exactly as its client sent it, and
// clients send: the key (docker login, podman, skopeo, buildah); the host
// with a scheme, perhaps with a slash (older docker login given a URL,
// nerdctl, users' copies of a registry URL); the host with ":443" (nerdctl).
// Docker Hub is "https://index.docker.io/v1/" to Docker and "docker.io" to
// containers/image, and has two more host names. Every value maps back to
// key under ItemKey.
//
// Reads and erases search these exactly, one SearchItems each, never the
// whole of that helper's items (people who used it for years have hundreds;
// gnome-keyring scans every item for each search, so the list is kept
// short), and list shows an item only when its attribute is among them, so
// that list, get and erase always agree on what is there.
inline std::vector<std::string> LegacyServerSpellings(const std::string& key) {
  static const char* const kHubHosts[] = {"index.docker.io", "docker.io", "registry-1.docker.io",
                                          "registry.hub.docker.com"};
  std::vector<std::string> out;
  auto add = [&out, &key](std::string value) {
    if (ItemKey(value) == key && std::find(out.begin(), out.end(), value) == out.end()) {
      out.push_back(std::move(value));
    }
  };
  if (key == ItemKey("docker.io")) {
    add(key);
    for (const char* host : kHubHosts) {
      add(host);
      add(std::string("https://") + host);
      add(std::string("https://") + host + "/");
    }
    return out;
  }
  add(key);
  add("https://" + key);
  add("http://" + key);
  add("https://" + key + "/");
  // no port in the key: the default one, written out
  if (key.find(':') == std::string::npos || key.back() == ']') {
    add(key + ":443");
    add("https://" + key + ":443");
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
