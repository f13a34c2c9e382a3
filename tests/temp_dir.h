// A temporary directory removed with everything in it when the test ends.
#pragma once

#include <random>
#include <string>
#include <system_error>

#ifdef _WIN32
#include <filesystem>

#include "helper/system/file_system.h"
#else
#include <unistd.h>

#include <cstdlib>
#endif

namespace dcu {

struct TempDir {
  TempDir() {
#ifdef _WIN32
    // No mkdtemp: a random name in the user's %TEMP%, made private as the
    // user's profile makes it on Windows (wine's inherited access lists let
    // everyone read, which the cache would rightly refuse).
    std::random_device random;
    for (int attempt = 0; attempt < 100 && path.empty(); ++attempt) {
      std::filesystem::path candidate =
          std::filesystem::temp_directory_path() / ("dcu-test-" + std::to_string(random()));
      std::error_code error;
      if (std::filesystem::exists(candidate, error)) continue;
      if (DefaultFileSystem()->EnsurePrivateDir(candidate.generic_u8string()).ok()) {
        path = candidate.generic_u8string();
      }
    }
#else
    char pattern[] = "/tmp/dcu-test-XXXXXX";
    path = mkdtemp(pattern);
#endif
  }
  ~TempDir() {
#ifdef _WIN32
    std::error_code error;
    std::filesystem::remove_all(std::filesystem::u8path(path), error);
#else
    std::system(("rm -rf '" + path + "'").c_str());
#endif
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace dcu
