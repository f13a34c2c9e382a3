#include "helper/upbound/credential.h"

#include <algorithm>

#include "helper/base/wipe.h"
#include "helper/upbound/cache_identity.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/robot_token.h"
#include "helper/upbound/token_cache.h"
#include "helper/upbound/verify.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

// How long a rejection is remembered: long enough that one `docker pull`
// (which asks several times) costs one request, short enough that a token
// fixed on the server side works again within a minute.
constexpr std::int64_t kRejectionMemory = 60;
constexpr const char* kDerivedUsername = "_token";

void Debug(Context& ctx, const std::string& key, const std::string& line) { ctx.log.Debug(key + ": " + line); }

std::int64_t Age(Context& ctx, const Verdict& v) { return std::max<std::int64_t>(0, ctx.fs.Now() - v.checked_at); }

void RecordFailure(Context& ctx, const std::string& key, const std::string& message) {
  TokenCache cache(ctx.fs, ctx.settings().cache_dir);
  if (Status saved = cache.SaveFailure(key, {ctx.fs.Now(), message}); !saved.ok()) {
    Debug(ctx, key, "cannot record the failure: " + saved.message());
  }
}

// A rejected token answers "not found", so public packages still pull;
// status still shows why.
Status AnswerRejected(Context& ctx, const std::string& key, const Verdict& v) {
  RecordFailure(ctx, key, v.reason);
  ctx.log.Warning(key + ": " + v.reason + " " + std::to_string(Age(ctx, v)) +
                  " s ago; answering without credentials (asking again after " +
                  std::to_string(v.until - ctx.fs.Now()) + " s, or after a store)");
  return Status::NotFound("rejected token for " + key);
}

StatusOr<RobotToken> LoadRobot(Context& ctx, const TokenScope& scope) {
  const Settings& settings = scope.settings;
  StatusOr<RobotToken> robot =
      LoadRobotToken(settings, scope.host, ctx.fs, [&ctx]() -> SecretStore& { return ctx.Store(); });
  // Without a usable keyring (a CI runner, a node) public packages must
  // still pull: answer "not found" so the client goes on anonymously.
  if (robot.status().code() == Code::kUnavailable && settings.robot_token_file.empty() &&
      settings.robot_token.empty()) {
    ctx.log.Warning(scope.key + ": " + robot.status().message() + "; answering without credentials");
    return Status::NotFound("no robot token for " + scope.key);
  }
  return robot;
}

void WarnUncached(Context& ctx, const std::string& key, const Status& why) {
  ctx.log.Warning(key + ": " + why.message() + "; going on without the cache");
}

// The registry's verdict on the pair: from the cache while it holds, else
// asked once under the host's lock (whoever waited finds it in the cache).
// Unavailable when nobody could ask: the pair is then handed out unverified.
// *changed: the token was stored or erased since robot was read (nothing
// asked, nothing cached); the caller reads it again.
StatusOr<Verdict> VerdictFor(Context& ctx, const TokenScope& scope, const RobotToken& robot,
                             Clock::time_point deadline, bool* changed) {
  const Settings& settings = scope.settings;
  const std::string& key = scope.key;
  TokenCache cache(ctx.fs, settings.cache_dir);
  const std::string identity = VerdictIdentity(settings, robot);
  StatusOr<Verdict> verdict = cache.LoadVerdict(key, identity);
  if (verdict.ok()) return verdict;

  bool can_cache = true;
  StatusOr<std::unique_ptr<FileLock>> lock = cache.Lock(key, deadline);
  if (!lock.ok() && lock.status().code() == Code::kUnavailable) return lock.status();
  if (!lock.ok()) {
    WarnUncached(ctx, key, lock.status());
    can_cache = false;
  } else if (verdict = cache.LoadVerdict(key, identity); verdict.ok()) {
    return verdict;  // another process asked while this one waited
  } else {
    // A store or erase (they hold this lock) may have replaced the token
    // since it was read: a verdict on the old one must not outlive it.
    StatusOr<RobotToken> current = LoadRobot(ctx, scope);
    *changed = !current.ok() || current->token != robot.token || current->access_id != robot.access_id;
    if (current.ok()) Wipe(current->token);
    if (*changed) return Status::Unavailable("the robot token changed");
  }
  HttpClient http = ctx.Http();
  HttpClient probe = ctx.Http(1);
  PairCheck check = VerifyPair(settings, scope.host, robot, http, probe, deadline);
  if (check.outcome == PairCheck::kUnknown) return Status::Unavailable(check.reason);
  Verdict v;
  v.kind = check.outcome == PairCheck::kAccepted ? Verdict::kAccepted
           : check.outcome == PairCheck::kRejected ? Verdict::kRejected
                                                   : Verdict::kRefused;
  v.reason = check.reason;
  v.checked_at = ctx.fs.Now();
  v.until = v.checked_at + (v.kind == Verdict::kAccepted ? settings.verify_period_seconds : kRejectionMemory);
  if (can_cache) {
    if (Status saved = cache.SaveVerdict(key, identity, v); !saved.ok()) WarnUncached(ctx, key, saved);
  }
  return v;
}

