// A credential a registry accepts: what an exchange returns, the cache
// holds and every front end hands out.
#pragma once

#include <cstdint>
#include <string>

namespace dcu {

struct RegistryCredential {
  std::string username;
  std::string secret;
  std::int64_t obtained_at = 0;  // Unix seconds
  // Unix seconds; 0 when nothing says it expires (a stored pair, direct).
  std::int64_t expires_at = 0;
  // A direct pair: Unix seconds until which the registry's acceptance
  // holds (the verification period); 0 when it was not verified.
  std::int64_t verified_until = 0;
};

// No credential Upbound issues lives longer than a session (30 days). Every
// lifetime read from the network or from a file is clamped to this, so a
// hostile number cannot overflow arithmetic or pin a credential for decades.
constexpr std::int64_t kMaxLifetimeSeconds = 30 * 24 * 3600;

// seconds clamped to [0, kMaxLifetimeSeconds]; NaN and negatives give 0.
inline std::int64_t ClampLifetime(double seconds) {
  if (!(seconds > 0)) return 0;
  if (seconds >= static_cast<double>(kMaxLifetimeSeconds)) return kMaxLifetimeSeconds;
  return static_cast<std::int64_t>(seconds);
}

}  // namespace dcu
