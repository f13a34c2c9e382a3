// Where login reads a robot token: the file `up robot token create
// <robot> <name> --file FILE` writes ({"accessId","token"}), or stdin
// (that JSON, or the bare token). Never argv.
#pragma once

#include <istream>
#include <string>

#include "helper/base/status.h"
#include "helper/system/file_system.h"
#include "helper/upbound/robot_token.h"

namespace dcu {

// Reads path, which must be this user's and private (mode 0600, in a
// directory others cannot write); InvalidInput otherwise, with the chmod
// that fixes it, and for a file that is not that JSON (one line, no secret).
StatusOr<RobotToken> ReadTokenFile(FileSystem& fs, const std::string& path);

// Reads all of in: the JSON (access_id must then be empty), or one bare
// token whose access ID is access_id, else its jti when it is a JWT.
StatusOr<RobotToken> ReadTokenStdin(std::istream& in, const std::string& access_id);

// text quoted for a POSIX shell when it needs to be.
std::string ShellQuote(const std::string& text);

}  // namespace dcu
