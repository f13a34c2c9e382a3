// Encodings for HTTP: Base64 (RFC 4648, with padding) for Basic
// credentials, percent-encoding (RFC 3986 unreserved characters kept) for
// query strings and form bodies.
#pragma once

#include <string>
#include <string_view>

namespace dcu {

std::string Base64Encode(std::string_view data);

// Every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex).
std::string PercentEncode(std::string_view data);

}  // namespace dcu
