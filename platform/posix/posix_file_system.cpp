#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "helper/base/wipe.h"
#include "helper/system/file_system.h"

namespace dcu {
namespace {

std::string Errno(const std::string& context) { return context + ": " + std::strerror(errno); }

class PosixLock : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override { close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

// Reads what fd holds, at most limit bytes; false when there is more. Asks
// for no more than limit + 1 bytes in all, so a file that grows (or a
// device) costs at most that.
bool ReadAtMost(int fd, std::size_t limit, std::string* data) {
  char buffer[8192];
  for (;;) {
    std::size_t want = std::min(sizeof buffer, limit + 1 - data->size());
    ssize_t n = read(fd, buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (data->size() + static_cast<std::size_t>(n) > limit) {
      WipeBytes(buffer, sizeof buffer);
      return false;
    }
    data->append(buffer, static_cast<std::size_t>(n));
  }
  WipeBytes(buffer, sizeof buffer);
  return true;
}

// A writer killed between creating its temporary file (<name>.tmp.<pid>)
// and the rename leaves that file behind, and the next writer uses another
// name: without this, every crash at that moment would leave one more.
// Removes those of writers that are gone; a live writer's stays, as does
// one whose process ID was reused since (it goes once that process ends).
void RemoveAbandonedTemps(const std::string& path) {
  std::size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid <= 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH) continue;
    unlinkat(dirfd(d), name.c_str(), 0);
  }
  closedir(d);
}

class PosixFileSystem : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, std::size_t limit) override {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path);
      return Status::Unavailable(Errno(path));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      return Status::InvalidInput(path + ": not a regular file");
    }
    std::string data;
    // The size is checked while reading too: the file may grow after fstat.
    bool fits = static_cast<std::size_t>(st.st_size) <= limit && ReadAtMost(fd, limit, &data);
    close(fd);
    if (!fits) {
      Wipe(data);
      return Status::InvalidInput(path + ": larger than " + std::to_string(limit) + " bytes");
    }
    return data;
  }

  StatusOr<std::string> ReadPrivateFile(const std::string& path, std::size_t limit) override {
    // The directory first, and the file through it (openat): a directory
    // another user owns or may write (a pre-created /tmp name) could hold
    // anything, or get a new file between a check and an open.
    std::size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir_fd < 0) {
      if (errno == ENOENT) return Status::NotFound(path);
      return Status::InvalidInput(dir + ": not a private directory of this user");
    }
    struct stat st;
    if (fstat(dir_fd, &st) != 0 || st.st_uid != getuid() || (st.st_mode & 022) != 0) {
      close(dir_fd);
      return Status::InvalidInput(dir + ": not a private directory of this user");
    }
    // O_NONBLOCK: a FIFO must not wait for a writer; it is refused below.
    int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    close(dir_fd);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound(path);
      return Status::InvalidInput(Errno(path));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
        (st.st_mode & 077) != 0 || static_cast<std::size_t>(st.st_size) > limit) {
      close(fd);
      return Status::InvalidInput(path + ": not a private file of this user");
    }
    std::string data;
    bool fits = ReadAtMost(fd, limit, &data);
    close(fd);
    if (!fits) {
      Wipe(data);
      return Status::InvalidInput(path + ": not a private file of this user");
    }
    return data;
  }

  Status WritePrivateFileAtomic(const std::string& path, const std::string& data) override {
    std::string temp = path + ".tmp." + std::to_string(getpid());
    int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Status::Unavailable(Errno(temp));
    fchmod(fd, 0600);
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    bool ok = done == data.size() && close(fd) == 0;
    if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
      Status failed = Status::Unavailable(Errno(path));
      unlink(temp.c_str());
      return failed;
    }
    RemoveAbandonedTemps(path);
    return Status::Ok();
  }

  StatusOr<std::string> ResolvePath(const std::string& path) override {
    char* resolved = realpath(path.c_str(), nullptr);
    if (resolved != nullptr) {
      std::string result = resolved;
      free(resolved);
      return result;
    }
    if (errno == ENOENT || errno == ENOTDIR) {
      struct stat st;
      if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        return Status::InvalidInput(path + ": a symbolic link to a missing file");
      }
      return Status::NotFound(path);
    }
    return Status::Unavailable(Errno(path));
  }

  Status RemoveFile(const std::string& path) override {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) return Status::Unavailable(Errno(path));
    return Status::Ok();
  }

  Status EnsurePrivateDir(const std::string& dir) override {
    struct stat st;
    if (lstat(dir.c_str(), &st) != 0) {
      std::size_t slash = dir.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        // Parents get ordinary permissions, as mkdir -p would give them.
        Status made = EnsureDir(dir.substr(0, slash));
        if (!made.ok()) return made;
      }
      if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::Unavailable(Errno(dir));
      if (lstat(dir.c_str(), &st) != 0) return Status::Unavailable(Errno(dir));
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
      return Status::Unavailable(dir + ": not a directory owned by this user");
    }
    if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0) return Status::Unavailable(Errno(dir));
    return Status::Ok();
  }

  std::vector<std::string> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return names;
    while (dirent* entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
    return names;
  }

  StatusOr<std::string> Fingerprint(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return Status::NotFound(path);
      return Status::InvalidInput(Errno(path));
    }
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
           std::to_string(st.st_size) + ":" + std::to_string(st.st_ctim.tv_sec) + "." +
           std::to_string(st.st_ctim.tv_nsec) + ":" + std::to_string(st.st_mtim.tv_nsec);
  }

  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                           std::chrono::steady_clock::time_point deadline) override {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0) return Status::InvalidInput(Errno(path));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
      close(fd);
      return Status::InvalidInput(path + ": not a regular file owned by this user");
    }
    // flock is released by the kernel when its holder dies, however it dies.
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        Status failed = Status::InvalidInput(Errno(path));
        close(fd);
        return failed;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        close(fd);
        return Status::Unavailable("timed out waiting for another process holding " + path);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::unique_ptr<FileLock>(new PosixLock(fd));
  }

  StatusOr<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path);
      return Status::Unavailable(Errno(path));
    }
    FileInfo info;
    info.regular = S_ISREG(st.st_mode);
    info.executable = info.regular && access(path.c_str(), X_OK) == 0;
    info.permissions = static_cast<unsigned>(st.st_mode & 07777);
    return info;
  }

  std::int64_t Now() override { return static_cast<std::int64_t>(std::time(nullptr)); }

 private:
  Status EnsureDir(const std::string& dir) {
    struct stat st;
    if (stat(dir.c_str(), &st) == 0) return Status::Ok();
    std::size_t slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      Status made = EnsureDir(dir.substr(0, slash));
      if (!made.ok()) return made;
    }
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Status::Unavailable(Errno(dir));
    return Status::Ok();
  }
};

}  // namespace

FileSystem* DefaultFileSystem() {
  static PosixFileSystem fs;
  return &fs;
}

}  // namespace dcu
