#include <catch2/catch.hpp>

#include "helper/net/http_date.h"

namespace dcu {
namespace {

TEST_CASE("http date: IMF-fixdate and the older forms", "[http_date]") {
  CHECK(ParseHttpDate("Mon, 09 Jun 2031 10:18:14 GMT") == 1938766694);
  CHECK(ParseHttpDate("Mon, 09-Jun-2031 10:18:14 GMT") == 1938766694);
  CHECK(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  CHECK_FALSE(ParseHttpDate("09 Jun 2031").has_value());
  CHECK(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  CHECK(ParseHttpDate("Sun Nov  6 08:49:37 1994") == 784111777);  // asctime
  CHECK_FALSE(ParseHttpDate("").has_value());
  CHECK_FALSE(ParseHttpDate("Sun, 06 Nov 1994 25:00:00 GMT").has_value());
  CHECK_FALSE(ParseHttpDate("Sun, 32 Nov 1994 08:49:37 GMT").has_value());
}

TEST_CASE("http date: a date before 1970 is a date, not garbage", "[http_date]") {
  // A server clears a cookie with an Expires in the past, often 1970 or
  // earlier; "not a date" would make the cookie live instead.
  CHECK(ParseHttpDate("Wed, 31 Dec 1969 23:59:59 GMT") == -1);
  CHECK(ParseHttpDate("Thu, 01 Jan 1950 00:00:00 GMT") == -631152000);
  CHECK(ParseHttpDate("Mon, 01 Jan 1601 00:00:00 GMT") == -11644473600);
  CHECK_FALSE(ParseHttpDate("Sun, 01 Jan 1600 00:00:00 GMT").has_value());  // RFC 6265: before 1601
}

TEST_CASE("http date: the far future stays in range", "[http_date]") {
  CHECK(ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT") == 253402300799);
  CHECK_FALSE(ParseHttpDate("Sat, 01 Jan 10000 00:00:00 GMT").has_value());
}

}  // namespace
}  // namespace dcu
