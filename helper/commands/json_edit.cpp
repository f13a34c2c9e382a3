#include "helper/commands/json_edit.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace dcu {
namespace {

using json = nlohmann::json;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t SkipSpace(const std::string& t, std::size_t i) {
  while (i < t.size() && IsSpace(t[i])) ++i;
  return i;
}

// i at an opening quote; the index after the closing one.
std::size_t SkipString(const std::string& t, std::size_t i) {
  for (++i; i < t.size() && t[i] != '"'; ++i) {
    if (t[i] == '\\') ++i;
  }
  return std::min(i + 1, t.size());
}

// i at a value's first byte; the index after its last.
std::size_t SkipValue(const std::string& t, std::size_t i) {
  if (i >= t.size()) return i;
  if (t[i] == '"') return SkipString(t, i);
  if (t[i] != '{' && t[i] != '[') {
    while (i < t.size() && !IsSpace(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') ++i;
    return i;
  }
  int depth = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') {
      i = SkipString(t, i);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if ((c == '}' || c == ']') && --depth == 0) return i + 1;
    ++i;
  }
  return i;
}

struct Member {
  std::string key;
  std::size_t key_begin, key_end, value_begin, value_end;
};

// An object's members as positions in the text.
struct Object {
  std::size_t open = 0, close = 0;  // the braces
  std::vector<Member> members;
};

// Precondition: t is valid JSON (CheckJsonObject) and t[i] == '{'.
StatusOr<Object> ScanObject(const std::string& t, std::size_t i) {
  Object o;
  o.open = i;
  i = SkipSpace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    Member m;
    m.key_begin = i;
    m.key_end = SkipString(t, i);
    json key = json::parse(t.begin() + static_cast<std::ptrdiff_t>(m.key_begin),
                           t.begin() + static_cast<std::ptrdiff_t>(m.key_end), nullptr, false);
    if (!key.is_string()) return Status::Internal("json edit: a key did not parse");
    m.key = key.get<std::string>();
    i = SkipSpace(t, m.key_end);
    if (i >= t.size() || t[i] != ':') return Status::Internal("json edit: ':' expected");
    m.value_begin = SkipSpace(t, i + 1);
    m.value_end = SkipValue(t, m.value_begin);
    o.members.push_back(m);
    i = SkipSpace(t, m.value_end);
    if (i < t.size() && t[i] == ',') i = SkipSpace(t, i + 1);
  }
  if (i >= t.size() || t[i] != '}') return Status::Internal("json edit: '}' expected");
  o.close = i;
  return o;
}

// The one member named key; InvalidInput when it appears twice.
StatusOr<const Member*> Find(const Object& o, const std::string& key, const std::string& where) {
  const Member* found = nullptr;
  for (const Member& m : o.members) {
    if (m.key != key) continue;
    if (found != nullptr) return Status::InvalidInput(where + "\"" + key + "\" appears twice");
    found = &m;
  }
  return found;
}

// How an object's members are laid out: the space after the opening brace,
// between members (after a comma), between key and value, and before the
// closing brace.
struct Layout {
  std::string after_open = "\n\t";
  std::string between = "\n\t";
  std::string colon = ": ";
  std::string before_close = "\n";
};

Layout LayoutOf(const std::string& t, const Object& o) {
  Layout l;
  if (o.members.empty()) return l;
  const Member& first = o.members.front();
  const Member& last = o.members.back();
  l.after_open = t.substr(o.open + 1, first.key_begin - o.open - 1);
  l.between = l.after_open;
  if (o.members.size() > 1) {
    std::size_t comma = t.rfind(',', last.key_begin) + 1;
    l.between = t.substr(comma, last.key_begin - comma);
  }
  l.colon = t.substr(first.key_end, first.value_begin - first.key_end);
  // One member on one line ({"a": 1}): spaced after commas as after colons.
  if (o.members.size() == 1 && l.between.find('\n') == std::string::npos && l.colon.find(' ') != std::string::npos) {
    l.between = " ";
  }
  l.before_close = t.substr(last.value_end, o.close - last.value_end);
  return l;
}

// The layout of an object nested one level inside one laid out as outer.
Layout Nested(const Layout& outer) {
  Layout l = outer;
  std::size_t nl = outer.between.rfind('\n');
  if (nl == std::string::npos) return l;  // all on one line: stays so
  std::string line_end = nl > 0 && outer.between[nl - 1] == '\r' ? "\r\n" : "\n";
  std::string indent = outer.between.substr(nl + 1);
  std::size_t close_nl = outer.before_close.rfind('\n');
  std::string outer_indent = close_nl == std::string::npos ? "" : outer.before_close.substr(close_nl + 1);
  std::string unit = indent.compare(0, outer_indent.size(), outer_indent) == 0 ? indent.substr(outer_indent.size())
                                                                               : indent;
  if (unit.empty()) unit = "\t";
  l.after_open = l.between = line_end + indent + unit;
  l.before_close = line_end + indent;
  return l;
}

std::string Quote(const std::string& s) { return json(s).dump(); }

std::string MemberText(const std::string& key, const std::string& value_text, const Layout& l) {
  return Quote(key) + l.colon + value_text;
}

// "{ members }" in layout l.
std::string ObjectText(const std::vector<std::pair<std::string, std::string>>& members, const Layout& l) {
  std::string s = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    s += (i ? "," + l.between : l.after_open) + MemberText(members[i].first, Quote(members[i].second), l);
  }
  return s + l.before_close + "}";
}

struct Splice {
  std::size_t begin, end;
  std::string text;
};

