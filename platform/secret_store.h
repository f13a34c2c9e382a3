// SecretStore: the one interface to the OS secret stores.
//
// Keys are canonical registry keys (helper/registry_key.h); callers normalise
// before they call. Secrets are byte strings: any byte, NUL included, must
// survive a round trip. A failed operation leaves the store as it was.
// Implementations are not thread-safe; use one per thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "helper/status.h"

namespace dcu {

struct Credential {
  std::string server;  // canonical registry key
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

// A store in process memory, for tests.
std::unique_ptr<SecretStore> NewMemorySecretStore();

// The platform's secret store (Secret Service on Linux). Connecting is
// deferred to the first call, so creating one costs nothing.
std::unique_ptr<SecretStore> NewSystemSecretStore();

}  // namespace dcu
