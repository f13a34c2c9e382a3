#include "helper/upbound/exchange.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "helper/net/http_date.h"
#include "helper/net/url_policy.h"
#include "helper/base/encoding.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using json = nlohmann::json;

constexpr const char* kOrgTokenPath = "/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens";

// Turns a failed or non-2xx exchange into one line naming the endpoint.
Status Failure(const HttpRequest& request, const StatusOr<HttpResponse>& response) {
  std::string what = request.method + " " + ShownUrl(request.url);
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
  try {
    request.body = body.dump();
  } catch (const json::type_error&) {
    // JSON carries only UTF-8; UP_ROBOT_TOKEN or a legacy keyring item can
    // hold any bytes (found by tests/fuzz/exchange_fuzz.cpp).
    Wipe(body["password"].get_ref<std::string&>());
    return Status::InvalidInput(robot.origin + ": the robot token or its access ID is not UTF-8 text");
  }
  Wipe(body["password"].get_ref<std::string&>());
  StatusOr<HttpResponse> response = http.Send(request, deadline);
  Wipe(request.body);
  if (!response.ok() || response->status < 200 || response->status > 299) return Failure(request, response);

  std::string cookie_header;
  std::string sid = CookieValue(response->AllHeaders("Set-Cookie"), "SID", &cookie_header);
  if (sid.empty()) {
    return Status::Unavailable("Upbound failed: POST " + ShownUrl(request.url) + " answered " +
                               std::to_string(response->status) + " without a SID cookie");
  }
  // A cookie value is printable ASCII without a quote, ';' or a backslash (RFC 6265, as
  // Go's net/http reads it): Docker gets the SID in JSON, which cannot
  // carry other bytes exactly (found by tests/fuzz/exchange_fuzz.cpp).
  if (!std::all_of(sid.begin(), sid.end(),
                   [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != ';' && c != '\\'; })) {
    Wipe(sid);
    return Status::Unavailable("Upbound failed: POST " + ShownUrl(request.url) + " answered " +
                               std::to_string(response->status) + " with a malformed SID cookie");
  }
  std::int64_t lifetime =
      SessionLifetime(cookie_header, settings.session_lifetime_seconds, std::chrono::system_clock::now());
  if (lifetime <= 0) {
    return Status::Unavailable("Upbound failed: POST " + ShownUrl(request.url) + " set an expired SID cookie");
  }
  return RegistryCredential{"_token", sid, now, now + lifetime};
}

StatusOr<RegistryCredential> OrgToken(const Settings& settings, const RobotToken& robot, HttpClient& http,
                                      std::int64_t now, std::chrono::steady_clock::time_point deadline) {
  HttpRequest request;
  request.method = "POST";
  request.url = settings.auth_endpoint + kOrgTokenPath;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = "grant_type=" + PercentEncode("urn:ietf:params:oauth:grant-type:token-exchange") +
                 "&subject_token_type=" + PercentEncode("urn:ietf:params:oauth:token-type:id_token") +
                 "&subject_token=" + PercentEncode(robot.token) +
                 "&scope=" + PercentEncode("upbound:org:" + settings.organization) +
                 "&audience=" + PercentEncode("upbound:spaces:api") +
                 "&audience=" + PercentEncode("upbound:spaces:controlplanes");
  StatusOr<HttpResponse> response = http.Send(request, deadline);
  Wipe(request.body);
  if (!response.ok() || response->status < 200 || response->status > 299) return Failure(request, response);

  json doc = json::parse(response->body, nullptr, false);
  Wipe(response->body);
  Status malformed = Status::Unavailable("Upbound failed: POST " + ShownUrl(request.url) +
                                         " answered without access_token and expires_in");
  if (!doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string() ||
      !doc.contains("expires_in") || !doc["expires_in"].is_number()) {
    return malformed;
  }
  // Clamped as a double: casting 1e300 or -1e300 to an integer is undefined.
  std::int64_t lifetime = ClampLifetime(doc["expires_in"].get<double>());
  RegistryCredential cred{"_token", doc["access_token"].get<std::string>(), now, now + lifetime};
  Wipe(doc["access_token"].get_ref<std::string&>());
  if (cred.secret.empty()) return malformed;
  if (lifetime <= 0) {
    Wipe(cred.secret);
    // The number as Upbound sent it (never the token): says what was wrong.
    return Status::Unavailable("Upbound failed: POST " + ShownUrl(request.url) +
                               " answered an access_token that has already expired (expires_in " +
                               doc["expires_in"].dump() + ")");
  }
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

namespace {

// RFC 6265 5.2.2: "-"? DIGIT+, else the attribute is ignored. Any number of
// digits: the value is clamped, never overflowed and never ignored for its
// length (a 20-digit Max-Age means "as long as you like").
std::optional<std::int64_t> ParseMaxAge(std::string_view value) {
  bool negative = !value.empty() && value.front() == '-';
  std::string_view digits = negative ? value.substr(1) : value;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t seconds = 0;
  for (char c : digits) {
    seconds = seconds * 10 + (c - '0');
    if (seconds > kMaxLifetimeSeconds) seconds = kMaxLifetimeSeconds + 1;  // saturate
  }
  return negative ? -seconds : seconds;
}

}  // namespace

std::int64_t SessionLifetime(const std::string& set_cookie, std::int64_t fallback,
                             std::chrono::system_clock::time_point now) {
  std::int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // RFC 6265 5.3 step 3: the last valid Max-Age wins over any Expires;
  // otherwise the last valid Expires; otherwise the caller's default.
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> expires;
  std::size_t pos = set_cookie.find(';');
  while (pos != std::string::npos) {
    std::size_t next = set_cookie.find(';', pos + 1);
    std::string_view attribute = TrimSpace(std::string_view(set_cookie).substr(pos + 1, next - pos - 1));
    pos = next;
    std::size_t eq = attribute.find('=');
    std::string key = ToLower(TrimSpace(attribute.substr(0, eq)));
    std::string_view value = eq == std::string_view::npos ? "" : TrimSpace(attribute.substr(eq + 1));
    if (key == "max-age") {
      if (std::optional<std::int64_t> seconds = ParseMaxAge(value)) max_age = seconds;
    } else if (key == "expires") {
      // An Expires that cannot be read is ignored, as browsers do. One that
      // can is within +-2.6e11 s (http_date.h): the difference cannot overflow.
      if (std::optional<std::int64_t> at = ParseHttpDate(value)) expires = *at - now_seconds;
    }
  }
  std::int64_t lifetime = max_age ? *max_age : expires ? *expires : fallback;
  // Zero or less is expired; anything else is at most a session's 30 days.
  if (lifetime <= 0) return -1;
  return std::min(lifetime, kMaxLifetimeSeconds);
}

StatusOr<RegistryCredential> ExchangeRobotToken(const Settings& settings, const RobotToken& robot,
                                                HttpClient& http, std::int64_t now,
                                                std::chrono::steady_clock::time_point deadline) {
  if (settings.exchange == ExchangeKind::kOrgToken) return OrgToken(settings, robot, http, now, deadline);
  return Session(settings, robot, http, now, deadline);
}

}  // namespace dcu
