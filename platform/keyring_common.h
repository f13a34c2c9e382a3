// What the two Secret Service clients (libsecret for writes, the native
// D-Bus reader for reads) share: the schemas, the deadline and the wording
// of their errors.
#pragma once

#include <cstdlib>
#include <string>

#include "helper/status.h"

namespace dcu::keyring {

inline constexpr const char* kSchemaName = "io.upbound.Credentials";
inline constexpr const char* kDockerSchemaName = "io.docker.Credentials";

// Every operation ends within this many seconds. A provider that asks the
// user to confirm access (KeePassXC) may need longer, hence the variable.
inline int TimeoutSeconds() {
  const char* value = std::getenv("DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT");
  if (value != nullptr) {
    int seconds = std::atoi(value);
    if (seconds > 0 && seconds <= 600) return seconds;
  }
  return 4;
}

inline Status LockedError(const std::string& what) {
  return Status::Unavailable("keyring: " + what +
                             " is locked; unlock it (for example by logging in to the desktop "
                             "session) and try again");
}

inline Status TimeoutError(const std::string& context) {
  return Status::Unavailable("keyring: the Secret Service did not answer within " +
                             std::to_string(TimeoutSeconds()) + " s (" + context + ")");
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
