#include "helper/commands/token_input.h"

#include "helper/base/text.h"
#include "helper/base/wipe.h"
#include "helper/docker/wire.h"

namespace dcu {
namespace {

constexpr std::size_t kMaxTokenFile = 64 * 1024;

std::string DirectoryOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// The bare token: printable ASCII without spaces, as Upbound issues them.
bool IsTokenText(std::string_view text) {
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return !text.empty();
}

}  // namespace

std::string ShellQuote(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '/' || c == '.' ||
                c == '-' || c == '_' || c == '+' || c == ':' || c == '@' || c == ',' || c == '%';
    plain = plain && safe;
  }
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

StatusOr<RobotToken> ReadTokenFile(FileSystem& fs, const std::string& path) {
  StatusOr<std::string> text = fs.ReadPrivateFile(path, kMaxTokenFile);
  if (!text.ok()) {
    const std::string& why = text.status().message();
    if (text.status().IsNotFound()) return Status::InvalidInput(path + ": no such file");
    if (why.find("not a private directory") != std::string::npos) {
      std::string dir = DirectoryOf(path);
      std::string head = "token file " + path + ": its directory " + dir +
                         " may be written by other users (or is not yours), who could swap the file: ";
      // Shared directories are meant to stay writable: only moving helps.
      if (dir == "/tmp" || dir == "/var/tmp" || dir == "/dev/shm") {
        return Status::InvalidInput(head + "move the file to a directory only you can write");
      }
      return Status::InvalidInput(head + "run `chmod go-w " + ShellQuote(dir) + "` (or move the file)");
    }
    if (why.find("not a private file") != std::string::npos) {
      StatusOr<std::string> plain = fs.ReadFile(path, kMaxTokenFile);
      if (plain.ok()) Wipe(*plain);
      if (!plain.ok() && plain.status().message().find("larger than") != std::string::npos) {
        return Status::InvalidInput("token file " + path + ": larger than " + std::to_string(kMaxTokenFile) +
                                    " bytes: not a robot token file");
      }
      if (!plain.ok() && plain.status().message().find("not a regular file") != std::string::npos) {
        return Status::InvalidInput("token file " + path + ": not a regular file");
      }
      return Status::InvalidInput("token file " + path +
                                  ": other users may read or change it (or it is not yours): run `chmod 600 " +
                                  ShellQuote(path) + "`");
    }
    // A symbolic link (not followed) or another error opening it.
    return Status::InvalidInput("token file " + path + ": cannot be read as a private file (" + why +
                                "); give the file itself, not a link to it");
  }
  StatusOr<RobotToken> robot = ParseRobotTokenJson(*text, "token file " + path);
  Wipe(*text);
  return robot;
}

StatusOr<RobotToken> ReadTokenStdin(std::istream& in, const std::string& access_id) {
  StatusOr<std::string> raw = ReadAllInput(in, kMaxTokenFile);
  if (!raw.ok()) return Status::InvalidInput("stdin: more than " + std::to_string(kMaxTokenFile) + " bytes");
  std::string text(TrimSpace(*raw));
  Wipe(*raw);
  if (text.empty()) {
    return Status::InvalidInput("stdin is empty: pipe the token file's JSON or the robot token into it");
  }
  if (text.front() == '{') {
    StatusOr<RobotToken> robot = ParseRobotTokenJson(text, "stdin");
    Wipe(text);
    if (robot.ok() && !access_id.empty() && access_id != robot->access_id) {
      Wipe(robot->token);
      return Status::InvalidInput("--access-id " + access_id + " differs from the accessId on stdin (" +
                                  robot->access_id + "); drop --access-id");
    }
    return robot;
  }
  if (!IsTokenText(text)) {
    Wipe(text);
    return Status::InvalidInput(
        "stdin: not a robot token (one word of printable characters) nor a token file's JSON");
  }
  RobotToken robot{access_id, std::move(text), "stdin"};
  if (robot.access_id.empty()) robot.access_id = LoginId(robot);
  if (robot.access_id.empty()) {
    Wipe(robot.token);
    return Status::InvalidInput("the token on stdin is not a JWT with a jti: give its access ID with --access-id");
  }
  return robot;
}

}  // namespace dcu
