// Which credential a registry gets, for any front end (Docker's `get`, the
// kubelet's provider): for an Upbound registry a cached short-lived
// credential while it is fresh, else one exchange of the robot token under
// a lock that every process asking at once shares; for any other registry
// what was stored for it.
//
// The warm path reads one cache file: no keyring, no network, no libcurl.
#pragma once

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

// Drops cached credentials for host (store and erase call it).
void InvalidateUpboundCache(Context& ctx, const std::string& host);

}  // namespace dcu
