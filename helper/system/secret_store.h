// SecretStore: the one interface to the OS secret stores (Secret Service on
// Linux; Credential Manager and Keychain to come).
//
// Keys are canonical registry keys (helper/docker/registry_key.h); callers
// normalise before they call. Secrets are byte strings: any byte, NUL
// included, must survive a round trip. A failed operation leaves the store
// as it was. Implementations are not thread-safe; use one per thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "helper/base/status.h"

namespace dcu {

struct Credential {
  std::string server;  // canonical registry key (as sent, in a store request)
  std::string username;
  std::string secret;
};

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // The credential stored for server, or NotFound.
  virtual StatusOr<Credential> Get(const std::string& server) = 0;

  // Stores cred, replacing whatever was stored for cred.server (also under
  // another username): afterwards exactly one entry exists for it.
  virtual Status Put(const Credential& cred) = 0;

  // Removes every entry for server. OK when there was none.
  virtual Status Erase(const std::string& server) = 0;

  // Every stored server key with its username.
  virtual StatusOr<std::map<std::string, std::string>> List() = 0;
};

// What the platform's store may need to know of the process environment,
// read once by main (nothing under platform/ calls getenv).
struct SecretStoreOptions {
  int timeout_seconds = 4;          // every operation ends within this
  std::string session_bus_address;  // DBUS_SESSION_BUS_ADDRESS, "" when unset
  std::string runtime_dir;          // XDG_RUNTIME_DIR, where a session bus may listen
};

// The platform's secret store. Connecting is deferred to the first call, so
// creating one costs nothing. Defined once, in platform/.
std::unique_ptr<SecretStore> NewSystemSecretStore(const SecretStoreOptions& options);

}  // namespace dcu
