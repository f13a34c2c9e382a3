#include <catch2/catch.hpp>

#include <string>

#include "helper/base/wipe.h"

namespace dcu {
namespace {

TEST_CASE("wipe: Wipe zeroes the bytes and empties the string", "[wipe]") {
  std::string secret = "robot-token";
  const char* data = secret.data();
  Wipe(secret);
  CHECK(secret.empty());
  // Cleared in place: the buffer is still the string's, and zeroed.
  CHECK(secret.data() == data);
  for (int i = 0; i < 11; ++i) CHECK(data[i] == '\0');
}

TEST_CASE("wipe: AppendWiping keeps every byte, NULs included", "[wipe]") {
  std::string body;
  for (int i = 0; i < 1000; ++i) AppendWiping(body, "0123456789", 10);
  CHECK(body.size() == 10000);
  CHECK(body.substr(9990) == "0123456789");
  AppendWiping(body, "a\0b", 3);
  CHECK(body.substr(10000) == std::string("a\0b", 3));
  AppendWiping(body, "", 0);
  CHECK(body.size() == 10003);
}

TEST_CASE("wipe: AppendWiping grows geometrically", "[wipe]") {
  // A body trickling in byte by byte must not copy itself on every byte.
  std::string body;
  int reallocations = 0;
  for (int i = 0; i < 100000; ++i) {
    const char* before = body.data();
    AppendWiping(body, "x", 1);
    if (body.data() != before) ++reallocations;
  }
  CHECK(body.size() == 100000);
  CHECK(reallocations < 40);
}

}  // namespace
}  // namespace dcu
