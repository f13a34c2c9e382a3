#include "helper/docker/wire.h"

#include <nlohmann/json.hpp>

#include "helper/base/text.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using ordered_json = nlohmann::ordered_json;

// Go's encoding/json, which the reference helpers use, takes a key that
// matches a field name in any case; the last occurrence wins.
Status TakeField(const ordered_json& value, const std::string& key, std::string* field) {
  if (value.is_null()) {
    field->clear();
    return Status::Ok();
  }
  if (!value.is_string()) {
    return Status::InvalidInput("store: field \"" + key + "\" must be a string");
  }
  *field = value.get<std::string>();
  return Status::Ok();
}

// The first control character in text (C0, DEL, or C1 as UTF-8), as
// "U+XXXX", or "" when there is none. The JSON parser has already refused
// text that is not UTF-8.
std::string FirstControl(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    unsigned code = 0x100;  // none
    if (u < 0x20 || u == 0x7f) code = u;
    // U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8.
    if (u == 0xc2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xe0) == 0x80) {
      code = static_cast<unsigned char>(text[i + 1]);
    }
    if (code < 0x100) return std::string("U+00") + hex[code >> 4] + hex[code & 0xf];
  }
  return "";
}

// ServerURL and Username become keyring attributes, which are C strings:
// "rob\0ot" would be stored as "rob", and the item just written then
// looks like another user's. No registry or username holds a control
// character, so refuse them all, before anything is stored.
Status CheckPrintable(const std::string& text, const char* field) {
  std::string control = FirstControl(text);
  if (control.empty()) return Status::Ok();
  return Status::InvalidInput(std::string("store: ") + field + " contains a control character (" +
                              control + ")");
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON string literal for text, which may be a secret: the copy the JSON
// library holds is wiped.
std::string Quote(const std::string& text) {
  nlohmann::json value = text;
  std::string out = Dump(value);
  Wipe(value.get_ref<std::string&>());
  return out;
}

}  // namespace

StatusOr<std::string> ReadAllInput(std::istream& in, std::size_t limit) {
  std::string data;
  char buffer[8192];
  while (in.good()) {
    in.read(buffer, sizeof buffer);
    std::streamsize got = in.gcount();
    if (got <= 0) break;
    if (data.size() + static_cast<std::size_t>(got) > limit) {
      WipeBytes(buffer, sizeof buffer);
      Wipe(data);
      return Status::InvalidInput("input is larger than " + std::to_string(limit / 1024) +
                                  " KiB");
    }
    data.append(buffer, static_cast<std::size_t>(got));
  }
  WipeBytes(buffer, sizeof buffer);
  return data;
}

StatusOr<Credential> ParseStoreRequest(const std::string& input) {
  ordered_json doc;
  try {
    doc = ordered_json::parse(input);
  } catch (const ordered_json::parse_error& e) {
    // e.what() may quote the input, which holds the secret: give the offset only.
    return Status::InvalidInput("store: input is not valid JSON (error at byte " +
                                std::to_string(e.byte) + ")");
  } catch (const ordered_json::exception& e) {
    // A number too large for a double (1e400) is out_of_range, not a parse
    // error. Every JSON exception is one line; what() may quote the input.
    return Status::InvalidInput("store: input is not valid JSON (error " + std::to_string(e.id) + ")");
  }
  if (!doc.is_object()) {
    return Status::InvalidInput("store: input must be a JSON object with ServerURL, Username and Secret");
  }
  Credential request;
  for (const auto& item : doc.items()) {
    std::string key = ToLower(item.key());
    Status status;
    if (key == "serverurl") {
      status = TakeField(item.value(), "ServerURL", &request.server);
    } else if (key == "username") {
      status = TakeField(item.value(), "Username", &request.username);
    } else if (key == "secret") {
      status = TakeField(item.value(), "Secret", &request.secret);
    }
    if (!status.ok()) {
      Wipe(request.secret);
      return status;
    }
  }
  for (Status status : {CheckPrintable(request.server, "ServerURL"), CheckPrintable(request.username, "Username")}) {
    if (!status.ok()) {
      Wipe(request.secret);
      return status;
    }
  }
  return request;
}

std::string FormatGetResponse(const std::string& server_url, const std::string& username,
                              const std::string& secret) {
  // Built by hand to keep Go's field order; json objects sort their keys.
  return "{\"ServerURL\":" + Quote(server_url) + ",\"Username\":" + Quote(username) +
         ",\"Secret\":" + Quote(secret) + "}\n";
}

std::string FormatListResponse(const std::map<std::string, std::string>& entries) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& entry : entries) doc[entry.first] = entry.second;
  return Dump(doc) + "\n";
}

}  // namespace dcu
