// The raw header text WinHTTP returns, read as the curl transport reads
// header lines.
#include <catch2/catch.hpp>

#include "platform/windows/winhttp_response.h"

namespace dcu {
namespace {

TEST_CASE("winhttp response: raw headers become name/value pairs", "[windows]") {
  Headers h = win::ParseHeaders(
      "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie:  b=2 \r\nX-Long: one\r\n\ttwo\r\nNo colon\r\n\r\n");
  REQUIRE(h.size() == 3);
  CHECK(h[0] == std::pair<std::string, std::string>{"Set-Cookie", "a=1"});
  CHECK(h[1] == std::pair<std::string, std::string>{"set-cookie", "b=2"});
  CHECK(h[2] == std::pair<std::string, std::string>{"X-Long", "one two"});
  // A later status line (an interim response before it) starts over.
  h = win::ParseHeaders("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: 1\r\n\r\n");
  REQUIRE(h.size() == 1);
  CHECK(h[0].first == "X-Final");
}

TEST_CASE("winhttp response: a body short of its Content-Length is truncated", "[windows]") {
  HttpResponse r;
  r.headers = {{"content-length", "10"}};
  r.body = "abc";
  CHECK(win::Truncated(r));
  r.body = std::string(10, 'x');
  CHECK_FALSE(win::Truncated(r));
  r.headers = {{"Content-Length", "bogus"}};
  CHECK_FALSE(win::Truncated(r));
  r.headers.clear();
  CHECK_FALSE(win::Truncated(r));
}

}  // namespace
}  // namespace dcu