// The documented pair, unless the registry said no to it.
StatusOr<RegistryCredential> DirectCredential(Context& ctx, const TokenScope& scope, Clock::time_point deadline,
                                              bool retry = true) {
  const std::string& key = scope.key;
  StatusOr<RobotToken> robot = LoadRobot(ctx, scope);
  if (!robot.ok()) return robot.status();
  Debug(ctx, key, "direct: robot token from " + robot->origin);
  std::int64_t verified_until = 0;
  if (scope.settings.verify_period_seconds > 0) {
    bool changed = false;
    StatusOr<Verdict> verdict = VerdictFor(ctx, scope, *robot, deadline, &changed);
    if (changed && retry) {
      Wipe(robot->token);
      return DirectCredential(ctx, scope, deadline, false);
    }
    if (!verdict.ok()) {
      Debug(ctx, key, "handing out the pair unverified: " + verdict.status().message());
    } else if (verdict->kind == Verdict::kAccepted) {
      Debug(ctx, key, verdict->reason + " " + std::to_string(Age(ctx, *verdict)) + " s ago");
      verified_until = verdict->until;
    } else {
      Wipe(robot->token);
      return AnswerRejected(ctx, key, *verdict);
    }
  }
  return RegistryCredential{std::move(robot->access_id), std::move(robot->token), ctx.fs.Now(), 0, verified_until};
}

bool Serves(const StatusOr<RegistryCredential>& c, std::int64_t now) { return c.ok() && IsUsable(*c, now); }

