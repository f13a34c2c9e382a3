// What the cache names an entry by, besides the host: everything a cached
// credential or verdict derives from, with no secret in it. Every reader and
// writer of the cache (get, login, status, logout) computes it here.
#pragma once

#include <string>

#include "helper/settings.h"
#include "helper/upbound/robot_token.h"

namespace dcu {

// An exchanged credential: the exchange, its endpoint and organization, and
// source (TokenSourceIdentity: the token file, an environment token's
// digest, or "keyring").
std::string ExchangeIdentity(const Settings& settings, const std::string& source);

// A direct pair's verdict: the registry and the pair itself (only its
// digest: the verdict file holds no secret).
std::string VerdictIdentity(const Settings& settings, const RobotToken& robot);

}  // namespace dcu
