// Which credential a registry gets, for any front end (Docker's `get`, the
// kubelet's provider): for an Upbound registry a cached short-lived
// credential while it is fresh, else one exchange of the robot token under
// a lock that every process asking at once shares; for any other registry
// what was stored for it.
//
// The warm path reads one cache file: no keyring, no network, no libcurl.
#pragma once

#include <functional>
#include <string>

#include "helper/base/status.h"
#include "helper/context.h"
#include "helper/upbound/registry_credential.h"

namespace dcu {

// key: a canonical registry key. NotFound when nothing is configured or
// stored for it (the caller answers "not found", so clients pull
// anonymously). Precondition: ctx.LoadSettings() succeeded.
StatusOr<RegistryCredential> CredentialFor(Context& ctx, const std::string& key);

// The credential for a served Upbound host (settings.IsUpboundRegistry),
// with its expiry: 0 for the direct pair, which carries none.
StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const std::string& host);

// Runs change (a store or erase of key's secret store item) under key's
// lock, then drops what the cache derived for key, so that once it returns
// no credential derived from the previous item is served, and concurrent
// changes of one key happen one after the other. Precondition:
// ctx.LoadSettings() succeeded.
Status ChangeStoredCredential(Context& ctx, const std::string& key, const std::function<Status()>& change);

// Whether cred, offered to `store` for a served Upbound host, is what the
// helper itself derived (username "_token", or the cached exchanged
// secret): `docker login HOST` without -u stores what get returned, and
// that must not replace the robot token. True after saying on stderr that
// the robot token stays; InvalidInput for a "_token" credential when no
// robot token exists to keep.
StatusOr<bool> IsDerivedCredential(Context& ctx, const std::string& host, const Credential& cred);

}  // namespace dcu
