#include "helper/upbound_credentials.h"

#include <ostream>

#include "helper/exchange.h"
#include "helper/robot_token.h"
#include "helper/token_cache.h"
#include "helper/wipe.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

// Everything the exchanged credential depends on besides the token source.
std::string Identity(const Settings& s, const std::string& source) {
  std::string endpoint = s.exchange == ExchangeKind::kOrgToken ? s.auth_endpoint : s.api_endpoint;
  return std::string(ExchangeKindName(s.exchange)) + "\n" + endpoint + "\n" + s.organization + "\n" + source;
}

void Debug(const Settings& s, UpboundDeps& deps, const std::string& host, const std::string& line) {
  if (s.debug) deps.debug << "docker-credential-upbound: debug: " << host << ": " << line << "\n";
}

RegistryCredential FromCache(CachedCredential&& c) { return {std::move(c.username), std::move(c.secret)}; }

}  // namespace

StatusOr<RegistryCredential> GetUpboundCredential(const Settings& settings, const Env& env,
                                                  const std::string& host, UpboundDeps& deps) {
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(settings.timeout_seconds);
  auto load_robot = [&]() -> StatusOr<RobotToken> {
    StatusOr<RobotToken> robot = LoadRobotToken(settings, host, deps.store);
    // Without a usable keyring (a CI runner, a node) public packages must
    // still pull: answer "not found" so the client goes on anonymously.
    if (robot.status().code() == Code::kUnavailable && settings.robot_token_file.empty() &&
        settings.robot_token.empty()) {
      deps.debug << "docker-credential-upbound: warning: " << host << ": " << robot.status().message()
                 << "; answering without credentials\n";
      return Status::NotFound("no robot token for " + host);
    }
    return robot;
  };

  if (settings.exchange == ExchangeKind::kDirect) {
    // Nothing to exchange, so nothing to cache: the pair docker login documents.
    StatusOr<RobotToken> robot = load_robot();
    if (!robot.ok()) return robot.status();
    Debug(settings, deps, host, "direct: robot token from " + robot->origin);
    return RegistryCredential{robot->access_id, robot->token};
  }

  StatusOr<std::string> source = TokenSourceIdentity(settings, deps.fs);
  if (!source.ok()) return source.status();
  const std::string identity = Identity(settings, *source);
  TokenCache cache(deps.fs, CacheDir(settings, env));

  StatusOr<CachedCredential> cached = cache.Load(host, identity);
  std::int64_t now = deps.fs.Now();
  if (cached.ok() && !NeedsRefresh(*cached, now)) {
    Debug(settings, deps, host, "cache hit, expires in " + std::to_string(cached->expires_at - now) + " s");
    return FromCache(std::move(*cached));
  }

  // Single flight: whoever holds the lock exchanges; the others wait, then
  // find its result in the cache. An early refresh keeps nobody waiting:
  // while another process refreshes, the current credential still serves.
  bool usable = cached.ok() && IsUsable(*cached, now);
  StatusOr<std::unique_ptr<FileLock>> lock = cache.Lock(host, identity, usable ? Clock::now() : deadline);
  if (!lock.ok()) {
    if (usable) {
      Debug(settings, deps, host, "another process is refreshing; serving the cached credential");
      return FromCache(std::move(*cached));
    }
    return lock.status();
  }
  StatusOr<CachedCredential> fresh = cache.Load(host, identity);
  now = deps.fs.Now();
  if (fresh.ok() && !NeedsRefresh(*fresh, now)) {
    Debug(settings, deps, host, "refreshed by another process");
    return FromCache(std::move(*fresh));
  }
  if (fresh.ok()) cached = std::move(fresh);

  StatusOr<RobotToken> robot = load_robot();
  if (!robot.ok()) return robot.status();
  Debug(settings, deps, host,
        std::string(ExchangeKindName(settings.exchange)) + " exchange with the robot token from " + robot->origin);
  std::unique_ptr<HttpTransport> http = deps.http();
  StatusOr<ExchangedCredential> exchanged = ExchangeRobotToken(settings, *robot, *http, deps.retry, deadline);
  Wipe(robot->token);
  if (!exchanged.ok()) {
    // While Upbound is unreachable, a credential that still works is served.
    if (exchanged.status().code() == Code::kUnavailable && cached.ok() && IsUsable(*cached, deps.fs.Now())) {
      Debug(settings, deps, host, "serving the cached credential: " + exchanged.status().message());
      return FromCache(std::move(*cached));
    }
    return exchanged.status();
  }
  CachedCredential entry{exchanged->username, exchanged->secret, deps.fs.Now(), 0};
  entry.expires_at = entry.obtained_at + exchanged->lifetime_seconds;
  Wipe(exchanged->secret);
  Status saved = cache.Save(host, identity, entry);
  if (!saved.ok()) Debug(settings, deps, host, "not cached: " + saved.message());
  Debug(settings, deps, host, "exchanged, lifetime " + std::to_string(entry.expires_at - entry.obtained_at) + " s");
  return FromCache(std::move(entry));
}

void InvalidateUpboundCache(const Settings& settings, const Env& env, const std::string& host,
                            FileSystem& fs) {
  TokenCache(fs, CacheDir(settings, env)).Invalidate(host).ok();
}

}  // namespace dcu
