#include <catch2/catch.hpp>

#include "helper/base/time_text.h"

namespace dcu {
namespace {

TEST_CASE("time text: RFC 3339 in UTC", "[time_text]") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1'800'000'000) == "2027-01-15T08:00:00Z");
  CHECK(FormatRfc3339(951'782'400) == "2000-02-29T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59Z");
  CHECK(FormatRfc3339(INT64_MAX) == "9999-12-31T23:59:59Z");
  CHECK(FormatRfc3339(INT64_MIN) == "0000-01-01T00:00:00Z");
}

TEST_CASE("time text: durations and relative times", "[time_text]") {
  CHECK(FormatDuration(0) == "0s");
  CHECK(FormatDuration(59) == "59s");
  CHECK(FormatDuration(3599) == "59m");
  CHECK(FormatDuration(3600) == "1h");
  CHECK(FormatDuration(7500) == "2h 5m");
  CHECK(FormatDuration(86400 * 3 + 3600 * 4) == "3d 4h");
  CHECK(FormatDuration(-60) == "1m");
  CHECK(FormatDuration(INT64_MIN).size() > 0);
  CHECK(FormatRelative(160, 100) == "in 1m");
  CHECK(FormatRelative(100, 160) == "1m ago");
  CHECK(FormatRelative(100, 100) == "0s ago");
}

}  // namespace
}  // namespace dcu