// A session or org-scoped token: cached, refreshed under the host's lock.
StatusOr<RegistryCredential> ExchangedCredential(Context& ctx, const TokenScope& scope,
                                                 Clock::time_point deadline) {
  const Settings& settings = scope.settings;
  const std::string& key = scope.key;
  FileSystem& fs = ctx.fs;
  StatusOr<std::string> source = TokenSourceIdentity(settings, fs);
  if (!source.ok()) return source.status();
  const std::string identity = ExchangeIdentity(settings, *source);
  TokenCache cache(fs, settings.cache_dir);

  StatusOr<RegistryCredential> cached = cache.Load(key, identity);
  if (cached.ok() && !NeedsRefresh(*cached, fs.Now())) {
    Debug(ctx, key, "cache hit, expires in " + std::to_string(cached->expires_at - fs.Now()) + " s");
    return cached;
  }
  // A token Upbound just rejected is not sent again: one pull asks often.
  auto rejected = [&]() -> StatusOr<Verdict> {
    StatusOr<Verdict> v = cache.LoadVerdict(key, identity);
    if (v.ok() && v->kind != Verdict::kRejected) return Status::NotFound("");
    return v;
  };
  if (!Serves(cached, fs.Now())) {
    if (StatusOr<Verdict> v = rejected(); v.ok()) return AnswerRejected(ctx, key, *v);
  }

  // Single flight: whoever holds the lock exchanges; the others wait, then
  // find its result in the cache. An early refresh keeps nobody waiting:
  // while another process refreshes, the current credential still serves.
  bool can_cache = true;
  StatusOr<std::unique_ptr<FileLock>> lock = cache.Lock(key, Serves(cached, fs.Now()) ? Clock::now() : deadline);
  if (!lock.ok()) {
    if (Serves(cached, fs.Now())) {
      Debug(ctx, key, "cannot refresh now (" + lock.status().message() + "); serving the cached credential");
      return cached;
    }
    if (lock.status().code() == Code::kUnavailable) return lock.status();
    WarnUncached(ctx, key, lock.status());
    can_cache = false;
  } else {
    StatusOr<RegistryCredential> fresh = cache.Load(key, identity);
    std::int64_t now = fs.Now();
    bool replaced = fresh.ok() && (!cached.ok() || fresh->obtained_at != cached->obtained_at ||
                                   fresh->secret != cached->secret);
    if (fresh.ok() && (!NeedsRefresh(*fresh, now) || (replaced && IsUsable(*fresh, now)))) {
      Debug(ctx, key, "refreshed by another process");
      return fresh;
    }
    // What the cache holds now replaces what was read before the lock: a
    // store or erase may have dropped it since, and it must not be served.
    cached = std::move(fresh);
    if (!Serves(cached, now)) {
      if (StatusOr<Verdict> v = rejected(); v.ok()) return AnswerRejected(ctx, key, *v);
    }
  }

  StatusOr<RobotToken> robot = LoadRobot(ctx, scope);
  if (!robot.ok()) {
    if (Serves(cached, fs.Now())) {
      Debug(ctx, key, "serving the cached credential: " + robot.status().message());
      return cached;
    }
    return robot.status();
  }
  Debug(ctx, key,
        std::string(ExchangeKindName(settings.exchange)) + " exchange with the robot token from " + robot->origin);
  HttpClient http = ctx.Http();
  StatusOr<RegistryCredential> exchanged = ExchangeRobotToken(settings, *robot, http, fs.Now(), deadline);
  Wipe(robot->token);
  if (!exchanged.ok()) {
    Verdict v{Verdict::kRejected, exchanged.status().message(), fs.Now(), fs.Now() + kRejectionMemory};
    bool is_rejection = exchanged.status().code() == Code::kUnauthenticated;
    if (is_rejection && can_cache) {
      if (Status saved = cache.SaveVerdict(key, identity, v); !saved.ok()) WarnUncached(ctx, key, saved);
    }
    // While the refresh cannot happen, a credential that still works is served.
    if (Serves(cached, fs.Now())) {
      Debug(ctx, key, "serving the cached credential: " + exchanged.status().message());
      return cached;
    }
    if (is_rejection) return AnswerRejected(ctx, key, v);
    return exchanged.status();
  }
  if (can_cache) {
    if (Status saved = cache.Save(key, identity, *exchanged); !saved.ok()) WarnUncached(ctx, key, saved);
  }
  Debug(ctx, key, "exchanged, lifetime " + std::to_string(exchanged->expires_at - exchanged->obtained_at) + " s");
  return exchanged;
}

StatusOr<RegistryCredential> Obtain(Context& ctx, const TokenScope& scope, Clock::time_point deadline) {
  const Settings& s = scope.settings;
  if (s.exchange == ExchangeKind::kDirect) return DirectCredential(ctx, scope, deadline);
  if (s.exchange == ExchangeKind::kOrgToken && s.organization.empty()) {
    return Status::InvalidInput(scope.key + ": the org-token exchange needs an organization: set UP_ORGANIZATION");
  }
  return ExchangedCredential(ctx, scope, deadline);
}

// Whether the cache holds entries for key: a served registry's, or an
// organization's.
bool HasCacheEntries(const Settings& settings, const std::string& key) {
  if (settings.IsUpboundRegistry(key)) return true;
  return std::any_of(settings.organizations.begin(), settings.organizations.end(),
                     [&key](const Organization& org) { return org.Prefix() == key; });
}

}  // namespace

StatusOr<RegistryCredential> CredentialFor(Context& ctx, const std::string& key) {
  if (ctx.settings().IsUpboundRegistry(key)) return GetUpboundCredential(ctx, key);
  Debug(ctx, key, "not a served Upbound registry: what the secret store holds for it");
  StatusOr<Credential> stored = ctx.Store().Get(key);
  if (!stored.ok()) return stored.status();
  return RegistryCredential{std::move(stored->username), std::move(stored->secret), 0, 0};
}

