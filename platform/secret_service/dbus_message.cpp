#include "platform/secret_service/dbus_message.h"

#include <cstring>

namespace dcu::dbus {
namespace {

constexpr std::uint8_t kFieldPath = 1;
constexpr std::uint8_t kFieldInterface = 2;
constexpr std::uint8_t kFieldMember = 3;
constexpr std::uint8_t kFieldErrorName = 4;
constexpr std::uint8_t kFieldReplySerial = 5;
constexpr std::uint8_t kFieldDestination = 6;
constexpr std::uint8_t kFieldSignature = 8;

// Messages above 128 MiB are invalid per the spec; ours are tiny, so refuse
// anything over 16 MiB rather than allocate for a corrupt length.
constexpr std::size_t kMaxMessage = 16u << 20;

std::size_t AlignmentOf(char type) {
  switch (type) {
    case 'y': case 'g': case 'v': return 1;
    case 'n': case 'q': return 2;
    case 'b': case 'i': case 'u': case 'h': case 's': case 'o': case 'a': return 4;
    default: return 8;  // x t d ( {
  }
}

// The index just past the single complete type at sig[i], or npos.
std::size_t SkipType(std::string_view sig, std::size_t i) {
  if (i >= sig.size()) return std::string_view::npos;
  char type = sig[i];
  if (type == 'a') return SkipType(sig, i + 1);
  if (type != '(' && type != '{') return i + 1;
  char close = type == '(' ? ')' : '}';
  ++i;
  while (i < sig.size() && sig[i] != close) {
    i = SkipType(sig, i);
    if (i == std::string_view::npos) return i;
  }
  return i < sig.size() ? i + 1 : std::string_view::npos;
}

void HeaderField(Writer& w, std::uint8_t code, std::string_view type, std::string_view value) {
  w.Align(8);
  w.Byte(code);
  w.Signature(type);
  if (type == "g") {
    w.Signature(value);
  } else {
    w.String(value);
  }
}

}  // namespace

void Writer::Align(std::size_t n) {
  while (data_.size() % n != 0) data_.push_back('\0');
}

void Writer::Byte(std::uint8_t v) { data_.push_back(static_cast<char>(v)); }

void Writer::Uint32(std::uint32_t v) {
  Align(4);
  for (int i = 0; i < 4; ++i) data_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::String(std::string_view s) {
  Uint32(static_cast<std::uint32_t>(s.size()));
  data_.append(s);
  data_.push_back('\0');
}

void Writer::Signature(std::string_view s) {
  Byte(static_cast<std::uint8_t>(s.size()));
  data_.append(s);
  data_.push_back('\0');
}

Writer::ArrayMark Writer::BeginArray(std::size_t element_alignment) {
  Uint32(0);
  ArrayMark mark;
  mark.length_at = data_.size() - 4;
  Align(element_alignment);  // padding before the first element is not counted
  mark.start = data_.size();
  return mark;
}

void Writer::EndArray(ArrayMark mark) {
  auto length = static_cast<std::uint32_t>(data_.size() - mark.start);
  for (std::size_t i = 0; i < 4; ++i) {
    data_[mark.length_at + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  }
}

void Writer::Bytes(std::string_view bytes) {
  Uint32(static_cast<std::uint32_t>(bytes.size()));
  data_.append(bytes);
}

void Writer::StringDict(std::initializer_list<std::pair<std::string_view, std::string_view>> entries) {
  ArrayMark array = BeginArray(8);
  for (const auto& entry : entries) {
    Align(8);
    String(entry.first);
    String(entry.second);
  }
  EndArray(array);
}

bool Reader::Need(std::size_t n) {
  if (!ok_ || data_.size() - pos_ < n) return Fail();
  return true;
}

bool Reader::Align(std::size_t n) {
  std::size_t next = (pos_ + n - 1) / n * n;
  if (!ok_ || next > data_.size()) return Fail();
  pos_ = next;
  return true;
}

bool Reader::Byte(std::uint8_t* v) {
  if (!Need(1)) return false;
  *v = static_cast<std::uint8_t>(data_[pos_++]);
  return true;
}

bool Reader::Uint32(std::uint32_t* v) {
  if (!Align(4) || !Need(4)) return false;
  std::uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    auto byte = static_cast<std::uint32_t>(static_cast<std::uint8_t>(data_[pos_ + static_cast<std::size_t>(i)]));
    out |= little_ ? byte << (8 * i) : byte << (8 * (3 - i));
  }
  pos_ += 4;
  *v = out;
  return true;
}

bool Reader::String(std::string* s) {
  std::uint32_t length = 0;
  if (!Uint32(&length) || !Need(std::size_t{length} + 1)) return false;
  s->assign(data_.substr(pos_, length));
  pos_ += std::size_t{length} + 1;
  return true;
}

bool Reader::Signature(std::string* s) {
  std::uint8_t length = 0;
  if (!Byte(&length) || !Need(std::size_t{length} + 1)) return false;
  s->assign(data_.substr(pos_, length));
  pos_ += std::size_t{length} + 1;
  return true;
}

bool Reader::Bytes(std::string* bytes) {
  std::uint32_t length = 0;
  if (!Uint32(&length) || !Need(length)) return false;
  bytes->assign(data_.substr(pos_, length));
  pos_ += length;
  return true;
}

bool Reader::BeginArray(std::size_t element_alignment, std::size_t* end) {
  std::uint32_t length = 0;
  if (!Uint32(&length) || !Align(element_alignment) || !Need(length)) return false;
  *end = pos_ + length;
  return true;
}

bool Reader::StringDict(std::map<std::string, std::string>* out) {
  std::size_t end = 0;
  if (!BeginArray(8, &end)) return false;
  while (Before(end)) {
    std::string key, value;
    if (!Align(8) || !String(&key) || !String(&value)) return false;
    (*out)[key] = value;
  }
  return ok_;
}

bool Reader::Skip(std::string_view sig, std::size_t* i) {
  if (*i >= sig.size()) return Fail();
  char type = sig[(*i)++];
  std::uint8_t byte;
  std::uint32_t word;
  std::string text;
  switch (type) {
    case 'y': return Byte(&byte);
    case 'b': case 'i': case 'u': case 'h': return Uint32(&word);
    case 'n': case 'q': return Align(2) && Need(2) && (pos_ += 2, true);
    case 'x': case 't': case 'd': return Align(8) && Need(8) && (pos_ += 8, true);
    case 's': case 'o': return String(&text);
    case 'g': return Signature(&text);
    case 'v': {
      std::string inner;
      std::size_t j = 0;
      return Signature(&inner) && Skip(inner, &j) && j == inner.size();
    }
    case 'a': {
      if (*i >= sig.size()) return Fail();
      std::size_t end = 0;
      if (!BeginArray(AlignmentOf(sig[*i]), &end)) return false;
      pos_ = end;  // the length says where the elements end
      *i = SkipType(sig, *i);
      return *i != std::string_view::npos || Fail();
    }
    case '(': case '{': {
      if (!Align(8)) return false;
      char close = type == '(' ? ')' : '}';
      while (*i < sig.size() && sig[*i] != close) {
        if (!Skip(sig, i)) return false;
      }
      if (*i >= sig.size()) return Fail();
      ++*i;
      return true;
    }
    default: return Fail();
  }
}

std::string BuildMethodCall(std::uint32_t serial, std::string_view destination,
                            std::string_view path, std::string_view interface,
                            std::string_view member, std::string_view signature,
                            std::string_view body) {
  Writer w;
  w.Byte('l');
  w.Byte(static_cast<std::uint8_t>(MessageType::kMethodCall));
  w.Byte(0);  // flags: a reply is wanted, auto-start allowed
  w.Byte(1);  // protocol version
  w.Uint32(static_cast<std::uint32_t>(body.size()));
  w.Uint32(serial);
  Writer::ArrayMark fields = w.BeginArray(8);
  HeaderField(w, kFieldPath, "o", path);
  if (!interface.empty()) HeaderField(w, kFieldInterface, "s", interface);
  HeaderField(w, kFieldMember, "s", member);
  HeaderField(w, kFieldDestination, "s", destination);
  if (!signature.empty()) HeaderField(w, kFieldSignature, "g", signature);
  w.EndArray(fields);
  w.Align(8);
  w.data().append(body);
  return std::move(w.data());
}

std::size_t MessageSize(std::string_view fixed) {
  if (fixed.size() < 16 || (fixed[0] != 'l' && fixed[0] != 'B') || fixed[3] != 1) return 0;
  Reader r(fixed, fixed[0] == 'l');
  std::uint32_t body = 0, serial = 0, fields = 0;
  std::uint8_t skip;
  for (int i = 0; i < 4; ++i) r.Byte(&skip);
  if (!r.Uint32(&body) || !r.Uint32(&serial) || !r.Uint32(&fields)) return 0;
  std::size_t header = (16 + std::size_t{fields} + 7) / 8 * 8;
  std::size_t total = header + body;
  return total > kMaxMessage ? 0 : total;
}

StatusOr<Message> ParseMessage(std::string_view bytes) {
  Status bad = Status::Unavailable("D-Bus: malformed message");
  // MessageSize is 0 for no valid header, which an empty input would match.
  std::size_t size = MessageSize(bytes);
  if (size == 0 || size != bytes.size()) return bad;
  Message m;
  m.little_endian = bytes[0] == 'l';
  m.type = static_cast<MessageType>(bytes[1]);
  Reader r(bytes, m.little_endian);
  std::uint8_t skip;
  std::uint32_t body_size = 0, serial = 0;
  for (int i = 0; i < 4; ++i) r.Byte(&skip);
  r.Uint32(&body_size);
  r.Uint32(&serial);
  std::size_t end = 0;
  if (!r.BeginArray(8, &end)) return bad;
  while (r.Before(end)) {
    std::uint8_t code = 0;
    std::string type;
    if (!r.Align(8) || !r.Byte(&code) || !r.Signature(&type)) return bad;
    if (code == kFieldErrorName && type == "s") {
      r.String(&m.error_name);
    } else if (code == kFieldReplySerial && type == "u") {
      r.Uint32(&m.reply_serial);
    } else if (code == kFieldSignature && type == "g") {
      r.Signature(&m.signature);
    } else {
      std::size_t i = 0;
      if (!r.Skip(type, &i) || i != type.size()) return bad;
    }
  }
  if (!r.ok() || !r.Align(8) || bytes.size() - r.pos() != body_size) return bad;
  m.body.assign(bytes.substr(r.pos()));
  return m;
}

}  // namespace dcu::dbus
