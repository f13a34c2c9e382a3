#include <catch2/catch.hpp>

#include "helper/commands/json_edit.h"

namespace dcu {
namespace {

using Members = std::vector<std::pair<std::string, std::string>>;

std::string Set(const std::string& text, const Members& members) {
  REQUIRE(CheckJsonObject(text).ok());
  StatusOr<std::string> edited = SetStringMembers(text, "credHelpers", members);
  REQUIRE(edited.ok());
  CHECK(CheckJsonObject(*edited).ok());
  return *edited;
}

TEST_CASE("json edit: what counts as a JSON object", "[json_edit]") {
  CHECK(CheckJsonObject("").ok());
  CHECK(CheckJsonObject(" \n\t").ok());
  CHECK(CheckJsonObject("{}").ok());
  CHECK(CheckJsonObject("[1]").message() == "a JSON array, not an object");
  CHECK(CheckJsonObject("\"x\"").message() == "a JSON string, not an object");
  CHECK(CheckJsonObject("null").message() == "a JSON null, not an object");
  CHECK(CheckJsonObject("{\n  \"a\": 1,\n  \"b\": x\n}").message() == "not valid JSON (line 3, column 8)");
  CHECK(CheckJsonObject("{\"a\": 1} {}").message().rfind("not valid JSON (line 1,", 0) == 0);
  CHECK(CheckJsonObject("{\"a\": 1,}").message().rfind("not valid JSON", 0) == 0);
  CHECK(CheckJsonObject("{\"a\": 1 // comment\n}").message().rfind("not valid JSON (line 1", 0) == 0);
  CHECK(CheckJsonObject(std::string("{\"a\": 1}\n\0", 10)).message() == "not valid JSON (line 2, column 1)");
  CHECK(CheckJsonObject(std::string("{\"a\0\": 1}", 10)).message() == "not valid JSON (line 1, column 4)");
  CHECK(CheckJsonObject("{\"a\": [1e400]}").message() == "holds a number beyond a double's range");
  CHECK(CheckJsonObject("{\"a\": 123456789012345678901234567890e-5}").ok());
  CHECK(CheckJsonObject("\xEF\xBB\xBF{}").message().find("byte order mark") != std::string::npos);
  // Deep nesting is refused before anything recursive walks it; strings
  // with brackets do not count.
  std::string deep = "{\"a\":" + std::string(600, '[') + std::string(600, ']') + "}";
  CHECK(CheckJsonObject(deep).message() == "nested deeper than 512 levels");
  CHECK(CheckJsonObject("{\"a\":\"" + std::string(600, '[') + "\"}").ok());
  // The message never quotes the file (it may hold a password).
  CHECK(CheckJsonObject("{\"auth\": \"c2VjcmV0\" oops}").message().find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("json edit: a missing object is added after the last member, as indented", "[json_edit]") {
  CHECK(Set("{\n\t\"auths\": {}\n}\n", {{"h", "upbound"}}) ==
        "{\n\t\"auths\": {},\n\t\"credHelpers\": {\n\t\t\"h\": \"upbound\"\n\t}\n}\n");
  // Two spaces, kept at every level.
  CHECK(Set("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}", {{"h", "upbound"}, {"i", "upbound"}}) ==
        "{\n  \"a\": 1,\n  \"b\": [1, 2],\n  \"credHelpers\": {\n    \"h\": \"upbound\",\n    \"i\": \"upbound\"\n  }\n}");
  // One line stays one line, spacing kept.
  CHECK(Set("{\"auths\":{}}", {{"h", "upbound"}}) == "{\"auths\":{},\"credHelpers\":{\"h\":\"upbound\"}}");
  CHECK(Set("{ \"a\": 1 }", {{"h", "upbound"}}) == "{ \"a\": 1, \"credHelpers\": { \"h\": \"upbound\" } }");
  CHECK(Set("{\"a\": 1}", {{"h", "upbound"}, {"i", "upbound"}}) ==
        "{\"a\": 1, \"credHelpers\": {\"h\": \"upbound\", \"i\": \"upbound\"}}");
  // CRLF line ends.
  CHECK(Set("{\r\n\t\"a\": 1\r\n}\r\n", {{"h", "upbound"}}) ==
        "{\r\n\t\"a\": 1,\r\n\t\"credHelpers\": {\r\n\t\t\"h\": \"upbound\"\r\n\t}\r\n}\r\n");
  // Empty documents get Docker's layout (tabs).
  CHECK(Set("{}", {{"h", "upbound"}}) == "{\n\t\"credHelpers\": {\n\t\t\"h\": \"upbound\"\n\t}\n}");
  CHECK(Set("", {{"h", "upbound"}}) == "{\n\t\"credHelpers\": {\n\t\t\"h\": \"upbound\"\n\t}\n}\n");
  CHECK(Set("{\n}\n", {{"h", "upbound"}}) == "{\n\t\"credHelpers\": {\n\t\t\"h\": \"upbound\"\n\t}\n}\n");
}

TEST_CASE("json edit: an existing object is edited in place", "[json_edit]") {
  // Replaced where it stands, added after the last member.
  CHECK(Set("{\n\t\"credHelpers\": {\n\t\t\"h\": \"up\",\n\t\t\"gcr.io\": \"gcloud\"\n\t},\n\t\"x\": 1\n}",
            {{"h", "upbound"}, {"i", "upbound"}}) ==
        "{\n\t\"credHelpers\": {\n\t\t\"h\": \"upbound\",\n\t\t\"gcr.io\": \"gcloud\",\n\t\t\"i\": \"upbound\"\n\t},"
        "\n\t\"x\": 1\n}");
  // An empty one takes the enclosing layout.
  CHECK(Set("{\n    \"credHelpers\": {},\n    \"x\": 1\n}", {{"h", "upbound"}}) ==
        "{\n    \"credHelpers\": {\n        \"h\": \"upbound\"\n    },\n    \"x\": 1\n}");
  // A key spelt with escapes is the same key; a non-string value is replaced.
  CHECK(Set("{\"credHelpers\":{\"\\u0068\":\"upbound\",\"i\":7}}", {{"h", "upbound"}, {"i", "upbound"}}) ==
        "{\"credHelpers\":{\"\\u0068\":\"upbound\",\"i\":\"upbound\"}}");
  // Nothing to do: the very same text.
  std::string same = "{ \"credHelpers\" : { \"h\" : \"upbound\" } }";
  CHECK(Set(same, {{"h", "upbound"}}) == same);
}

TEST_CASE("json edit: what cannot be edited safely is refused", "[json_edit]") {
  CHECK(SetStringMembers("{\"credHelpers\": []}", "credHelpers", {{"h", "upbound"}}).status().message() ==
        "\"credHelpers\" is not an object");
  CHECK(SetStringMembers("{\"credHelpers\": {}, \"credHelpers\": {}}", "credHelpers", {{"h", "upbound"}})
            .status()
            .message() == "\"credHelpers\" appears twice");
  CHECK(SetStringMembers("{\"credHelpers\": {\"h\": \"a\", \"h\": \"b\"}}", "credHelpers", {{"h", "upbound"}})
            .status()
            .message() == "\"credHelpers\": \"h\" appears twice");
}

TEST_CASE("json edit: strings with braces, quotes and escapes do not confuse the scan", "[json_edit]") {
  std::string text = "{\"a\": \"}{\\\"[\", \"b\\\"c\": {\"d\": [\"]\", {\"e\": \"\\\\\"}]}, \"n\": -1.5e+3}";
  CHECK(Set(text, {{"h", "upbound"}}) ==
        "{\"a\": \"}{\\\"[\", \"b\\\"c\": {\"d\": [\"]\", {\"e\": \"\\\\\"}]}, \"n\": -1.5e+3, \"credHelpers\": "
        "{\"h\": \"upbound\"}}");
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("json edit: RemoveMembers keeps every other member's bytes", "[json_edit]") {
  const std::string text = "{\n\t\"a\": 1.50,\n\t\"h\": {\n\t\t\"x\": \"u\",\n\t\t\"y\": \"v\",\n\t\t\"z\": \"u\"\n\t}\n}\n";
  StatusOr<std::string> middle = RemoveMembers(text, "h", {"y"});
  REQUIRE(middle.ok());
  CHECK(*middle == "{\n\t\"a\": 1.50,\n\t\"h\": {\n\t\t\"x\": \"u\",\n\t\t\"z\": \"u\"\n\t}\n}\n");
  StatusOr<std::string> ends = RemoveMembers(text, "h", {"x", "z"});
  REQUIRE(ends.ok());
  CHECK(*ends == "{\n\t\"a\": 1.50,\n\t\"h\": {\n\t\t\"y\": \"v\"\n\t}\n}\n");
  StatusOr<std::string> all = RemoveMembers(text, "h", {"x", "y", "z"});
  REQUIRE(all.ok());
  CHECK(*all == "{\n\t\"a\": 1.50,\n\t\"h\": {}\n}\n");
  StatusOr<std::string> top = RemoveMembers(text, "", {"a"});
  REQUIRE(top.ok());
  CHECK(*top == "{\n\t\"h\": {\n\t\t\"x\": \"u\",\n\t\t\"y\": \"v\",\n\t\t\"z\": \"u\"\n\t}\n}\n");
  CHECK(*RemoveMembers(text, "h", {"absent"}) == text);
  CHECK(*RemoveMembers(text, "absent", {"x"}) == text);
  CHECK(RemoveMembers("{\"h\": []}", "h", {"x"}).status().code() == Code::kInvalidInput);
}

}  // namespace
}  // namespace dcu
