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
};

}  // namespace dcu
