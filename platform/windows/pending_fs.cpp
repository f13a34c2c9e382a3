// TEMPORARY (issue 11 in progress): replaced by the Win32 file system and process.
#include "helper/system/file_system.h"
#include "helper/system/process.h"

namespace dcu {
namespace {
class PendingFs : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string&, std::size_t) override { return Status::NotFound("pending"); }
  StatusOr<std::string> ReadPrivateFile(const std::string&, std::size_t) override {
    return Status::NotFound("pending");
  }
  Status WritePrivateFileAtomic(const std::string&, const std::string&) override {
    return Status::Unavailable("pending");
  }
  StatusOr<std::string> ResolvePath(const std::string&) override { return Status::NotFound("pending"); }
  Status RemoveFile(const std::string&) override { return Status::Ok(); }
  Status EnsurePrivateDir(const std::string&) override { return Status::Unavailable("pending"); }
  std::vector<std::string> ListDir(const std::string&) override { return {}; }
  StatusOr<std::string> Fingerprint(const std::string&) override { return Status::NotFound("pending"); }
  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string&, std::chrono::steady_clock::time_point) override {
    return Status::Unavailable("pending");
  }
  StatusOr<FileInfo> Stat(const std::string&) override { return Status::NotFound("pending"); }
  std::int64_t Now() override { return 0; }
};
}  // namespace
FileSystem* DefaultFileSystem() {
  static PendingFs fs;
  return &fs;
}
Status HardenProcess() { return Status::Ok(); }
void ExitAfter(int, const char*) {}
std::string ProcessUserId() { return "0"; }
}  // namespace dcu
