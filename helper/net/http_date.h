// Dates in HTTP headers (Retry-After, a cookie's Expires), read as
// leniently as browsers read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dcu {

// Seconds since the Unix epoch (negative before 1970), or nullopt when text
// is not a date. Takes RFC 9110's IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
// GMT") and the older forms ("Sun, 06-Nov-94 08:49:37 GMT", "Sunday,
// 06-Nov-1994 ..."), following the cookie date algorithm of RFC 6265
// section 5.1.1: years 1601 to 9999, so the result is always within
// +-2.6e11 and safe to add to or subtract from any other Unix time.
std::optional<std::int64_t> ParseHttpDate(std::string_view text);

}  // namespace dcu
