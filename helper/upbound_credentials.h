// The credential `get` returns for an Upbound registry: a cached
// short-lived credential while it is fresh, else one exchange of the robot
// token under a lock that every process asking at once shares.
//
// The warm path reads one cache file: no keyring, no network, no libcurl.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "helper/http.h"
#include "helper/retry.h"
#include "helper/settings.h"
#include "helper/status.h"
#include "platform/file_system.h"
#include "platform/secret_store.h"

namespace dcu {

struct UpboundDeps {
  FileSystem& fs;
  std::function<SecretStore&()> store;                     // opened on first use
  std::function<std::unique_ptr<HttpTransport>()> http;   // created on first use
  RetryPolicy retry;
  std::ostream& debug;  // diagnostics when settings.debug; never secrets
};

struct RegistryCredential {
  std::string username;
  std::string secret;
};

// NotFound when no robot token is configured or stored (the caller prints
// the protocol's not-found line, so Docker pulls anonymously).
StatusOr<RegistryCredential> GetUpboundCredential(const Settings& settings, const Env& env,
                                                  const std::string& host, UpboundDeps& deps);

// Drops cached credentials for host (store and erase call it).
void InvalidateUpboundCache(const Settings& settings, const Env& env, const std::string& host,
                            FileSystem& fs);

}  // namespace dcu
