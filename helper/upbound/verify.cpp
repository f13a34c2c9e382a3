#include "helper/upbound/verify.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/base/encoding.h"
#include "helper/base/host_port.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"
#include "helper/docker/registry_key.h"
#include "helper/net/url_policy.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

// "auth-param" lists (RFC 7235): key=token or key="quoted \"string\"".
std::vector<std::pair<std::string, std::string>> AuthParams(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (IsSpace(s[i]) || s[i] == ',')) ++i;
    std::size_t eq = s.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key = ToLower(TrimSpace(s.substr(i, eq - i)));
    i = eq + 1;
    while (i < s.size() && IsSpace(s[i])) ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i]);
      }
      ++i;
    } else {
      std::size_t end = s.find(',', i);
      value = std::string(TrimSpace(s.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end == std::string_view::npos ? s.size() : end;
    }
    params.emplace_back(std::move(key), std::move(value));
  }
  return params;
}

std::string HostName(const std::string& key) {
  StatusOr<HostPort> parsed = ParseHostPort(key);
  return parsed.ok() ? parsed->host : key;
}

// The registry's base URL: the configured endpoint's scheme for its own
// host, https for any other.
std::string RegistryBase(const Settings& settings, const std::string& host) {
  StatusOr<std::string> own = NormalizeRegistryKey(settings.registry_endpoint);
  bool plain = own.ok() && *own == host && settings.registry_endpoint.compare(0, 7, "http://") == 0;
  return (plain ? "http://" : "https://") + host;
}

// Whether the pair may go to realm: the registry's own host name, or one
// the configuration lists. A realm with user info is never one of them.
bool RealmAllowed(const Settings& settings, const std::string& host, const std::string& realm,
                  std::string* realm_host) {
  std::size_t sep = realm.find("://");
  if (sep == std::string::npos) return false;
  std::string authority = realm.substr(sep + 3, realm.find_first_of("/?#", sep + 3) - (sep + 3));
  if (authority.find('@') != std::string::npos) return false;
  StatusOr<std::string> key = NormalizeRegistryKey(realm);
  if (!key.ok()) return false;
  *realm_host = *key;
  if (HostName(*key) == HostName(host)) return true;
  return std::any_of(settings.realm_hosts.begin(), settings.realm_hosts.end(),
                     [&](const std::string& allowed) { return allowed == *key || allowed == HostName(*key); });
}

// The "token" (or "access_token") of a token service's answer, or "".
std::string IssuedToken(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return "";
  for (const char* key : {"token", "access_token"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      std::string token = it->get<std::string>();
      Wipe(it->get_ref<std::string&>());
      return token;
    }
  }
  return "";
}

PairCheck Outcome(PairCheck::Outcome outcome, std::string reason) { return {outcome, std::move(reason)}; }

}  // namespace

bool ParseBearerChallenge(const std::vector<std::string>& headers, std::string* realm, std::string* service) {
  for (const std::string& header : headers) {
    std::string_view h = TrimSpace(header);
    if (h.size() < 7 || !EqualsIgnoreCase(h.substr(0, 6), "bearer") || !IsSpace(h[6])) continue;
    realm->clear();
    service->clear();
    for (const auto& [key, value] : AuthParams(h.substr(7))) {
      if (key == "realm") *realm = value;
      if (key == "service") *service = value;
    }
    if (!realm->empty()) return true;
  }
  return false;
}

bool TokenRealmAllowed(const Settings& settings, const std::string& host, const std::string& realm) {
  std::string realm_host;
  return RealmAllowed(settings, host, realm, &realm_host);
}

PairCheck VerifyPair(const Settings& settings, const std::string& host, const RobotToken& robot,
                     HttpClient& http, HttpClient& probe, Clock::time_point deadline) {
  TokenRequest request{robot.access_id, robot.token, "robot " + robot.access_id, ""};
  PairCheck check = AskTokenService(settings, host, request, http, probe, deadline);
  Wipe(request.password);
  return check;
}