TokenScope HostScope(const Settings& settings, const std::string& host) { return {host, host, settings}; }

TokenScope StoredTokenScope(const Settings& settings, const std::string& host) {
  TokenScope scope{host, host, settings};
  scope.settings.robot_token_file.clear();
  Wipe(scope.settings.robot_token);
  scope.settings.robot_access_id.clear();
  return scope;
}

TokenScope OrganizationScope(const Settings& settings, const Organization& org) {
  TokenScope scope{org.prefix_host, org.Prefix(), settings};
  Settings& s = scope.settings;
  s.robot_token_file = org.robot_token_file;
  s.robot_token_file_label = "organization " + org.name + "'s robotTokenFile";
  Wipe(s.robot_token);
  s.robot_access_id.clear();
  s.organization = org.name;
  return scope;
}

StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const TokenScope& scope,
                                                  Clock::time_point deadline) {
  StatusOr<RegistryCredential> cred = Obtain(ctx, scope, deadline);
  if (cred.ok()) {
    // One unlink of an absent file when nothing failed before.
    (void)TokenCache(ctx.fs, scope.settings.cache_dir).ClearFailure(scope.key);
  } else if (!cred.status().IsNotFound()) {
    RecordFailure(ctx, scope.key, cred.status().message());
  }
  return cred;
}

StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const std::string& host) {
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(ctx.settings().timeout_seconds);
  return GetUpboundCredential(ctx, HostScope(ctx.settings(), host), deadline);
}

Status ChangeStoredCredential(Context& ctx, const std::string& key, const std::function<Status()>& change,
                              const std::function<void(TokenCache&)>& then) {
  const Settings& settings = ctx.settings();
  TokenCache cache(ctx.fs, settings.cache_dir);
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(settings.timeout_seconds);
  StatusOr<std::unique_ptr<FileLock>> lock = cache.Lock(key, deadline);
  if (!lock.ok() && lock.status().code() == Code::kUnavailable) return lock.status();
  // Without a usable cache directory nothing can be cached, so there is
  // nothing to keep consistent; the change still happens.
  if (!lock.ok()) Debug(ctx, key, "changing the stored credential without the lock: " + lock.status().message());
  Status changed = change();
  if (!changed.ok()) return changed;
  if (HasCacheEntries(settings, key)) {
    if (Status dropped = cache.Invalidate(key); !dropped.ok()) {
      return Status::Unavailable("the credential changed, but the cache could not be cleared: " + dropped.message());
    }
  }
  if (then && lock.ok()) then(cache);
  return Status::Ok();
}

StatusOr<bool> IsDerivedCredential(Context& ctx, const std::string& host, const Credential& cred) {
  bool derived = cred.username == kDerivedUsername;
  if (!derived && ctx.settings().exchange != ExchangeKind::kDirect) {
    StatusOr<std::string> source = TokenSourceIdentity(ctx.settings(), ctx.fs);
    if (source.ok()) {
      StatusOr<RegistryCredential> cached =
          TokenCache(ctx.fs, ctx.settings().cache_dir).Load(host, ExchangeIdentity(ctx.settings(), *source));
      derived = cached.ok() && cached->secret == cred.secret;
      if (cached.ok()) Wipe(cached->secret);
    }
  }
  if (!derived) return false;
  StatusOr<RobotToken> robot =
      LoadRobotToken(ctx.settings(), host, ctx.fs, [&ctx]() -> SecretStore& { return ctx.Store(); });
  if (!robot.ok()) {
    return Status::InvalidInput(host + ": \"" + kDerivedUsername +
                                "\" credentials are what the helper derives from a robot token, and there is "
                                "none to keep (" + robot.status().message() +
                                "): docker login " + host + " -u <access ID> --password-stdin");
  }
  Wipe(robot->token);
  ctx.log.Say(host + ": not stored: this is the credential the helper derives from its robot token (" +
              robot->origin + "), which stays in use");
  return true;
}

}  // namespace dcu
