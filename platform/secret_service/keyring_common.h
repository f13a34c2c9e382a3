// What the two Secret Service clients (libsecret for writes, the native
// D-Bus reader for reads) share: the schemas, how items of
// docker-credential-secretservice are matched, and the wording of errors.
#pragma once

#include <string>

#include "helper/base/status.h"
#include "helper/docker/legacy_keys.h"

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

// Which items of docker-credential-secretservice belong to a server: the
// spellings are shared with the Credential Manager store
// (helper/docker/legacy_keys.h).
using dcu::ItemKey;
using dcu::LegacyItemKey;
using dcu::LegacyServerSpellings;

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