PairCheck AskTokenService(const Settings& settings, const std::string& host, const TokenRequest& request,
                          HttpClient& http, HttpClient& probe, Clock::time_point deadline, std::string* issued) {
  std::string base = RegistryBase(settings, host);
  HttpRequest ping;
  ping.url = base + "/v2/";
  StatusOr<HttpResponse> challenge = Status::Unavailable("");
  if (base.compare(0, 8, "https://") == 0 && CheckUrlAllowed("http://" + host + "/v2/").ok()) {
    // A loopback registry may speak plain http: try https once, then http.
    challenge = probe.Send(ping, deadline);
    if (!challenge.ok() && challenge.status().code() == Code::kUnavailable) {
      base = "http://" + host;
      ping.url = base + "/v2/";
      challenge = http.Send(ping, deadline);
    }
  } else {
    challenge = http.Send(ping, deadline);
  }
  if (!challenge.ok()) return Outcome(PairCheck::kUnknown, "cannot reach " + host + ": " + challenge.status().message());
  if (challenge->status == 200) return Outcome(PairCheck::kAccepted, host + " asks for no credentials");
  if (challenge->status != 401) {
    return Outcome(PairCheck::kUnknown, "GET " + ping.url + " answered " + std::to_string(challenge->status));
  }

  std::string pair = request.username + ":" + request.password;
  std::string basic = "Basic " + Base64Encode(pair);
  Wipe(pair);
  HttpRequest ask;
  std::string realm, service, realm_host;
  const bool bearer = ParseBearerChallenge(challenge->AllHeaders("WWW-Authenticate"), &realm, &service);
  if (bearer) {
    if (!RealmAllowed(settings, host, realm, &realm_host)) {
      return Outcome(PairCheck::kRefused,
                     "the registry's token realm " + ShownUrl(realm) + " is not on " + HostName(host) +
                         "; the credential was not sent there (list its host in the config key realmHosts "
                         "to allow it)");
    }
    ask.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + "service=" + PercentEncode(service);
    if (!request.scope.empty()) ask.url += "&scope=" + PercentEncode(request.scope);
  } else {
    // A registry with Basic authentication checks the pair itself.
    ask.url = ping.url;
    realm_host = host;
  }
  ask.headers.emplace_back("Authorization", basic);
  Wipe(basic);
  StatusOr<HttpResponse> answer = http.Send(ask, deadline);
  Wipe(ask.headers.back().second);
  if (!answer.ok() && answer.status().code() == Code::kInvalidInput) {
    return Outcome(PairCheck::kRefused, "the credential was not sent to the registry's token realm: " +
                                            answer.status().message());
  }
  if (!answer.ok()) {
    return Outcome(PairCheck::kUnknown, "cannot reach the token service of " + host + ": " + answer.status().message());
  }
  if (answer->status == 200) {
    std::string token = IssuedToken(answer->body);
    Wipe(answer->body);
    // A token service grants with a token; a 200 without one (a proxy's or
    // captive portal's page) says nothing about the pair, and must not be
    // remembered as an acceptance.
    if (bearer && token.empty()) {
      return Outcome(PairCheck::kUnknown, "the token service of " + host + " answered 200 without a token");
    }
    if (issued != nullptr) {
      *issued = std::move(token);
    } else {
      Wipe(token);
    }
    return Outcome(PairCheck::kAccepted, realm_host + " accepted " + request.who);
  }
  if (answer->status == 401 || answer->status == 403) {
    return Outcome(PairCheck::kRejected, "the registry's token service (" + realm_host + ") rejected " +
                                             request.who + " (HTTP " + std::to_string(answer->status) + ")");
  }
  return Outcome(PairCheck::kUnknown, "the token service of " + host + " answered " + std::to_string(answer->status));
}

}  // namespace dcu
