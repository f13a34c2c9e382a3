#include "helper/upbound/exchange.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/net/http_date.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using json = nlohmann::json;

constexpr const char* kOrgTokenPath = "/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens";

std::string UrlEncode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xf]);
    }
  }
  return out;
}

// Turns a failed or non-2xx exchange into one line naming the endpoint.
Status Failure(const HttpRequest& request, const StatusOr<HttpResponse>& response) {
  std::string what = request.method + " " + request.url;
  if (!response.ok()) return Status::Unavailable("cannot reach Upbound: " + response.status().message());
  int status = response->status;
  if (status == 401 || status == 403) {
    return Status::Unauthenticated(
        "Upbound rejected the robot token (revoked, or for another domain or organization): " + what +
        " answered " + std::to_string(status));
  }
  return Status::Unavailable("Upbound failed: " + what + " answered " + std::to_string(status));
}

StatusOr<RegistryCredential> Session(const Settings& settings, const RobotToken& robot, HttpClient& http,
                                     std::int64_t now, std::chrono::steady_clock::time_point deadline) {
  HttpRequest request;
  request.method = "POST";
  request.url = settings.api_endpoint + "/v1/login";
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  json body = {{"id", LoginId(robot)}, {"password", robot.token}, {"remember", true}};
  request.body = body.dump();
  Wipe(body["password"].get_ref<std::string&>());
  StatusOr<HttpResponse> response = http.Send(request, deadline);
  Wipe(request.body);
  if (!response.ok() || response->status < 200 || response->status > 299) return Failure(request, response);

  std::string cookie_header;
  std::string sid = CookieValue(response->AllHeaders("Set-Cookie"), "SID", &cookie_header);
  if (sid.empty()) {
    return Status::Unavailable("Upbound failed: POST " + request.url + " answered " +
                               std::to_string(response->status) + " without a SID cookie");
  }
  std::int64_t lifetime =
      SessionLifetime(cookie_header, settings.session_lifetime_seconds, std::chrono::system_clock::now());
  if (lifetime <= 0) {
    return Status::Unavailable("Upbound failed: POST " + request.url + " set an expired SID cookie");
  }
  return RegistryCredential{"_token", sid, now, now + lifetime};
}

StatusOr<RegistryCredential> OrgToken(const Settings& settings, const RobotToken& robot, HttpClient& http,
                                      std::int64_t now, std::chrono::steady_clock::time_point deadline) {
  HttpRequest request;
  request.method = "POST";
  request.url = settings.auth_endpoint + kOrgTokenPath;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = "grant_type=" + UrlEncode("urn:ietf:params:oauth:grant-type:token-exchange") +
                 "&subject_token_type=" + UrlEncode("urn:ietf:params:oauth:token-type:id_token") +
                 "&subject_token=" + UrlEncode(robot.token) +
                 "&scope=" + UrlEncode("upbound:org:" + settings.organization) +
                 "&audience=" + UrlEncode("upbound:spaces:api") +
                 "&audience=" + UrlEncode("upbound:spaces:controlplanes");
  StatusOr<HttpResponse> response = http.Send(request, deadline);
  Wipe(request.body);
  if (!response.ok() || response->status < 200 || response->status > 299) return Failure(request, response);

  json doc = json::parse(response->body, nullptr, false);
  Wipe(response->body);
  Status malformed = Status::Unavailable("Upbound failed: POST " + request.url +
                                         " answered without access_token and expires_in");
  if (!doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string() ||
      !doc.contains("expires_in") || !doc["expires_in"].is_number()) {
    return malformed;
  }
  double expires_in = doc["expires_in"].get<double>();
  // An absurd lifetime must not overflow the arithmetic: a year is plenty.
  auto lifetime = static_cast<std::int64_t>(std::min(expires_in, 365.0 * 24 * 3600));
  RegistryCredential cred{"_token", doc["access_token"].get<std::string>(), now, now + lifetime};
  Wipe(doc["access_token"].get_ref<std::string&>());
  if (cred.secret.empty() || lifetime <= 0) return malformed;
  return cred;
}

}  // namespace

std::string CookieValue(const std::vector<std::string>& set_cookies, const std::string& name,
                        std::string* whole_header) {
  for (const std::string& header : set_cookies) {
    std::string_view pair = TrimSpace(std::string_view(header).substr(0, header.find(';')));
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || TrimSpace(pair.substr(0, eq)) != name) continue;
    std::string value(TrimSpace(pair.substr(eq + 1)));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (whole_header != nullptr) *whole_header = header;
    return value;
  }
  return "";
}

std::int64_t SessionLifetime(const std::string& set_cookie, std::int64_t fallback,
                             std::chrono::system_clock::time_point now) {
  std::int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::int64_t lifetime = fallback;
  std::size_t pos = set_cookie.find(';');
  while (pos != std::string::npos) {
    std::size_t next = set_cookie.find(';', pos + 1);
    std::string_view attribute = TrimSpace(std::string_view(set_cookie).substr(pos + 1, next - pos - 1));
    pos = next;
    std::size_t eq = attribute.find('=');
    std::string key = ToLower(TrimSpace(attribute.substr(0, eq)));
    std::string value = eq == std::string_view::npos ? "" : std::string(TrimSpace(attribute.substr(eq + 1)));
    if (key == "max-age") {
      // Max-Age wins over Expires (RFC 6265 5.3); zero or less is expired.
      bool negative = !value.empty() && value[0] == '-';
      std::string digits = negative ? value.substr(1) : value;
      if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      return negative ? -1 : std::stoll(digits);
    }
    if (key == "expires") {
      // An Expires that cannot be read is ignored, as browsers do.
      std::int64_t at = ParseHttpDate(value);
      if (at >= 0) lifetime = at - now_seconds;
    }
  }
  return lifetime;
}

StatusOr<RegistryCredential> ExchangeRobotToken(const Settings& settings, const RobotToken& robot,
                                                HttpClient& http, std::int64_t now,
                                                std::chrono::steady_clock::time_point deadline) {
  if (settings.exchange == ExchangeKind::kOrgToken) return OrgToken(settings, robot, http, now, deadline);
  return Session(settings, robot, http, now, deadline);
}

}  // namespace dcu
