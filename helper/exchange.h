// The exchanges of a robot token for a short-lived registry credential
// (UPBOUND.md): a session login, the RFC 8693 org-scoped token exchange, or
// none ("direct": the access ID and token as `docker login` documents).
// The robot token is only ever sent to the configured API or auth endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "helper/http.h"
#include "helper/retry.h"
#include "helper/robot_token.h"
#include "helper/settings.h"
#include "helper/status.h"

namespace dcu {

struct ExchangedCredential {
  std::string username;
  std::string secret;
  std::int64_t lifetime_seconds = 0;  // 0 for direct: it does not expire
};

// Unauthenticated when Upbound rejects the token (naming the endpoint),
// Unavailable when it cannot be reached or answers nonsense.
StatusOr<ExchangedCredential> ExchangeRobotToken(const Settings& settings, const RobotToken& robot,
                                                 HttpTransport& transport, const RetryPolicy& retry,
                                                 std::chrono::steady_clock::time_point deadline);

// The session lifetime a login's Set-Cookie values give, or `fallback`
// seconds when they give none. Negative when the cookie is already expired.
std::int64_t SessionLifetime(const std::string& set_cookie, std::int64_t fallback,
                             std::chrono::system_clock::time_point now);

// The value of cookie `name` among Set-Cookie header values, or "".
std::string CookieValue(const std::vector<std::string>& set_cookies, const std::string& name,
                        std::string* whole_header = nullptr);

}  // namespace dcu
