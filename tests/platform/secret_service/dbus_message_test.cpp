#include <catch2/catch.hpp>

#include "platform/secret_service/dbus_message.h"

namespace dcu::dbus {
namespace {

TEST_CASE("dbus: values are aligned and little-endian", "[dbus_message]") {
  Writer w;
  w.Byte(7);
  w.Uint32(0x01020304);
  w.String("ab");
  w.Signature("s");
  CHECK(w.data() == std::string("\x07\0\0\0\x04\x03\x02\x01\x02\0\0\0ab\0\x01s\0", 18));
}

TEST_CASE("dbus: an a{ss} round-trips, padding not counted in the length", "[dbus_message]") {
  Writer w;
  w.Byte(1);
  w.StringDict({{"xdg:schema", "io.upbound.Credentials"}, {"server", "[::1]:5000"}});
  // Length at 4, elements from 8: the 4 padding bytes are not in the length.
  CHECK(w.data()[4] == static_cast<char>(w.data().size() - 8));
  Reader r(w.data(), true);
  std::uint8_t byte = 0;
  std::map<std::string, std::string> dict;
  REQUIRE(r.Byte(&byte));
  REQUIRE(r.StringDict(&dict));
  CHECK(dict.size() == 2);
  CHECK(dict["server"] == "[::1]:5000");
  CHECK(r.pos() == w.data().size());
}

TEST_CASE("dbus: bytes keep NUL and high bytes", "[dbus_message]") {
  Writer w;
  const std::string secret("a\0\xff", 3);
  w.Bytes(secret);
  Reader r(w.data(), true);
  std::string back;
  REQUIRE(r.Bytes(&back));
  CHECK(back == secret);
}

TEST_CASE("dbus: big-endian values are read", "[dbus_message]") {
  const std::string data("\x00\x00\x00\x02hi\0", 7);
  Reader r(data, false);
  std::string s;
  REQUIRE(r.String(&s));
  CHECK(s == "hi");
}

TEST_CASE("dbus: truncated and oversized data fail cleanly", "[dbus_message]") {
  Writer w;
  w.String("hello");
  std::string cut = w.data().substr(0, 6);
  Reader r(cut, true);
  std::string s;
  CHECK_FALSE(r.String(&s));
  CHECK_FALSE(r.ok());
  const std::string huge("\xff\xff\xff\x7f", 4);
  Reader big(huge, true);
  std::size_t end = 0;
  CHECK_FALSE(big.BeginArray(4, &end));
}

TEST_CASE("dbus: Skip walks nested types", "[dbus_message]") {
  Writer w;
  w.Signature("a{sv}");  // a variant holding an a{sv}
  Writer::ArrayMark a = w.BeginArray(8);
  w.Align(8);
  w.String("k");
  w.Signature("(ou)");
  w.Align(8);
  w.String("/p");
  w.Uint32(9);
  w.EndArray(a);
  w.String("after");
  Reader r(w.data(), true);
  std::size_t i = 0;
  REQUIRE(r.Skip("v", &i));
  CHECK(i == 1);
  std::string after;
  REQUIRE(r.String(&after));
  CHECK(after == "after");
}

TEST_CASE("dbus: a method call parses back", "[dbus_message]") {
  Writer body;
  body.String("plain");
  std::string call = BuildMethodCall(5, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                     "org.freedesktop.Secret.Service", "OpenSession", "s", body.data());
  REQUIRE(MessageSize(call.substr(0, 16)) == call.size());
  StatusOr<Message> m = ParseMessage(call);
  REQUIRE(m.ok());
  CHECK(m->type == MessageType::kMethodCall);
  CHECK(m->signature == "s");
  CHECK(m->body == body.data());
  CHECK(MessageSize("not a header....") == 0);
  CHECK_FALSE(ParseMessage(call.substr(0, call.size() - 1)).ok());
}

// Found by tests/fuzz/dbus_message_fuzz.cpp: an empty input read bytes[0]
// and bytes[1] past the end (MessageSize is 0 for it, as its size is).
TEST_CASE("dbus: an empty or short input is malformed, not read past its end", "[dbus_message]") {
  CHECK_FALSE(ParseMessage(std::string_view()).ok());
  CHECK_FALSE(ParseMessage(std::string_view("l", 1)).ok());
  CHECK_FALSE(ParseMessage(std::string_view("l\x02\0\x01", 4)).ok());
}

}  // namespace
}  // namespace dcu::dbus
