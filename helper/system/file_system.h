// FileSystem: every file operation of the core (the cache, the config file,
// token files, CA bundles), behind one interface so that helper/ stays free
// of OS headers and tests can move the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "helper/base/status.h"

namespace dcu {

// Held while a process owns a lock; released by the destructor, and by the
// kernel when the process dies, so a killed holder never blocks others.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

// What a path is, as far as doctor needs to know (following symlinks).
struct FileInfo {
  bool regular = false;      // a regular file
  bool executable = false;   // this user may execute it
  unsigned permissions = 0;  // mode & 07777
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Reads a regular file of at most `limit` bytes (following symlinks).
  // NotFound when absent; InvalidInput "<path>: not a regular file" (a FIFO
  // or device is never opened for reading, so it cannot block) or
  // "<path>: larger than N bytes"; Unavailable for any other error.
  virtual StatusOr<std::string> ReadFile(const std::string& path, std::size_t limit) = 0;

  // Reads a file of at most `limit` bytes that this user owns and nobody
  // else may read or write (mode 0600 or stricter), without following a
  // symlink, in a directory this user owns that group and others cannot
  // write (not a symlink either); a FIFO or device is refused without
  // blocking. NotFound when absent; InvalidInput when foreign or too large.
  virtual StatusOr<std::string> ReadPrivateFile(const std::string& path, std::size_t limit) = 0;

  // Replaces path atomically (temporary file, fsync-free rename) with mode
  // 0600. A reader sees the old or the new content, never a mix. Temporary
  // files for path that writers killed before their rename left are removed.
  virtual Status WritePrivateFileAtomic(const std::string& path, const std::string& data) = 0;

  // Where the file at path really is, for a command that replaces a file
  // another program reads (configure): path with every symbolic link
  // resolved (realpath(3)), so that a link keeps pointing at the new
  // content. NotFound when nothing is there (also when a directory on the
  // way is missing or not a directory); InvalidInput "<path>: a symbolic
  // link to a missing file" for a dangling link; Unavailable otherwise.
  virtual StatusOr<std::string> ResolvePath(const std::string& path) = 0;

  // OK when removed or absent.
  virtual Status RemoveFile(const std::string& path) = 0;

  // Creates dir (and missing parents) with mode 0700; an existing dir must
  // be owned by this user, and loses group and other permissions.
  virtual Status EnsurePrivateDir(const std::string& dir) = 0;

  // Names (not paths) of the entries in dir; empty when dir is absent.
  virtual std::vector<std::string> ListDir(const std::string& dir) = 0;

  // An identity of the file's current content without reading it
  // (device, inode, size, change time), or NotFound.
  virtual StatusOr<std::string> Fingerprint(const std::string& path) = 0;

  // Takes an exclusive lock on path (a regular file of this user's, created
  // 0600 if absent), waiting until deadline. Unavailable when another holder
  // kept it past the deadline; InvalidInput when the lock file cannot be
  // used at all (an unwritable directory, a FIFO, another owner's file).
  virtual StatusOr<std::unique_ptr<FileLock>> Lock(
      const std::string& path, std::chrono::steady_clock::time_point deadline) = 0;

  // What path is, following symlinks. NotFound when absent; Unavailable
  // for any other error. Nothing is opened.
  virtual StatusOr<FileInfo> Stat(const std::string& path) = 0;

  // Seconds since the Unix epoch.
  virtual std::int64_t Now() = 0;
};

// The platform's file system. Defined once, in platform/.
FileSystem* DefaultFileSystem();

}  // namespace dcu
