#include "helper/upbound/credential.h"

#include "helper/upbound/exchange.h"
#include "helper/upbound/robot_token.h"
#include "helper/upbound/token_cache.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

// Everything the exchanged credential depends on besides the token source.
std::string Identity(const Settings& s, const std::string& source) {
  std::string endpoint = s.exchange == ExchangeKind::kOrgToken ? s.auth_endpoint : s.api_endpoint;
  return std::string(ExchangeKindName(s.exchange)) + "\n" + endpoint + "\n" + s.organization + "\n" + source;
}

void Debug(Context& ctx, const std::string& host, const std::string& line) { ctx.log.Debug(host + ": " + line); }

}  // namespace

StatusOr<RegistryCredential> CredentialFor(Context& ctx, const std::string& key) {
  if (ctx.settings().IsUpboundRegistry(key)) return GetUpboundCredential(ctx, key);
  StatusOr<Credential> stored = ctx.Store().Get(key);
  if (!stored.ok()) return stored.status();
  return RegistryCredential{std::move(stored->username), std::move(stored->secret), 0, 0};
}

StatusOr<RegistryCredential> GetUpboundCredential(Context& ctx, const std::string& host) {
  const Settings& settings = ctx.settings();
  FileSystem& fs = ctx.fs;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(settings.timeout_seconds);
  auto load_robot = [&]() -> StatusOr<RobotToken> {
    StatusOr<RobotToken> robot = LoadRobotToken(settings, host, fs, [&ctx]() -> SecretStore& { return ctx.Store(); });
    // Without a usable keyring (a CI runner, a node) public packages must
    // still pull: answer "not found" so the client goes on anonymously.
    if (robot.status().code() == Code::kUnavailable && settings.robot_token_file.empty() &&
        settings.robot_token.empty()) {
      ctx.log.Warning(host + ": " + robot.status().message() + "; answering without credentials");
      return Status::NotFound("no robot token for " + host);
    }
    return robot;
  };

  if (settings.exchange == ExchangeKind::kDirect) {
    // Nothing to exchange, so nothing to cache: the pair docker login documents.
    StatusOr<RobotToken> robot = load_robot();
    if (!robot.ok()) return robot.status();
    Debug(ctx, host, "direct: robot token from " + robot->origin);
    return RegistryCredential{std::move(robot->access_id), std::move(robot->token), fs.Now(), 0};
  }

  StatusOr<std::string> source = TokenSourceIdentity(settings, fs);
  if (!source.ok()) return source.status();
  const std::string identity = Identity(settings, *source);
  TokenCache cache(fs, settings.cache_dir);

  StatusOr<RegistryCredential> cached = cache.Load(host, identity);
  std::int64_t now = fs.Now();
  if (cached.ok() && !NeedsRefresh(*cached, now)) {
    Debug(ctx, host, "cache hit, expires in " + std::to_string(cached->expires_at - now) + " s");
    return std::move(*cached);
  }

  // Single flight: whoever holds the lock exchanges; the others wait, then
  // find its result in the cache. An early refresh keeps nobody waiting:
  // while another process refreshes, the current credential still serves.
  bool usable = cached.ok() && IsUsable(*cached, now);
  StatusOr<std::unique_ptr<FileLock>> lock = cache.Lock(host, identity, usable ? Clock::now() : deadline);
  if (!lock.ok()) {
    if (usable) {
      Debug(ctx, host, "another process is refreshing; serving the cached credential");
      return std::move(*cached);
    }
    return lock.status();
  }
  StatusOr<RegistryCredential> fresh = cache.Load(host, identity);
  now = fs.Now();
  if (fresh.ok() && !NeedsRefresh(*fresh, now)) {
    Debug(ctx, host, "refreshed by another process");
    return std::move(*fresh);
  }
  if (fresh.ok()) cached = std::move(fresh);

  StatusOr<RobotToken> robot = load_robot();
  if (!robot.ok()) return robot.status();
  Debug(ctx, host,
        std::string(ExchangeKindName(settings.exchange)) + " exchange with the robot token from " + robot->origin);
  HttpClient http = ctx.Http();
  StatusOr<RegistryCredential> exchanged = ExchangeRobotToken(settings, *robot, http, fs.Now(), deadline);
  Wipe(robot->token);
  if (!exchanged.ok()) {
    // While Upbound is unreachable, a credential that still works is served.
    if (exchanged.status().code() == Code::kUnavailable && cached.ok() && IsUsable(*cached, fs.Now())) {
      Debug(ctx, host, "serving the cached credential: " + exchanged.status().message());
      return std::move(*cached);
    }
    return exchanged.status();
  }
  Status saved = cache.Save(host, identity, *exchanged);
  if (!saved.ok()) Debug(ctx, host, "not cached: " + saved.message());
  Debug(ctx, host, "exchanged, lifetime " + std::to_string(exchanged->expires_at - exchanged->obtained_at) + " s");
  return std::move(*exchanged);
}

void InvalidateUpboundCache(Context& ctx, const std::string& host) {
  TokenCache(ctx.fs, ctx.settings().cache_dir).Invalidate(host).ok();
}

}  // namespace dcu
