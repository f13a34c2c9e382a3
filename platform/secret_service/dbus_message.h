// D-Bus wire format: just enough marshalling for the Secret Service calls.
//
// The keyring `get` is on every pull's path; going through GIO and libsecret
// costs 19 shared libraries and most of a process' memory, so the read path
// speaks the (small, stable) D-Bus wire protocol itself. See the D-Bus
// specification, "Message Protocol". Only little-endian is written; both
// byte orders are read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "helper/base/status.h"

namespace dcu::dbus {

// Appends values to a buffer, aligning each as the spec requires. Offsets
// are relative to the buffer start, which must itself be 8-aligned in the
// message (true for the header and for the body).
class Writer {
 public:
  void Align(std::size_t n);
  void Byte(std::uint8_t v);
  void Uint32(std::uint32_t v);
  void String(std::string_view s);  // also object paths
  void Signature(std::string_view s);
  // Arrays: EndArray patches the length that BeginArray left open.
  struct ArrayMark {
    std::size_t length_at = 0;
    std::size_t start = 0;
  };
  ArrayMark BeginArray(std::size_t element_alignment);
  void EndArray(ArrayMark mark);
  void Bytes(std::string_view bytes);  // "ay"
  void StringDict(std::initializer_list<std::pair<std::string_view, std::string_view>> entries);

  const std::string& data() const { return data_; }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

// Reads values back; every method returns false at malformed data and then
// keeps failing, so callers may check once at the end with ok().
class Reader {
 public:
  Reader(std::string_view data, bool little_endian) : data_(data), little_(little_endian) {}

  bool Align(std::size_t n);
  bool Byte(std::uint8_t* v);
  bool Uint32(std::uint32_t* v);
  bool String(std::string* s);  // also object paths
  bool Signature(std::string* s);
  bool Bytes(std::string* bytes);  // "ay"
  // Reads an array's length and returns in *end the offset just past it.
  bool BeginArray(std::size_t element_alignment, std::size_t* end);
  bool Before(std::size_t end) const { return ok_ && pos_ < end; }
  // Skips one complete value of the single complete type at sig[*i].
  bool Skip(std::string_view sig, std::size_t* i);
  // Reads an a{ss} into *out.
  bool StringDict(std::map<std::string, std::string>* out);

  bool ok() const { return ok_; }
  std::size_t pos() const { return pos_; }

 private:
  bool Fail() { return ok_ = false; }
  bool Need(std::size_t n);
  std::string_view data_;
  bool little_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

enum class MessageType : std::uint8_t { kMethodCall = 1, kMethodReturn = 2, kError = 3, kSignal = 4 };

// A method call, marshalled with header and body.
std::string BuildMethodCall(std::uint32_t serial, std::string_view destination,
                            std::string_view path, std::string_view interface,
                            std::string_view member, std::string_view signature,
                            std::string_view body);

// What the connection needs of a received message.
struct Message {
  MessageType type = MessageType::kSignal;
  bool little_endian = true;
  std::uint32_t reply_serial = 0;
  std::string error_name;
  std::string signature;
  std::string body;
};

// The total size of the message whose first 16 bytes are `fixed`, or 0 when
// they are not a valid D-Bus header.
std::size_t MessageSize(std::string_view fixed);

// Parses one complete message (MessageSize bytes).
StatusOr<Message> ParseMessage(std::string_view bytes);

}  // namespace dcu::dbus
