// The exchanges of a robot token for a short-lived registry credential
// (UPBOUND.md): a session login, or the RFC 8693 org-scoped token exchange.
// ("direct" is no exchange: the caller hands out the pair itself.) The robot
// token is only ever sent to the configured API or auth endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "helper/net/http_client.h"
#include "helper/upbound/robot_token.h"
#include "helper/settings.h"
#include "helper/base/status.h"
#include "helper/upbound/registry_credential.h"

namespace dcu {

// Exchanges robot as settings.exchange says (precondition: session or
// org-token); the credential is stamped obtained at `now` (Unix seconds).
// Unauthenticated when Upbound rejects the token (naming the endpoint),
// Unavailable when it cannot be reached or answers nonsense.
StatusOr<RegistryCredential> ExchangeRobotToken(const Settings& settings, const RobotToken& robot,
                                                HttpClient& http, std::int64_t now,
                                                std::chrono::steady_clock::time_point deadline);

// The session lifetime a login's Set-Cookie values give, as RFC 6265 5.3
// reads them (the last valid Max-Age, else the last valid Expires), or
// `fallback` seconds when they give none; at most kMaxLifetimeSeconds.
// Negative when the cookie is already expired (Max-Age zero or less, an
// Expires not after `now`, before 1970 included).
std::int64_t SessionLifetime(const std::string& set_cookie, std::int64_t fallback,
                             std::chrono::system_clock::time_point now);

// The value of cookie `name` among Set-Cookie header values, or "".
std::string CookieValue(const std::vector<std::string>& set_cookies, const std::string& name,
                        std::string* whole_header = nullptr);

}  // namespace dcu
