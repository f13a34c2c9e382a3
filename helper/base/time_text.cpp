#include "helper/base/time_text.h"

#include <cstdio>

namespace dcu {
namespace {

constexpr std::int64_t kMinSeconds = -62167219200;  // 0000-01-01T00:00:00Z
constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

std::string FormatRfc3339(std::int64_t t) {
  if (t < kMinSeconds) t = kMinSeconds;
  if (t > kMaxSeconds) t = kMaxSeconds;
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2);
  char text[80];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return text;
}

std::string FormatDuration(std::int64_t s) {
  if (s < 0) s = s == INT64_MIN ? INT64_MAX : -s;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) {
    std::int64_t m = s / 60 % 60;
    return std::to_string(s / 3600) + "h" + (m ? " " + std::to_string(m) + "m" : "");
  }
  std::int64_t h = s / 3600 % 24;
  return std::to_string(s / 86400) + "d" + (h ? " " + std::to_string(h) + "h" : "");
}

std::string FormatRelative(std::int64_t at, std::int64_t now) {
  if (at > now) return "in " + FormatDuration(at - now);
  return FormatDuration(now - at) + " ago";
}

}  // namespace dcu
