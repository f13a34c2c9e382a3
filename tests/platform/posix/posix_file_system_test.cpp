#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>

#include "helper/system/file_system.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

// Runs body in a child process and returns its exit code, or -1 when it
// has not finished within `limit`: a read that blocks must fail a test,
// not hang the suite.
template <typename Body>
int ExitCodeWithin(std::chrono::milliseconds limit, Body body) {
  pid_t child = fork();
  if (child == 0) _exit(body());
  Clock::time_point end = Clock::now() + limit;
  int status = 0;
  while (Clock::now() < end) {
    if (waitpid(child, &status, WNOHANG) == child) return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
    usleep(10000);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return -1;
}

// A read that blocks never returns; one that does not returns at once, but
// under valgrind at nice 19 on CI's loaded cores "at once" once took 5 s.
constexpr std::chrono::seconds kHangLimit{60};

int Mode(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

TEST_CASE("posix fs: private dir and atomic private files", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string cache = dir.path + "/a/b/cache";
  REQUIRE(fs.EnsurePrivateDir(cache).ok());
  CHECK(Mode(cache) == 0700);
  chmod(cache.c_str(), 0755);
  REQUIRE(fs.EnsurePrivateDir(cache).ok());
  CHECK(Mode(cache) == 0700);

  std::string file = cache + "/f.json";
  REQUIRE(fs.WritePrivateFileAtomic(file, std::string("a\0b", 3)).ok());
  CHECK(Mode(file) == 0600);
  CHECK(*fs.ReadPrivateFile(file, 100) == std::string("a\0b", 3));
  CHECK(fs.ReadPrivateFile(file, 2).status().code() == Code::kInvalidInput);
  REQUIRE(fs.WritePrivateFileAtomic(file, "new").ok());
  CHECK(*fs.ReadPrivateFile(file, 100) == "new");
  CHECK(fs.ListDir(cache) == std::vector<std::string>{"f.json"});  // no temporary left

  chmod(file.c_str(), 0644);  // readable by others: not ours to trust
  CHECK(fs.ReadPrivateFile(file, 100).status().code() == Code::kInvalidInput);
  symlink(file.c_str(), (cache + "/link").c_str());
  CHECK_FALSE(fs.ReadPrivateFile(cache + "/link", 100).ok());
  CHECK(fs.ReadPrivateFile(cache + "/absent", 100).status().IsNotFound());
  REQUIRE(fs.RemoveFile(file).ok());
  REQUIRE(fs.RemoveFile(file).ok());
}

TEST_CASE("posix fs: a write removes the temporary files of killed writers", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  std::string file = dir.path + "/f.json";
  std::string dead = file + ".tmp." + std::to_string(gone);
  std::string live = file + ".tmp." + std::to_string(getppid());
  std::string other = dir.path + "/g.json.tmp." + std::to_string(gone);
  for (const std::string& temp : {dead, live, other}) std::ofstream(temp) << "{\"half";
  REQUIRE(fs.WritePrivateFileAtomic(file, "new").ok());
  CHECK(access(dead.c_str(), F_OK) != 0);   // its writer is gone
  CHECK(access(live.c_str(), F_OK) == 0);   // its writer may still rename it
  CHECK(access(other.c_str(), F_OK) == 0);  // another file's: left to its writers
  CHECK(*fs.ReadPrivateFile(file, 100) == "new");
}

TEST_CASE("posix fs: a fingerprint changes with the content", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string file = dir.path + "/token.json";
  std::ofstream(file) << "one";
  std::string first = *fs.Fingerprint(file);
  CHECK(*fs.Fingerprint(file) == first);
  std::ofstream(dir.path + "/token.json.new") << "other";
  rename((dir.path + "/token.json.new").c_str(), file.c_str());
  CHECK(*fs.Fingerprint(file) != first);
  CHECK(fs.Fingerprint(dir.path + "/absent").status().IsNotFound());
}

TEST_CASE("posix fs: a lock excludes others and dies with its holder", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string lock_path = dir.path + "/x.lock";
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Hold the lock, say so, then wait to be killed.
    StatusOr<std::unique_ptr<FileLock>> held = fs.Lock(lock_path, Clock::now() + std::chrono::seconds(5));
    if (write(ready[1], held.ok() ? "y" : "n", 1) != 1) _exit(2);
    pause();
    _exit(0);
  }
  char answer = 0;
  REQUIRE(read(ready[0], &answer, 1) == 1);
  REQUIRE(answer == 'y');
  StatusOr<std::unique_ptr<FileLock>> blocked = fs.Lock(lock_path, Clock::now() + std::chrono::milliseconds(200));
  CHECK_FALSE(blocked.ok());
  CHECK(blocked.status().code() == Code::kUnavailable);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  StatusOr<std::unique_ptr<FileLock>> taken = fs.Lock(lock_path, Clock::now() + std::chrono::seconds(2));
  CHECK(taken.ok());
  close(ready[0]);
  close(ready[1]);
}

TEST_CASE("posix fs: ReadFile reads regular files only, within the limit", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string path = dir.path + "/f";
  std::ofstream(path) << "hello";
  CHECK(*fs.ReadFile(path, 5) == "hello");
  StatusOr<std::string> big = fs.ReadFile(path, 4);
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message() == path + ": larger than 4 bytes");
  CHECK(fs.ReadFile(dir.path + "/absent", 10).status().IsNotFound());
  CHECK(fs.ReadFile(dir.path + "/absent/x", 10).status().IsNotFound());
  CHECK(fs.ReadFile(dir.path, 10).status().message() == dir.path + ": not a regular file");
  // A FIFO with no writer would block a plain open forever.
  std::string fifo = dir.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  StatusOr<std::string> piped = fs.ReadFile(fifo, 10);
  REQUIRE_FALSE(piped.ok());
  CHECK(piped.status().code() == Code::kInvalidInput);
  // Followed through a symlink, as a config file may be.
  std::string link = dir.path + "/link";
  REQUIRE(symlink(path.c_str(), link.c_str()) == 0);
  CHECK(*fs.ReadFile(link, 5) == "hello");
}