// Adds members after o's last one (or into an empty o) in layout l.
Splice Append(const Object& o, const std::vector<std::string>& member_texts, const Layout& l) {
  std::string s;
  for (std::size_t i = 0; i < member_texts.size(); ++i) {
    s += (i || !o.members.empty() ? "," + l.between : l.after_open) + member_texts[i];
  }
  if (o.members.empty()) return {o.open + 1, o.close, s + l.before_close};
  std::size_t at = o.members.back().value_end;
  return {at, at, s};
}

// "not valid JSON (line L, column C)" for the byte at offset `at`.
Status NotJsonAt(const std::string& text, std::size_t at) {
  at = std::min(at, text.size());
  auto begin = text.begin();
  std::size_t line = 1 + static_cast<std::size_t>(std::count(begin, begin + static_cast<std::ptrdiff_t>(at), '\n'));
  std::size_t line_start = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  std::size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
  return Status::InvalidInput("not valid JSON (line " + std::to_string(line) + ", column " + std::to_string(column) +
                              ")");
}

}  // namespace

Status CheckJsonObject(const std::string& text) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    return Status::InvalidInput("starts with a byte order mark, which Docker and podman cannot read");
  }
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      i = SkipString(text, i) - 1;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidInput("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  if (SkipSpace(text, 0) == text.size()) return Status::Ok();
  // The parser stops at a NUL byte as at the end of the text; Go's does not.
  std::size_t nul = text.find('\0');
  if (nul != std::string::npos) return NotJsonAt(text, nul);
  try {
    json doc = json::parse(text);
    if (!doc.is_object()) return Status::InvalidInput(std::string("a JSON ") + doc.type_name() + ", not an object");
  } catch (const json::parse_error& e) {
    return NotJsonAt(text, e.byte > 0 ? e.byte - 1 : 0);
  } catch (const json::exception&) {
    // out_of_range: 1e400 parses to no double (the edit could keep it,
    // but not check itself against it).
    return Status::InvalidInput("holds a number beyond a double's range");
  }
  return Status::Ok();
}

StatusOr<std::string> SetStringMembers(const std::string& original, const std::string& object_key,
                                       const std::vector<std::pair<std::string, std::string>>& members) {
  std::string text = original;
  std::size_t start = SkipSpace(text, 0);
  if (start == text.size()) {
    text += "{}\n";  // blank: an empty object
    start = text.size() - 3;
  }
  StatusOr<Object> top = ScanObject(text, start);
  if (!top.ok()) return top.status();
  Layout top_layout = LayoutOf(text, *top);
  StatusOr<const Member*> inner_member = Find(*top, object_key, "");
  if (!inner_member.ok()) return inner_member.status();

  std::vector<Splice> splices;
  if (*inner_member == nullptr) {
    std::string value = ObjectText(members, Nested(top_layout));
    splices.push_back(Append(*top, {MemberText(object_key, value, top_layout)}, top_layout));
  } else {
    const Member& m = **inner_member;
    if (text[m.value_begin] != '{') return Status::InvalidInput("\"" + object_key + "\" is not an object");
    StatusOr<Object> inner = ScanObject(text, m.value_begin);
    if (!inner.ok()) return inner.status();
    Layout layout = inner->members.empty() ? Nested(top_layout) : LayoutOf(text, *inner);
    std::vector<std::string> added;
    for (const auto& [key, value] : members) {
      StatusOr<const Member*> existing = Find(*inner, key, "\"" + object_key + "\": ");
      if (!existing.ok()) return existing.status();
      if (*existing == nullptr) {
        added.push_back(MemberText(key, Quote(value), layout));
      } else {
        std::string now = text.substr((*existing)->value_begin, (*existing)->value_end - (*existing)->value_begin);
        json parsed = json::parse(now, nullptr, false);
        if (!(parsed.is_string() && parsed.get<std::string>() == value)) {
          splices.push_back({(*existing)->value_begin, (*existing)->value_end, Quote(value)});
        }
      }
    }
    if (!added.empty()) splices.push_back(Append(*inner, added, layout));
  }
  // Back to front, so that earlier positions stay valid.
  std::sort(splices.begin(), splices.end(), [](const Splice& a, const Splice& b) { return a.begin > b.begin; });
  for (const Splice& s : splices) text.replace(s.begin, s.end - s.begin, s.text);
  if (splices.empty()) return original;
  return text;
}

StatusOr<std::string> RemoveMembers(const std::string& text, const std::string& object_key,
                                    const std::vector<std::string>& keys) {
  std::size_t start = SkipSpace(text, 0);
  if (start == text.size()) return text;
  StatusOr<Object> top = ScanObject(text, start);
  if (!top.ok()) return top.status();
  Object object = *top;
  if (!object_key.empty()) {
    StatusOr<const Member*> member = Find(*top, object_key, "");
    if (!member.ok()) return member.status();
    if (*member == nullptr) return text;
    if (text[(*member)->value_begin] != '{') return Status::InvalidInput("\"" + object_key + "\" is not an object");
    StatusOr<Object> inner = ScanObject(text, (*member)->value_begin);
    if (!inner.ok()) return inner.status();
    object = *inner;
  }
  std::vector<const Member*> kept;
  for (const Member& m : object.members) {
    if (std::find(keys.begin(), keys.end(), m.key) == keys.end()) kept.push_back(&m);
  }
  if (kept.size() == object.members.size()) return text;
  std::string result = text.substr(0, object.open + 1);
  if (kept.empty()) {
    result += "}";
  } else {
    Layout layout = LayoutOf(text, object);
    result += layout.after_open;
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (i > 0) result += "," + layout.between;
      result += text.substr(kept[i]->key_begin, kept[i]->value_end - kept[i]->key_begin);
    }
    result += layout.before_close + "}";
  }
  return result + text.substr(object.close + 1);
}

}  // namespace dcu
