#include "helper/commands/doctor/repository_probe.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/base/wipe.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/verify.h"

namespace dcu::doctor {
namespace {

using json = nlohmann::json;

std::string StringField(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

bool Has(const KindGrant& g, const char* action) {
  return std::find(g.actions.begin(), g.actions.end(), action) != g.actions.end();
}

std::string Choose(const std::vector<KindGrant>& kinds, ExchangeKind current, const char* action) {
  for (const KindGrant& g : kinds) {
    if (g.kind == current && Has(g, action)) return ExchangeKindName(g.kind);
  }
  for (const KindGrant& g : kinds) {
    if (Has(g, action)) return ExchangeKindName(g.kind);
  }
  return "";
}

// The scope whose token asks: the organization named like the repository's
// first part, else the first served host with a token.
const ScopeToken* PickScope(const DoctorState& st, const std::string& org) {
  for (const ScopeToken& s : st.scopes) {
    if (s.robot && s.scope.key != s.scope.host && s.scope.settings.organization == org) return &s;
  }
  for (const ScopeToken& s : st.scopes) {
    if (s.robot && s.scope.key == s.scope.host) return &s;
  }
  return nullptr;
}

KindGrant Ask(Context& ctx, DoctorState& st, const ScopeToken& scope, ExchangeKind kind, const std::string& org,
              const std::string& repository) {
  KindGrant g;
  g.kind = kind;
  Settings settings = scope.scope.settings;
  settings.exchange = kind;
  if (kind == ExchangeKind::kOrgToken && settings.organization.empty()) settings.organization = org;
  TokenRequest request;
  request.scope = "repository:" + repository + ":pull,push";
  if (kind == ExchangeKind::kDirect) {
    request.username = scope.robot->access_id;
    request.password = scope.robot->token;
    request.who = "robot " + scope.robot->access_id;
  } else {
    HttpClient http = ctx.Http(1);
    StatusOr<RegistryCredential> got = ExchangeRobotToken(settings, *scope.robot, http, ctx.fs.Now(), StepDeadline(ctx));
    if (!got.ok()) {
      g.error = "exchange failed: " + got.status().message();
      return g;
    }
    if (kind == ExchangeKind::kSession) st.sessions.push_back(got->secret);
    request.username = got->username;
    request.password = got->secret;
    request.who = std::string("the ") + ExchangeKindName(kind) + " credential";
    Wipe(got->secret);
  }
  HttpClient http = ctx.Http(1);
  HttpClient probe = ctx.Http(1);
  std::string issued;
  PairCheck check = AskTokenService(settings, scope.scope.host, request, http, probe, StepDeadline(ctx), &issued);
  Wipe(request.password);
  if (check.outcome != PairCheck::kAccepted) {
    g.error = check.reason;
  } else if (issued.empty()) {
    g.error = "the registry issued no token (" + check.reason + ")";
  } else {
    bool is_jwt = false;
    g.actions = GrantedActions(issued, repository, &is_jwt);
    if (is_jwt) {
      g.asked = true;
    } else {
      g.error = "the issued token is not a JWT, so what it grants cannot be read";
    }
  }
  Wipe(issued);
  return g;
}

}  // namespace

bool ValidRepository(const std::string& repository) {
  if (repository.empty() || repository.size() > 255) return false;
  std::size_t parts = 0;
  std::size_t start = 0;
  while (start <= repository.size()) {
    std::size_t end = repository.find('/', start);
    if (end == std::string::npos) end = repository.size();
    if (end == start) return false;
    for (std::size_t i = start; i < end; ++i) {
      char ch = repository[i];
      bool fine = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
      if (!fine) return false;
    }
    ++parts;
    start = end + 1;
  }
  return parts >= 2;
}

std::vector<std::string> GrantedActions(const std::string& token, const std::string& repository, bool* is_jwt) {
  std::vector<std::string> actions;
  json claims = json::parse(JwtClaims(token), nullptr, false);
  *is_jwt = claims.is_object();
  if (!*is_jwt) return actions;
  auto access = claims.find("access");
  if (access == claims.end() || !access->is_array()) return actions;
  for (const json& entry : *access) {
    if (!entry.is_object() || StringField(entry, "type") != "repository" ||
        StringField(entry, "name") != repository) continue;
    auto granted = entry.find("actions");
    if (granted == entry.end() || !granted->is_array()) continue;
    for (const json& a : *granted) {
      if (a.is_string() && std::find(actions.begin(), actions.end(), a.get<std::string>()) == actions.end()) {
        actions.push_back(a.get<std::string>());
      }
    }
  }
  return actions;
}

RepositoryReport ProbeRepository(Context& ctx, DoctorState& st, const std::string& repository) {
  RepositoryReport r;
  r.repository = repository;
  std::string org = repository.substr(0, repository.find('/'));
  const ScopeToken* scope = PickScope(st, org);
  if (scope == nullptr) {
    r.error = "no robot token to ask with (check 5)";
    return r;
  }
  r.host = scope->scope.host;
  r.access_id = scope->robot->access_id;
  for (ExchangeKind kind : {ExchangeKind::kDirect, ExchangeKind::kSession, ExchangeKind::kOrgToken}) {
    r.kinds.push_back(Ask(ctx, st, *scope, kind, org, repository));
  }
  r.pull = Choose(r.kinds, ctx.settings().exchange, "pull");
  r.push = Choose(r.kinds, ctx.settings().exchange, "push");
  return r;
}

}  // namespace dcu::doctor
