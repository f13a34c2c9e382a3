#include <catch2/catch.hpp>

#include <sstream>

#include "helper/docker/wire.h"

namespace dcu {
namespace {

TEST_CASE("protocol: input is read to EOF", "[protocol]") {
  std::istringstream in("xpkg.upbound.io");
  StatusOr<std::string> got = ReadAllInput(in);
  REQUIRE(got.ok());
  CHECK(*got == "xpkg.upbound.io");

  std::istringstream empty("");
  StatusOr<std::string> none = ReadAllInput(empty);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("protocol: input beyond the cap is refused", "[protocol]") {
  std::istringstream exact(std::string(kMaxInputBytes, 'a'));
  CHECK(ReadAllInput(exact).ok());
  std::istringstream over(std::string(kMaxInputBytes + 1, 'a'));
  StatusOr<std::string> got = ReadAllInput(over);
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().message() == "input is larger than 1024 KiB");
}

TEST_CASE("protocol: store request fields", "[protocol]") {
  StatusOr<Credential> r = ParseStoreRequest(
      R"({"ServerURL":"https://xpkg.upbound.io","Username":"robot","Secret":"s3cr3t"})" "\n");
  REQUIRE(r.ok());
  CHECK(r->server == "https://xpkg.upbound.io");
  CHECK(r->username == "robot");
  CHECK(r->secret == "s3cr3t");
}

TEST_CASE("protocol: keys in any case, unknown keys ignored, null is empty", "[protocol]") {
  StatusOr<Credential> r = ParseStoreRequest(
      R"({"serverurl":"h","USERNAME":"u","sEcReT":null,"Extra":{"a":[1,2]},"n":1})");
  REQUIRE(r.ok());
  CHECK(r->server == "h");
  CHECK(r->username == "u");
  CHECK(r->secret.empty());
}

TEST_CASE("protocol: the last of repeated keys wins, as in Go", "[protocol]") {
  StatusOr<Credential> r = ParseStoreRequest(R"({"Username":"a","username":"b"})");
  REQUIRE(r.ok());
  CHECK(r->username == "b");
}

TEST_CASE("protocol: secrets keep NUL and non-ASCII bytes", "[protocol]") {
  StatusOr<Credential> r = ParseStoreRequest(R"({"ServerURL":"h","Username":"u","Secret":"a\u0000b\u2713"})");
  REQUIRE(r.ok());
  CHECK(r->secret == std::string("a\0b\xe2\x9c\x93", 6));
}

TEST_CASE("protocol: malformed store input gives one line without the input", "[protocol]") {
  const char* bad[] = {"", "{", "not json", "[1,2]", "\"str\"", R"({"Secret":"hunter2",})"};
  for (const char* input : bad) {
    INFO(input);
    StatusOr<Credential> r = ParseStoreRequest(input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK(r.status().message().find('\n') == std::string::npos);
    CHECK(r.status().message().find("hunter2") == std::string::npos);
  }
  StatusOr<Credential> typed = ParseStoreRequest(R"({"ServerURL":"h","Username":5})");
  REQUIRE_FALSE(typed.ok());
  CHECK(typed.status().message() == "store: field \"Username\" must be a string");
}

TEST_CASE("protocol: every JSON error is one line, never an exception", "[protocol]") {
  // 1e400 overflows a double: the JSON library throws out_of_range, not
  // parse_error. Deep nesting and a huge exponent must not escape either.
  const std::string bad[] = {
      R"({"ServerURL":"h","Username":"u","Secret":"hunter2","n":1e400})",
      R"({"ServerURL":"h","Username":"u","Secret":"hunter2","n":-1e400})",
      R"({"n":1e99999999999999999999,"Secret":"hunter2"})",
      std::string(100000, '[') + std::string(100000, ']'),
  };
  for (const std::string& input : bad) {
    INFO(input.substr(0, 80));
    StatusOr<Credential> r = ParseStoreRequest(input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK(r.status().message().find('\n') == std::string::npos);
    CHECK(r.status().message().find("hunter2") == std::string::npos);
  }
}

TEST_CASE("protocol: control characters in ServerURL or Username are refused", "[protocol]") {
  // libsecret's attributes are C strings: "a\0b" would be stored as "a".
  struct Row {
    const char* json;
    const char* message;
  };
  const Row rows[] = {
      {R"({"ServerURL":"h","Username":"rob\u0000ot","Secret":"s"})",
       "store: Username contains a control character (U+0000)"},
      {R"({"ServerURL":"h","Username":"robot\n","Secret":"s"})",
       "store: Username contains a control character (U+000A)"},
      {R"({"ServerURL":"h","Username":"\tx","Secret":"s"})",
       "store: Username contains a control character (U+0009)"},
      {R"({"ServerURL":"h","Username":"a\u007fb","Secret":"s"})",
       "store: Username contains a control character (U+007F)"},
      {R"({"ServerURL":"h","Username":"a\u0085b","Secret":"s"})",
       "store: Username contains a control character (U+0085)"},
      {R"({"ServerURL":"xpkg.upbound.io\u0000.evil","Username":"u","Secret":"s"})",
       "store: ServerURL contains a control character (U+0000)"},
      {R"({"ServerURL":"xpkg.upbound.io\r\nx","Username":"u","Secret":"s"})",
       "store: ServerURL contains a control character (U+000D)"},
  };
  for (const Row& row : rows) {
    INFO(row.json);
    StatusOr<Credential> r = ParseStoreRequest(row.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK(r.status().message() == row.message);
  }
  // Printable text, spaces and non-ASCII letters are usernames.
  StatusOr<Credential> fine = ParseStoreRequest(R"({"ServerURL":"h","Username":"J\u00f6rg Smith <token>","Secret":"s"})");
  REQUIRE(fine.ok());
  CHECK(fine->username == "J\xc3\xb6rg Smith <token>");
}

TEST_CASE("protocol: get response in Go's field order", "[protocol]") {
  CHECK(FormatGetResponse("xpkg.upbound.io", "robot", "pw") ==
        "{\"ServerURL\":\"xpkg.upbound.io\",\"Username\":\"robot\",\"Secret\":\"pw\"}\n");
  CHECK(FormatGetResponse("h", "<token>", "") ==
        "{\"ServerURL\":\"h\",\"Username\":\"<token>\",\"Secret\":\"\"}\n");
  CHECK(FormatGetResponse("h", "u", std::string("a\0\"", 3)) ==
        "{\"ServerURL\":\"h\",\"Username\":\"u\",\"Secret\":\"a\\u0000\\\"\"}\n");
  // Bytes that are not UTF-8 cannot travel in JSON; they become U+FFFD.
  CHECK(FormatGetResponse("h", "u", "\xff") ==
        "{\"ServerURL\":\"h\",\"Username\":\"u\",\"Secret\":\"\xef\xbf\xbd\"}\n");
}

TEST_CASE("protocol: list response", "[protocol]") {
  CHECK(FormatListResponse({}) == "{}\n");
  CHECK(FormatListResponse({{"b.example", "u2"}, {"a.example", "u1"}}) ==
        "{\"a.example\":\"u1\",\"b.example\":\"u2\"}\n");
}

}  // namespace
}  // namespace dcu
