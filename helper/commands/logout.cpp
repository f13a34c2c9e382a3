// logout: remove stored tokens and what the cache derived from them, ending
// the Upbound session first when the exchange made one. Ending the session
// is a courtesy: when it fails the token is removed all the same.
#include <algorithm>
#include <chrono>
#include <set>

#include "helper/base/wipe.h"
#include "helper/commands/commands.h"
#include "helper/commands/server_arg.h"
#include "helper/upbound/end_session.h"
#include "helper/upbound/token_check.h"

namespace dcu {
namespace {

int Fail(Context& ctx, const std::string& message) {
  ctx.log.Error("logout: " + message);
  return 1;
}

// Ends the session the cache holds for scope, if the exchange made one
// that is still live; says what happened.
void EndCachedSession(Context& ctx, const TokenScope& scope) {
  if (scope.settings.exchange != ExchangeKind::kSession) return;
  CacheState cached = InspectCache(ctx, scope, nullptr);
  if (!cached.credential) return;
  std::string sid = std::move(cached.credential->secret);
  if (cached.credential->expires_at <= ctx.fs.Now()) {
    Wipe(sid);
    return;
  }
  HttpClient http = ctx.Http();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(scope.settings.timeout_seconds);
  Status ended = EndSession(scope.settings, sid, http, deadline);
  Wipe(sid);
  if (ended.ok()) {
    ctx.out << scope.key << ": ended the Upbound session\n";
  } else if (ended.IsNotFound()) {
    ctx.out << scope.key << ": the Upbound session had already ended\n";
  } else {
    ctx.log.Warning(scope.key + ": could not end the Upbound session (" + ended.message() +
                    "); it ends by itself when it expires");
  }
}

// Removes key's stored credential and its cache entries. Returns false
// (after saying why) when the secret store failed.
bool Remove(Context& ctx, const std::string& key, const std::string& username) {
  const Settings& settings = ctx.settings();
  if (settings.IsUpboundRegistry(key)) EndCachedSession(ctx, StoredTokenScope(settings, key));
  Status erased = ChangeStoredCredential(ctx, key, [&ctx, &key]() { return ctx.Store().Erase(key); });
  if (!erased.ok()) {
    ctx.log.Error("logout: " + key + ": " + erased.message());
    return false;
  }
  ctx.out << "Removed the credential for " << key << " (user " << username << ") from the secret store"
          << (settings.IsUpboundRegistry(key) ? ", and its cached credentials" : "") << "\n";
  return true;
}

// Drops a scope's cache entries, ending its session first.
bool DropCache(Context& ctx, const TokenScope& scope) {
  EndCachedSession(ctx, scope);
  Status dropped = ChangeStoredCredential(ctx, scope.key, []() { return Status::Ok(); });
  if (!dropped.ok()) {
    ctx.log.Error("logout: " + scope.key + ": " + dropped.message());
    return false;
  }
  return true;
}

int LogoutAll(Context& ctx) {
  const Settings& settings = ctx.settings();
  StatusOr<std::map<std::string, std::string>> stored = ctx.Store().List();
  if (!stored.ok()) return Fail(ctx, "the secret store: " + stored.status().message());
  bool ok = true;
  for (const auto& [key, username] : *stored) ok = Remove(ctx, key, username) && ok;
  // What the environment's or an organization's token made is cached too.
  for (const std::string& host : settings.registry_hosts) {
    if (stored->count(host) == 0) ok = DropCache(ctx, HostScope(settings, host)) && ok;
  }
  for (const Organization& org : settings.organizations) ok = DropCache(ctx, OrganizationScope(settings, org)) && ok;
  if (stored->empty()) ctx.out << "Not logged in anywhere: nothing stored\n";
  ctx.out << "Dropped the cached credentials of " << ServedHostsText(settings)
          << (settings.organizations.empty() ? "" : " and of every organization") << "\n";
  return ok ? 0 : 1;
}

}  // namespace

int RunLogout(Context& ctx, const Args& args) {
  if (args.Has("server") && args.Has("all")) return Fail(ctx, "give --server HOST or --all, not both");
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return Fail(ctx, loaded.message());
  if (args.Has("all")) return LogoutAll(ctx);
  StatusOr<std::string> host = ServerKey(ctx.settings(), args, false);
  if (!host.ok()) return Fail(ctx, host.status().message());
  StatusOr<std::map<std::string, std::string>> stored = ctx.Store().List();
  if (!stored.ok()) return Fail(ctx, "the secret store: " + stored.status().message());
  auto it = stored->find(*host);
  if (it == stored->end()) {
    ctx.out << "Not logged in to " << *host << "\n";
    return 0;
  }
  return Remove(ctx, *host, it->second) ? 0 : 1;
}

}  // namespace dcu
