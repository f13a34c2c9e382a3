#include <catch2/catch.hpp>

#include <string>

#include "helper/base/encoding.h"

namespace dcu {
namespace {

TEST_CASE("percent-encoding keeps only unreserved characters", "[encoding]") {
  CHECK(PercentEncode("aZ09-._~") == "aZ09-._~");
  CHECK(PercentEncode("a b/c:d+e=f&") == "a%20b%2Fc%3Ad%2Be%3Df%26");
  CHECK(PercentEncode(std::string("\xff\x00", 2)) == "%FF%00");
}

TEST_CASE("base64: RFC 4648 vectors", "[encoding]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xff\x00\x80", 3)) == "/wCA");
}

}  // namespace
}  // namespace dcu
