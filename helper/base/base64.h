// Base64 (RFC 4648, with padding): HTTP Basic credentials.
#pragma once

#include <string>
#include <string_view>

namespace dcu {

std::string Base64Encode(std::string_view data);

}  // namespace dcu
