#include "helper/upbound/robot_token.h"

#include <nlohmann/json.hpp>

#include "helper/base/sha256.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxTokenFile = 64 * 1024;

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-' || c == '+') return 62;
  if (c == '_' || c == '/') return 63;
  return -1;
}

bool Base64UrlDecode(const std::string& in, std::string* out) {
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = Base64UrlValue(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

std::string JsonString(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string JwtClaims(const std::string& token) {
  std::size_t first = token.find('.');
  std::size_t second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos) return "";
  std::string claims;
  if (!Base64UrlDecode(token.substr(first + 1, second - first - 1), &claims)) return "";
  return claims;
}

std::string LoginId(const RobotToken& robot) {
  json claims = json::parse(JwtClaims(robot.token), nullptr, false);
  if (claims.is_object()) {
    std::string jti = JsonString(claims, "jti");
    if (!jti.empty()) return jti;
  }
  return robot.access_id;
}

StatusOr<RobotToken> ParseRobotTokenJson(const std::string& text, const std::string& origin) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidInput(origin + ": not a JSON object like {\"accessId\":..,\"token\":..}");
  }
  RobotToken robot;
  robot.origin = origin;
  robot.access_id = JsonString(doc, "accessId");
  robot.token = JsonString(doc, "token");
  if (doc.contains("token") && doc["token"].is_string()) Wipe(doc["token"].get_ref<std::string&>());
  if (robot.access_id.empty()) return Status::InvalidInput(origin + ": \"accessId\" is missing");
  if (robot.token.empty()) return Status::InvalidInput(origin + ": \"token\" is missing");
  return robot;
}

StatusOr<std::string> TokenSourceIdentity(const Settings& settings, FileSystem& fs) {
  if (!settings.robot_token_file.empty()) {
    StatusOr<std::string> print = fs.Fingerprint(settings.robot_token_file);
    if (!print.ok()) {
      return Status::InvalidInput(settings.robot_token_file_label + " " + settings.robot_token_file +
                                  ": cannot be read");
    }
    return "file:" + settings.robot_token_file + ":" + *print;
  }
  if (!settings.robot_token.empty()) {
    return "env:" + Sha256Hex(settings.robot_access_id + "\n" + settings.robot_token);
  }
  return std::string("keyring");
}

StatusOr<RobotToken> LoadRobotToken(const Settings& settings, const std::string& host, FileSystem& fs,
                                    const std::function<SecretStore&()>& store) {
  if (!settings.robot_token_file.empty()) {
    std::string origin = settings.robot_token_file_label + " " + settings.robot_token_file;
    StatusOr<std::string> text = fs.ReadFile(settings.robot_token_file, kMaxTokenFile);
    if (!text.ok()) {
      bool large = text.status().message().find("larger than") != std::string::npos;
      return Status::InvalidInput(origin + (large ? ": too large" : ": cannot be read"));
    }
    StatusOr<RobotToken> robot = ParseRobotTokenJson(*text, origin);
    Wipe(*text);
    return robot;
  }
  if (!settings.robot_token.empty()) {
    RobotToken robot{settings.robot_access_id, std::string(TrimSpace(settings.robot_token)),
                     "UP_ROBOT_TOKEN"};
    if (robot.access_id.empty()) robot.access_id = LoginId(robot);
    if (robot.access_id.empty()) {
      return Status::InvalidInput("UP_ROBOT_TOKEN is not a JWT: set UP_ROBOT_ACCESS_ID too");
    }
    return robot;
  }
  StatusOr<Credential> stored = store().Get(host);
  if (!stored.ok()) return stored.status();
  return RobotToken{stored->username, stored->secret, "the robot token stored for " + host};
}

}  // namespace dcu
