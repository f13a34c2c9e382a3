// The permission bits of a file as the helper sees them: the mode on POSIX;
// on Windows what FileSystem::Stat makes of the access list (0600 or 0700
// when only the user, SYSTEM and Administrators may in, 0644/0755 when
// everyone may read). Tests that check "created private" use it on both.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "helper/system/file_system.h"

namespace dcu {

inline unsigned ModeOf(const std::string& path) {
  StatusOr<FileInfo> info = DefaultFileSystem()->Stat(path);
  REQUIRE(info.ok());
  return info->permissions;
}

}  // namespace dcu
