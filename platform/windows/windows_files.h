// Small Win32 file helpers for windows_file_system.cpp: a handle that
// closes itself, path splitting for either separator, bounded reads, and
// the clean-up of temporary files that killed writers left.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>

namespace dcu::win {

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Closes a handle when it goes out of scope.
class Handle {
 public:
  explicit Handle(HANDLE h = INVALID_HANDLE_VALUE) : h_(h) {}
  ~Handle() {
    if (ok()) CloseHandle(h_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool ok() const { return h_ != INVALID_HANDLE_VALUE && h_ != nullptr; }
  HANDLE get() const { return h_; }
  HANDLE release() {
    HANDLE h = h_;
    h_ = INVALID_HANDLE_VALUE;
    return h;
  }

 private:
  HANDLE h_;
};

// The errors that mean "nothing there" (POSIX: ENOENT, ENOTDIR).
bool IsMissing(DWORD error);

// The last / or \ in path, or npos.
std::size_t LastSeparator(const std::string& path);

// The directory part ("." when none; "/" and "C:\" kept as roots) and the
// name part of path.
std::string DirOf(const std::string& path);
std::string NameOf(const std::string& path);

// Opens path with FILE_FLAG_BACKUP_SEMANTICS, which directories need, so
// that a directory is refused by what it is rather than by an error code.
HANDLE Open(const std::wstring& path, DWORD access, DWORD flags);

// A disk file and not a directory: a pipe, console or device (NUL, CON,
// \\.\pipe\x) is refused before anything reads from it. Fills info.
bool IsRegular(HANDLE h, BY_HANDLE_FILE_INFORMATION* info);

std::uint64_t SizeOf(const BY_HANDLE_FILE_INFORMATION& info);

// Reads what h holds, at most limit bytes; false when there is more.
bool ReadAtMost(HANDLE h, std::size_t limit, std::string* data);

// As on POSIX: a writer killed between creating <name>.tmp.<pid> and the
// rename leaves it behind; those of writers that are gone are removed (a
// live writer's stays, and one whose ID was reused goes once that ends).
void RemoveAbandonedTemps(const std::string& path);

}  // namespace dcu::win
