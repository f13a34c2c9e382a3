#include "helper/kubelet/provider.h"

#include <algorithm>
#include <chrono>

#include "helper/base/wipe.h"
#include "helper/docker/wire.h"
#include "helper/kubelet/image.h"
#include "helper/kubelet/service_account.h"
#include "helper/kubelet/strings.h"
#include "helper/kubelet/wire.h"
#include "helper/upbound/credential.h"
#include "helper/upbound/token_cache.h"

namespace dcu::kubelet {
namespace {

using Clock = std::chrono::steady_clock;

int Fail(Context& ctx, const Status& status) {
  ctx.log.Say("error: " + status.message());
  return 1;
}

int Answer(Context& ctx, const ProviderResponse& response) {
  std::string text = FormatProviderResponse(response);
  ctx.DisarmWatchdog();  // from here on the answer is written whole
  ctx.out << text;
  ctx.out.flush();
  Wipe(text);
  return 0;
}

// An answer without credentials that the kubelet must not cache: whatever
// was missing (a token, a namespace's permission) may be there next time.
int AnswerNothing(Context& ctx, ProviderResponse& response, const std::string& why) {
  ctx.log.Say(why + "; answering without credentials");
  response.cache_seconds = 0;
  return Answer(ctx, response);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Whether a pod with this service-account token may use org's token.
Status Authorize(const Organization& org, const std::string& token) {
  std::string serves = "organization " + org.name + " serves only pods in " + Join(org.namespaces);
  if (token.empty()) {
    return Status::InvalidInput(serves + ", and the request carries no service-account token (set "
                                         "tokenAttributes in the kubelet's credential provider config)");
  }
  StatusOr<ServiceAccount> account = ServiceAccountOf(token);
  if (!account.ok()) return Status::InvalidInput(serves + ": " + account.status().message());
  if (std::find(org.namespaces.begin(), org.namespaces.end(), account->ns) == org.namespaces.end()) {
    return Status::InvalidInput(serves + ", not " + account->ns + " (service account " + account->ns + "/" +
                                account->name + ")");
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::int64_t> CacheSeconds(const RegistryCredential& cred, int verify_period, std::int64_t now) {
  std::int64_t until = 0;
  if (cred.expires_at > 0) {
    until = now < RefreshAt(cred) ? RefreshAt(cred) : UsableUntil(cred);
  } else if (cred.verified_until > 0) {
    until = cred.verified_until;
  } else if (verify_period == 0) {
    return std::nullopt;
  }
  return std::max<std::int64_t>(0, until - now);
}

int RunKubelet(Context& ctx) {
  ctx.ArmWatchdog(kWatchdogSeconds, "docker-credential-upbound: error: kubelet: no answer within 45 s; giving up "
                                    "before the kubelet's one-minute limit\n");
  StatusOr<std::string> input = ReadAllInput(ctx.in);
  if (!input.ok()) return Fail(ctx, input.status());
  StatusOr<ProviderRequest> request = ParseProviderRequest(*input);
  Wipe(*input);
  if (!request.ok()) return Fail(ctx, request.status());
  StatusOr<Image> image = ParseImage(request->image);
  if (!image.ok()) return Fail(ctx, image.status());
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return Fail(ctx, loaded);
  const Settings& settings = ctx.settings();

  // Organizations share a registry host, so the kubelet must cache per
  // image, not per host, or one organization's answer would serve another's.
  ProviderResponse response{request->api_version,
                            settings.organizations.empty() ? kCacheByRegistry : kCacheByImage, std::nullopt, {}};
  if (!settings.IsUpboundRegistry(image->host_key)) {
    ctx.log.Debug(request->image + ": not a served Upbound registry; answering without credentials");
    return Answer(ctx, response);
  }
  const Organization* org = MatchOrganization(settings.organizations, image->host_key, image->path);
  if (org != nullptr && !org->namespaces.empty()) {
    Status allowed = Authorize(*org, request->service_account_token);
    if (!allowed.ok()) return AnswerNothing(ctx, response, request->image + ": " + allowed.message());
  }
  TokenScope scope = org != nullptr ? OrganizationScope(settings, *org) : HostScope(settings, image->host_key);
  scope.settings.timeout_seconds = std::min(settings.timeout_seconds, kMaxSeconds);
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(scope.settings.timeout_seconds);
  StatusOr<RegistryCredential> cred = GetUpboundCredential(ctx, scope, deadline);
  if (!cred.ok() && cred.status().IsNotFound()) {
    return AnswerNothing(ctx, response, scope.key + ": no credential (" + cred.status().message() + ")");
  }
  if (!cred.ok()) return Fail(ctx, cred.status());
  if (!request->service_account_token.empty() && cred->secret == request->service_account_token) {
    Wipe(cred->secret);
    return AnswerNothing(ctx, response, scope.key + ": the credential is the pod's service-account token");
  }
  Wipe(request->service_account_token);
  // The kubelet matches keys against the image as it wrote it: its host
  // spelling (port included), then the organization's path.
  std::string key = image->host + (org != nullptr && !org->prefix_path.empty() ? "/" + org->prefix_path : "");
  response.cache_seconds = CacheSeconds(*cred, settings.verify_period_seconds, ctx.fs.Now());
  response.auth[key] = {cred->username, cred->secret};
  Wipe(cred->secret);
  int code = Answer(ctx, response);
  Wipe(response.auth[key].password);
  return code;
}

}  // namespace dcu::kubelet
