// SHA-256, for cache file names: a one-way digest of what identifies a
// credential, so that no token is ever written in a name.
#pragma once

#include <string>
#include <string_view>

namespace dcu {

// The lower-case hex SHA-256 of data (64 characters).
std::string Sha256Hex(std::string_view data);

}  // namespace dcu
