// A temporary directory removed with everything in it when the test ends.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace dcu {

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/dcu-test-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace dcu
