#include "helper/net/http_date.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "helper/base/text.h"

namespace dcu {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  // RFC 6265 5.1.1: tokens split at delimiters; the first time, day of
  // month, month name and year found, in any order. Covers RFC 1123 dates
  // and the older "Wed, 09-Jun-2031" and "Wednesday, 09-Jun-31" forms.
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  int hour = -1, minute = 0, second = 0, day = -1, month = -1;
  std::int64_t year = -1;
  std::string token;
  auto take = [&]() {
    if (token.empty()) return;
    int h, mi, se;
    char extra;
    if (hour < 0 && std::sscanf(token.c_str(), "%2d:%2d:%2d%c", &h, &mi, &se, &extra) == 3) {
      hour = h; minute = mi; second = se;
    } else if (day < 0 && token.size() <= 2 && std::isdigit(static_cast<unsigned char>(token[0]))) {
      day = std::atoi(token.c_str());
    } else if (month < 0 && token.size() >= 3 && std::isalpha(static_cast<unsigned char>(token[0]))) {
      std::string prefix = ToLower(token.substr(0, 3));
      for (int i = 0; i < 12; ++i) {
        if (prefix == kMonths[i]) month = i + 1;
      }
    } else if (year < 0 && token.size() >= 2 && token.size() <= 4 &&
               token.find_first_not_of("0123456789") == std::string::npos) {
      year = std::atoi(token.c_str());
      if (year >= 70 && year <= 99) year += 1900;
      if (year >= 0 && year <= 69) year += 2000;
    }
    token.clear();
  };
  for (char c : text) {
    bool delimiter = c == ' ' || c == '\t' || c == ',' || c == '-' || c == '/' || c == ';';
    if (delimiter) {
      take();
    } else {
      token.push_back(c);
    }
  }
  take();
  if (hour < 0 || hour > 23 || minute > 59 || second > 59 || day < 1 || day > 31 || month < 1 ||
      year < 1601) {
    return std::nullopt;
  }
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

}  // namespace dcu
