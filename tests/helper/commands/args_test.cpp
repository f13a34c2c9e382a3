#include <catch2/catch.hpp>

#include "helper/commands/args.h"

namespace dcu {
namespace {

const std::vector<FlagSpec> kFlags = {
    {"server", "HOST", ""}, {"all", nullptr, ""}, {"json", nullptr, ""}};

TEST_CASE("args: values, switches and positional arguments", "[args]") {
  StatusOr<Args> a = ParseArgs({"docker", "--server", "xpkg.upbound.io", "--all", "--json"}, kFlags);
  REQUIRE(a.ok());
  CHECK(a->Value("server") == "xpkg.upbound.io");
  CHECK(a->Has("all"));
  CHECK(a->Has("json"));
  CHECK(a->Value("all").empty());
  CHECK(a->positional() == std::vector<std::string>{"docker"});
  StatusOr<Args> inline_value = ParseArgs({"--server=a.example:5000"}, kFlags);
  REQUIRE(inline_value.ok());
  CHECK(inline_value->Value("server") == "a.example:5000");
  CHECK_FALSE(inline_value->Has("all"));
}

TEST_CASE("args: -- ends the flags; a lone - is an argument", "[args]") {
  StatusOr<Args> a = ParseArgs({"--", "--all", "-"}, kFlags);
  REQUIRE(a.ok());
  CHECK_FALSE(a->Has("all"));
  CHECK(a->positional() == std::vector<std::string>{"--all", "-"});
}

TEST_CASE("args: mistakes are one sentence each", "[args]") {
  CHECK(ParseArgs({"--sever", "x"}, kFlags).status().message() == "unknown flag --sever (did you mean --server?)");
  CHECK(ParseArgs({"--zzzzzz"}, kFlags).status().message() == "unknown flag --zzzzzz");
  CHECK(ParseArgs({"--sever=x"}, kFlags).status().message() == "unknown flag --sever (did you mean --server?)");
  CHECK(ParseArgs({"--server"}, kFlags).status().message() == "--server needs a value (HOST)");
  CHECK(ParseArgs({"--server="}, kFlags).status().message() == "--server needs a value (HOST)");
  CHECK(ParseArgs({"--all=yes"}, kFlags).status().message() == "--all takes no value");
  CHECK(ParseArgs({"--all", "--all"}, kFlags).status().message() == "--all given twice");
}

TEST_CASE("args: closest candidate within two edits", "[args]") {
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(Closest("stor", {"store", "status"}) == "store");
  CHECK(Closest("xyzzy", {"store", "status"}).empty());
}

}  // namespace
}  // namespace dcu
