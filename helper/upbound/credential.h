// Which credential a registry gets, for any front end (Docker's `get`, the
// kubelet's provider): for an Upbound registry a cached short-lived
// credential while it is fresh, else one exchange of the robot token under
// a lock that every process asking at once shares; for any other registry
// what was stored for it.
//
// The warm path reads one cache file: no keyring, no network, no libcurl.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "helper/base/status.h"
#include "helper/context.h"
#include "helper/upbound/registry_credential.h"
#include "helper/upbound/token_cache.h"

namespace dcu {

// key: a canonical registry key. NotFound when nothing is configured or
// stored for it (the caller answers "not found", so clients pull
// anonymously). Precondition: ctx.LoadSettings() succeeded.
StatusOr<RegistryCredential> CredentialFor(Context& ctx, const std::string& key);

// Whose robot token a credential derives from, and the name its cache
// entries and lock go by: a served registry's default token (key == host),
// or an organization's (key == its prefix, so that each organization has
// its own cache entry and lock).
struct TokenScope {
  std::string host;   // canonical registry key: where the credential is used and verified
  std::string key;    // names the cache entries, the lock and messages
  Settings settings;  // with this scope's token source and organization
};

TokenScope HostScope(const Settings& settings, const std::string& host);
// The token the secret store holds for host, whatever the environment
// says: what login stores and logout removes, and their cache entries.
TokenScope StoredTokenScope(const Settings& settings, const std::string& host);
// The token in org.robot_token_file, exchanged for org.name.
TokenScope OrganizationScope(const Settings& settings, const Organization& org);

// The credential for a scope on a served Upbound host, by the settings'
// exchange, with its expiry (0 for the direct pair, which carries none) and,
// for a direct pair, until when its verification holds. Ends by deadline.
StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const TokenScope& scope,
                                                  std::chrono::steady_clock::time_point deadline);
// The same for a host's default token, within the settings' timeout.
// Both record a failure other than NotFound, and a rejected token, in the
// cache for status (TokenCache::SaveFailure under scope.key); a success
// clears that record.
StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const std::string& host);

// Runs change (a store or erase of key's secret store item) under key's
// lock, then drops what the cache derived for key (a served registry or an
// organization prefix), so that once it returns no credential derived from
// the previous item is served, and concurrent changes of one key happen one
// after the other. then, when given, runs last with the cache, only when
// the lock is held (login puts what it verified there); it cannot fail the
// change. Precondition: ctx.LoadSettings() succeeded.
Status ChangeStoredCredential(Context& ctx, const std::string& key, const std::function<Status()>& change,
                              const std::function<void(TokenCache&)>& then = nullptr);

// Whether cred, offered to `store` for a served Upbound host, is what the
// helper itself derived (username "_token", or the cached exchanged
// secret): `docker login HOST` without -u stores what get returned, and
// that must not replace the robot token. True after saying on stderr that
// the robot token stays; InvalidInput for a "_token" credential when no
// robot token exists to keep.
StatusOr<bool> IsDerivedCredential(Context& ctx, const std::string& host, const Credential& cred);

}  // namespace dcu
