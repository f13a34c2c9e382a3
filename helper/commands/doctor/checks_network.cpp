// Checks 6, 7 and 8: Upbound's endpoints, the exchange, and the registry's
// token service, each request within the settings' timeout and sent only
// where the URL policy and the realm rules allow.
#include "helper/base/encoding.h"
#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"
#include "helper/commands/doctor/checks.h"
#include "helper/docker/registry_key.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/verify.h"

namespace dcu::doctor {
namespace {

bool IsTlsFailure(const std::string& message) {
  std::string m = ToLower(message);
  return m.find("ssl") != std::string::npos || m.find("certificate") != std::string::npos ||
         m.find("tls") != std::string::npos;
}

constexpr const char* kTlsFix =
    "trust the CA that signed the endpoint's certificate (a proxy's or a self-hosted install's): set "
    "UP_CA_BUNDLE to a PEM file with it, or on Windows import it into the certificate store (certutil "
    "-user -addstore Root FILE)";

struct Answer {
  bool reached = false;
  StatusOr<HttpResponse> response = Status::Unavailable("");
};

Answer Probe(Context& ctx, const std::string& url) {
  HttpClient http = ctx.Http(1);
  HttpRequest request;
  request.url = url;
  Answer a;
  a.response = http.Send(request, StepDeadline(ctx));
  a.reached = a.response.ok();
  return a;
}

// Adds the verdict on one endpoint; returns whether it answered.
bool Judge(Check& c, const std::string& what, const std::string& url, const Answer& a, bool needed,
           const std::string& unneeded_why) {
  if (a.reached) {
    c.Add(Verdict::kOk, what + " answered (HTTP " + std::to_string(a.response->status) + ")");
    return true;
  }
  const Status& why = a.response.status();
  std::string detail = what;
  std::string fix;
  if (why.code() == Code::kInvalidInput) {
    detail += " " + ShownUrl(url) + " is refused: " + why.message();
    fix = "use an https:// endpoint (plain http only on loopback)";
  } else if (IsTlsFailure(why.message())) {
    detail += ": TLS failed: " + why.message();
    fix = kTlsFix;
  } else {
    detail += " unreachable: " + why.message();
    fix = "check the network, the proxy (HTTPS_PROXY) and the endpoint settings (UP_DOMAIN, OVERRIDE_*_ENDPOINT)";
  }
  if (!needed) detail += " (" + unneeded_why + ")";
  c.Add(needed ? Verdict::kFail : Verdict::kWarning, detail, fix);
  return false;
}

std::string EndpointKey(const std::string& url) {
  StatusOr<std::string> key = NormalizeRegistryKey(url);
  return key.ok() ? *key : url;
}

}  // namespace

Check CheckEndpoints(Context& ctx, DoctorState& st) {
  Check c{6, "Upbound's endpoints reachable (TLS valid)"};
  const Settings& s = ctx.settings();
  const std::string kind = ExchangeKindName(s.exchange);
  const std::string unneeded = "the " + kind + " exchange does not use it";

  // One endpoint serving both is asked once: a hanging one costs one timeout.
  std::string api = s.api_endpoint + "/";
  std::string auth = s.auth_endpoint + "/";
  bool same = auth == api;
  bool api_needed = s.exchange == ExchangeKind::kSession || (same && s.exchange == ExchangeKind::kOrgToken);
  st.reach.api = Judge(c, (same ? "API and auth " : "API ") + EndpointKey(s.api_endpoint), api, Probe(ctx, api),
                       api_needed, unneeded);
  if (same) {
    st.reach.auth = st.reach.api;
  } else {
    st.reach.auth = Judge(c, "auth " + EndpointKey(s.auth_endpoint), auth, Probe(ctx, auth),
                          s.exchange == ExchangeKind::kOrgToken, unneeded);
  }

  std::string host = EndpointKey(s.registry_endpoint);
  std::string v2 = s.registry_endpoint + "/v2/";
  Answer registry = Probe(ctx, v2);
  st.reach.registry = Judge(c, "registry " + host, v2, registry, true, "");
  if (!st.reach.registry || registry.response->status != 401) return c;
  std::string realm, service;
  if (!ParseBearerChallenge(registry.response->AllHeaders("WWW-Authenticate"), &realm, &service)) return c;
  if (!TokenRealmAllowed(s, host, realm)) {
    c.Add(Verdict::kWarning, "the registry's token realm " + ShownUrl(realm) + " is not on " + host +
                                 ", so no credential goes there (check 8)",
          "if it is the registry's own token service, list its host in the config key realmHosts");
    return c;
  }
  std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + "service=" + PercentEncode(service);
  st.reach.registry = Judge(c, "token realm " + EndpointKey(realm), url, Probe(ctx, url), true, "");
  return c;
}

Check CheckExchange(Context& ctx, DoctorState& st) {
  Check c{7, "exchange of the robot token"};
  const Settings& s = ctx.settings();
  if (s.exchange == ExchangeKind::kDirect) {
    c.Add(Verdict::kSkipped, "direct: nothing to exchange (check 8 asks the registry with the robot pair)");
    return c;
  }
  bool session = s.exchange == ExchangeKind::kSession;
  for (ScopeToken& scope : st.scopes) {
    const std::string& key = scope.scope.key;
    if (!scope.robot) {
      c.Add(Verdict::kSkipped, key + ": no robot token (check 5)");
      continue;
    }
    if (!session && scope.scope.settings.organization.empty()) {
      c.Add(Verdict::kFail, key + ": the org-token exchange needs an organization",
            "set UP_ORGANIZATION (or the config key \"organization\")");
      continue;
    }
    if (session ? !st.reach.api : !st.reach.auth) {
      c.Add(Verdict::kSkipped, key + ": " + (session ? "the API" : "the auth endpoint") + " is unreachable (check 6)");
      continue;
    }
    HttpClient http = ctx.Http(1);
    StatusOr<RegistryCredential> got =
        ExchangeRobotToken(scope.scope.settings, *scope.robot, http, ctx.fs.Now(), StepDeadline(ctx));
    if (!got.ok()) {
      bool rejected = got.status().code() == Code::kUnauthenticated;
      c.Add(Verdict::kFail, key + ": " + got.status().message(),
            rejected ? NewTokenFix(scope.scope.host) : "see check 6, then run doctor again");
      continue;
    }
    if (session) st.sessions.push_back(got->secret);
    c.Add(Verdict::kOk, key + ": " + (session ? "a session" : "an org-scoped token for " + scope.scope.settings.organization) +
                            " for robot " + scope.robot->access_id + ", valid " +
                            std::to_string(got->expires_at - got->obtained_at) + " s");
    scope.exchanged = std::move(*got);
    Wipe(got->secret);
  }
  return c;
}

Check CheckRegistry(Context& ctx, DoctorState& st) {
  Check c{8, "registry accepts the credential"};
  const Settings& s = ctx.settings();
  const bool direct = s.exchange == ExchangeKind::kDirect;
  for (ScopeToken& scope : st.scopes) {
    const std::string& key = scope.scope.key;
    if (!scope.robot) {
      c.Add(Verdict::kSkipped, key + ": no robot token (check 5)");
      continue;
    }
    if (!direct && !scope.exchanged) {
      c.Add(Verdict::kSkipped, key + ": no exchanged credential (check 7)");
      continue;
    }
    if (scope.scope.host == EndpointKey(s.registry_endpoint) && !st.reach.registry) {
      c.Add(Verdict::kSkipped, key + ": the registry is unreachable (check 6)");
      continue;
    }
    TokenRequest request;
    if (direct) {
      request = {scope.robot->access_id, scope.robot->token, "robot " + scope.robot->access_id, ""};
    } else {
      request = {scope.exchanged->username, scope.exchanged->secret,
                 std::string("the ") + ExchangeKindName(s.exchange) + " credential of robot " + scope.robot->access_id,
                 ""};
    }
    HttpClient http = ctx.Http(1);
    HttpClient probe = ctx.Http(1);
    PairCheck check = AskTokenService(scope.scope.settings, scope.scope.host, request, http, probe, StepDeadline(ctx));
    Wipe(request.password);
    switch (check.outcome) {
      case PairCheck::kAccepted:
        c.Add(Verdict::kOk, key + ": " + check.reason);
        break;
      case PairCheck::kRejected:
        c.Add(Verdict::kFail, key + ": " + check.reason, NewTokenFix(scope.scope.host));
        break;
      case PairCheck::kRefused:
        c.Add(Verdict::kFail, key + ": " + check.reason,
              "if that host is the registry's own token service, list it in the config key realmHosts");
        break;
      case PairCheck::kUnknown:
        c.Add(Verdict::kFail, key + ": " + check.reason, "see check 6, then run doctor again");
        break;
    }
  }
  return c;
}

void EndSessions(Context& ctx, DoctorState& st) {
  for (std::string& sid : st.sessions) {
    HttpClient http = ctx.Http(1);
    HttpRequest request;
    request.method = "POST";
    request.url = ctx.settings().api_endpoint + "/v1/logout";
    request.headers.emplace_back("Cookie", "SID=" + sid);
    StatusOr<HttpResponse> ended = http.Send(request, StepDeadline(ctx));
    Wipe(request.headers.back().second);
    if (!ended.ok() || ended->status != 200) ctx.log.Debug("doctor: a session it opened could not be ended");
    Wipe(sid);
  }
  st.sessions.clear();
}

}  // namespace dcu::doctor