TEST_CASE("posix fs: a FIFO as a private file is refused at once", "[posix_file_system]") {
  // A FIFO in the cache directory hung every get: open() waited for a writer.
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string fifo = dir.path + "/entry.json";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  int code = ExitCodeWithin(kHangLimit, [&] {
    StatusOr<std::string> read = fs.ReadPrivateFile(fifo, 100);
    return !read.ok() && read.status().code() == Code::kInvalidInput ? 0 : 1;
  });
  CHECK(code == 0);
}

TEST_CASE("posix fs: a private file must sit in a private directory", "[posix_file_system]") {
  // A directory others may write lets them swap the file under us; one
  // another user owns (a pre-created /tmp name) is theirs to fill.
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string cache = dir.path + "/cache";
  REQUIRE(fs.EnsurePrivateDir(cache).ok());
  std::string file = cache + "/f.json";
  REQUIRE(fs.WritePrivateFileAtomic(file, "data").ok());
  CHECK(*fs.ReadPrivateFile(file, 100) == "data");

  for (int mode : {0777, 0770, 0702, 01777}) {
    INFO("mode " << mode);
    REQUIRE(chmod(cache.c_str(), static_cast<mode_t>(mode)) == 0);
    StatusOr<std::string> read = fs.ReadPrivateFile(file, 100);
    REQUIRE_FALSE(read.ok());
    CHECK(read.status().code() == Code::kInvalidInput);
    CHECK(read.status().message() == cache + ": not a private directory of this user");
  }
  REQUIRE(chmod(cache.c_str(), 0755) == 0);  // readable by others is fine: the file is 0600
  CHECK(*fs.ReadPrivateFile(file, 100) == "data");

  // The directory itself may not be a symlink (to a directory someone else controls).
  std::string link = dir.path + "/link";
  REQUIRE(symlink(cache.c_str(), link.c_str()) == 0);
  CHECK(fs.ReadPrivateFile(link + "/f.json", 100).status().code() == Code::kInvalidInput);
  CHECK(fs.ReadPrivateFile(dir.path + "/absent/f.json", 100).status().IsNotFound());

  if (getuid() == 0) {
    // Another user's directory, even with our file in it.
    REQUIRE(chown(cache.c_str(), 65534, 65534) == 0);
    CHECK(fs.ReadPrivateFile(file, 100).status().message() == cache + ": not a private directory of this user");
  }
}

TEST_CASE("posix fs: devices and huge files are refused without reading them", "[posix_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string sparse = dir.path + "/huge";
  { std::ofstream(sparse) << ""; }
  REQUIRE(truncate(sparse.c_str(), 4LL << 30) == 0);  // 4 GiB of holes
  int code = ExitCodeWithin(kHangLimit, [&] {
    bool refused = fs.ReadFile("/dev/zero", 1 << 20).status().message() == "/dev/zero: not a regular file" &&
                   fs.ReadFile(sparse, 1 << 20).status().message() == sparse + ": larger than 1048576 bytes";
    return refused ? 0 : 1;
  });
  CHECK(code == 0);
}

}  // namespace
}  // namespace dcu
