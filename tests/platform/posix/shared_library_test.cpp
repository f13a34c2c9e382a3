#include <catch2/catch.hpp>

#include "platform/posix/shared_library.h"

namespace dcu {
namespace {

TEST_CASE("shared library: a missing library names its package", "[shared_library]") {
  SharedLibrary so("libdcu-absent.so.9", "libdcu-absent9");
  void (*f)() = nullptr;
  so.Resolve("anything", &f);
  CHECK(f == nullptr);
  REQUIRE_FALSE(so.ok());
  CHECK(so.error().rfind("cannot load libdcu-absent.so.9 (install libdcu-absent9): ", 0) == 0);
}

TEST_CASE("shared library: the first missing symbol is named", "[shared_library]") {
  SharedLibrary so("libc.so.6", "libc6");
  size_t (*length)(const char*) = nullptr;
  so.Resolve("strlen", &length);
  REQUIRE(so.ok());
  REQUIRE(length != nullptr);
  CHECK(length("four") == 4);
  void (*absent)() = nullptr;
  so.Resolve("dcu_no_such_symbol", &absent);
  so.Resolve("dcu_second_missing", &absent);
  CHECK(so.error() == "libc.so.6 lacks dcu_no_such_symbol");
}

TEST_CASE("shared library: a table loaded once answers with its reason", "[shared_library]") {
  LoadedLibrary<int> loaded;
  std::string why;
  CHECK(loaded.Get(&why) == &loaded.functions);
  loaded.error = "cannot load x";
  CHECK(loaded.Get(&why) == nullptr);
  CHECK(why == "cannot load x");
}

}  // namespace
}  // namespace dcu
