// A FileSystem in memory for the fuzz targets: no disk traffic per run,
// a fixed clock, locks that are always free. Only what the cache and the
// settings use behaves like the real one; the rest answers plainly.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "helper/system/file_system.h"

namespace dcu {

class MemoryFileSystem : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, std::size_t limit) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound(path + ": no such file");
    if (it->second.size() > limit) return Status::InvalidInput(path + ": larger than " + std::to_string(limit) + " bytes");
    return it->second;
  }
  StatusOr<std::string> ReadPrivateFile(const std::string& path, std::size_t limit) override {
    return ReadFile(path, limit);
  }
  Status WritePrivateFileAtomic(const std::string& path, const std::string& data) override {
    files[path] = data;
    return Status::Ok();
  }
  StatusOr<std::string> ResolvePath(const std::string& path) override {
    if (files.count(path) == 0) return Status::NotFound(path + ": no such file");
    return path;
  }
  Status RemoveFile(const std::string& path) override {
    files.erase(path);
    return Status::Ok();
  }
  Status EnsurePrivateDir(const std::string&) override { return Status::Ok(); }
  std::vector<std::string> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    const std::string prefix = dir + "/";
    for (const auto& [path, data] : files) {
      if (path.compare(0, prefix.size(), prefix) == 0 && path.find('/', prefix.size()) == std::string::npos) {
        names.push_back(path.substr(prefix.size()));
      }
    }
    return names;
  }
  StatusOr<std::string> Fingerprint(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound(path + ": no such file");
    return std::to_string(it->second.size()) + ":" + it->second;
  }
  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string&, std::chrono::steady_clock::time_point) override {
    return std::unique_ptr<FileLock>(new FileLock());
  }
  StatusOr<FileInfo> Stat(const std::string& path) override {
    if (files.count(path) == 0) return Status::NotFound(path + ": no such file");
    FileInfo info;
    info.regular = true;
    info.permissions = 0600;
    return info;
  }
  std::int64_t Now() override { return now; }

  std::map<std::string, std::string> files;
  std::int64_t now = 1'800'000'000;
};

}  // namespace dcu
