// Dates in HTTP headers (Retry-After, a cookie's Expires), read as
// leniently as browsers read them.
#pragma once

#include <cstdint>
#include <string_view>

namespace dcu {

// Seconds since the Unix epoch, or -1 when text is not a date. Takes RFC
// 9110's IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and the older forms
// ("Sun, 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-1994 ..."), following the
// cookie date algorithm of RFC 6265 section 5.1.1.
std::int64_t ParseHttpDate(std::string_view text);

}  // namespace dcu
