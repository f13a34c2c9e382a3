// What the two Secret Service clients (libsecret for writes, the native
// D-Bus reader for reads) share: the schemas, how items of
// docker-credential-secretservice are matched, and the wording of errors.
#pragma once

#include <string>

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
