// The real file system with a clock the test moves.
#pragma once

#include "helper/system/file_system.h"

namespace dcu {

class ClockedFileSystem : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& p, std::size_t l) override { return real().ReadFile(p, l); }
  StatusOr<std::string> ReadPrivateFile(const std::string& p, std::size_t l) override { return real().ReadPrivateFile(p, l); }
  Status WritePrivateFileAtomic(const std::string& p, const std::string& d) override { return real().WritePrivateFileAtomic(p, d); }
  StatusOr<std::string> ResolvePath(const std::string& p) override { return real().ResolvePath(p); }
  Status RemoveFile(const std::string& p) override { return real().RemoveFile(p); }
  Status EnsurePrivateDir(const std::string& d) override { return real().EnsurePrivateDir(d); }
  std::vector<std::string> ListDir(const std::string& d) override { return real().ListDir(d); }
  StatusOr<std::string> Fingerprint(const std::string& p) override { return real().Fingerprint(p); }
  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& p, std::chrono::steady_clock::time_point d) override {
    return real().Lock(p, d);
  }
  StatusOr<FileInfo> Stat(const std::string& p) override { return real().Stat(p); }
  std::int64_t Now() override { return now; }
  std::int64_t now = 1'800'000'000;

 private:
  static FileSystem& real() { return *DefaultFileSystem(); }
};

}  // namespace dcu
