#include <catch2/catch.hpp>

#include "helper/net/http_date.h"

namespace dcu {
namespace {

TEST_CASE("http date: IMF-fixdate and the older forms", "[http_date]") {
  CHECK(ParseHttpDate("Mon, 09 Jun 2031 10:18:14 GMT") == 1938766694);
  CHECK(ParseHttpDate("Mon, 09-Jun-2031 10:18:14 GMT") == 1938766694);
  CHECK(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  CHECK(ParseHttpDate("09 Jun 2031") == -1);
  CHECK(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
  CHECK(ParseHttpDate("Sun Nov  6 08:49:37 1994") == 784111777);  // asctime
  CHECK(ParseHttpDate("") == -1);
  CHECK(ParseHttpDate("Sun, 06 Nov 1994 25:00:00 GMT") == -1);
  CHECK(ParseHttpDate("Sun, 32 Nov 1994 08:49:37 GMT") == -1);
}

}  // namespace
}  // namespace dcu
