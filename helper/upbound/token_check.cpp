#include "helper/upbound/token_check.h"

#include "helper/base/shown_url.h"
#include "helper/base/wipe.h"
#include "helper/upbound/cache_identity.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/verify.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

TokenCheck Checked(TokenCheck::Outcome outcome, std::string reason) {
  TokenCheck check;
  check.outcome = outcome;
  check.reason = std::move(reason);
  return check;
}

TokenCheck CheckPair(Context& ctx, const TokenScope& scope, const RobotToken& robot, Clock::time_point deadline) {
  HttpClient http = ctx.Http();
  HttpClient probe = ctx.Http(1);
  PairCheck pair = VerifyPair(scope.settings, scope.host, robot, http, probe, deadline);
  switch (pair.outcome) {
    case PairCheck::kAccepted: break;
    case PairCheck::kRejected:
    case PairCheck::kRefused: return Checked(TokenCheck::kRejected, pair.reason);
    case PairCheck::kUnknown: return Checked(TokenCheck::kUnreachable, pair.reason);
  }
  TokenCheck check = Checked(TokenCheck::kAccepted, pair.reason);
  check.verdict.kind = Verdict::kAccepted;
  check.verdict.reason = pair.reason;
  check.verdict.checked_at = ctx.fs.Now();
  check.verdict.until = check.verdict.checked_at + scope.settings.verify_period_seconds;
  return check;
}

TokenCheck CheckExchange(Context& ctx, const TokenScope& scope, const RobotToken& robot, Clock::time_point deadline) {
  const Settings& s = scope.settings;
  if (s.exchange == ExchangeKind::kOrgToken && s.organization.empty()) {
    return Checked(TokenCheck::kUnreachable, "the org-token exchange needs an organization: set UP_ORGANIZATION");
  }
  HttpClient http = ctx.Http();
  StatusOr<RegistryCredential> exchanged = ExchangeRobotToken(s, robot, http, ctx.fs.Now(), deadline);
  if (!exchanged.ok()) {
    bool rejected = exchanged.status().code() == Code::kUnauthenticated;
    return Checked(rejected ? TokenCheck::kRejected : TokenCheck::kUnreachable, exchanged.status().message());
  }
  std::string what = s.exchange == ExchangeKind::kOrgToken
                         ? "Upbound's org-scoped token exchange (" + ShownUrl(s.auth_endpoint) + ", organization " +
                               s.organization + ")"
                         : "Upbound's session login (" + ShownUrl(s.api_endpoint) + ")";
  TokenCheck check = Checked(TokenCheck::kAccepted, what + " accepted robot " + robot.access_id);
  check.exchanged = std::move(*exchanged);
  return check;
}

}  // namespace

TokenCheck CheckRobotToken(Context& ctx, const TokenScope& scope, const RobotToken& robot, Clock::time_point deadline) {
  if (scope.settings.exchange == ExchangeKind::kDirect) return CheckPair(ctx, scope, robot, deadline);
  return CheckExchange(ctx, scope, robot, deadline);
}

Status StoreRobotToken(Context& ctx, const std::string& host, const RobotToken& robot, const TokenCheck* check,
                       bool* seeded) {
  *seeded = false;
  const TokenScope scope = StoredTokenScope(ctx.settings(), host);
  auto seed = [&](TokenCache& cache) {
    if (check == nullptr || check->outcome != TokenCheck::kAccepted) return;
    const Settings& s = scope.settings;
    Status saved = Status::Ok();
    if (s.exchange == ExchangeKind::kDirect) {
      if (s.verify_period_seconds <= 0) return;  // get never asks: nothing to save it
      saved = cache.SaveVerdict(scope.key, VerdictIdentity(s, robot), check->verdict);
    } else {
      StatusOr<std::string> source = TokenSourceIdentity(s, ctx.fs);
      if (!source.ok()) return;
      saved = cache.Save(scope.key, ExchangeIdentity(s, *source), check->exchanged);
    }
    if (!saved.ok()) {
      ctx.log.Debug(host + ": not cached: " + saved.message());
      return;
    }
    *seeded = true;
  };
  Credential cred{host, robot.access_id, robot.token};
  Status stored = ChangeStoredCredential(ctx, host, [&ctx, &cred]() { return ctx.Store().Put(cred); }, seed);
  Wipe(cred.secret);
  return stored;
}

CacheState InspectCache(Context& ctx, const TokenScope& scope, const RobotToken* robot) {
  const Settings& s = scope.settings;
  TokenCache cache(ctx.fs, s.cache_dir);
  CacheState state;
  if (s.exchange == ExchangeKind::kDirect) {
    if (robot != nullptr) {
      StatusOr<Verdict> verdict = cache.LoadVerdict(scope.key, VerdictIdentity(s, *robot));
      if (verdict.ok()) state.verdict = std::move(*verdict);
    }
  } else if (StatusOr<std::string> source = TokenSourceIdentity(s, ctx.fs); source.ok()) {
    const std::string identity = ExchangeIdentity(s, *source);
    StatusOr<RegistryCredential> cred = cache.Load(scope.key, identity);
    if (cred.ok()) state.credential = std::move(*cred);
    StatusOr<Verdict> verdict = cache.LoadVerdict(scope.key, identity);
    if (verdict.ok()) state.verdict = std::move(*verdict);
  }
  StatusOr<LastFailure> failure = cache.LoadFailure(scope.key);
  if (failure.ok()) state.failure = std::move(*failure);
  return state;
}

}  // namespace dcu
