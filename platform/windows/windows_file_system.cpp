// The Win32 file system (helper/system/file_system.h). Paths are UTF-8 and
// may use / or \ (the core joins with /). "Owned by this user, mode 0600"
// becomes an owner and DACL check (windows_security.h).
#include <windows.h>
#include <aclapi.h>

#include <algorithm>
#include <ctime>
#include <cwchar>
#include <thread>

#include "helper/base/wipe.h"
#include "helper/system/file_system.h"
#include "platform/windows/wide.h"
#include "platform/windows/windows_files.h"
#include "platform/windows/windows_security.h"

namespace dcu {
namespace {

using win::AccessOf;
using win::DirOf;
using win::ErrorText;
using win::Handle;
using win::IsMissing;
using win::IsRegular;
using win::kShareAll;
using win::LastSeparator;
using win::NameOf;
using win::Open;
using win::ReadAtMost;
using win::RemoveAbandonedTemps;
using win::SizeOf;

class WindowsLock : public FileLock {
 public:
  explicit WindowsLock(HANDLE h) : h_(h) {}
  ~WindowsLock() override { CloseHandle(h_); }  // closing releases the lock

 private:
  HANDLE h_;
};

class WindowsFileSystem : public FileSystem {
 public:
  StatusOr<std::string> ReadFile(const std::string& path, std::size_t limit) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    Handle h(Open(*wide, GENERIC_READ, 0));
    if (!h.ok()) {
      DWORD error = GetLastError();
      if (IsMissing(error)) return Status::NotFound(path);
      return Status::Unavailable(path + ": " + ErrorText(error));
    }
    BY_HANDLE_FILE_INFORMATION info;
    if (!IsRegular(h.get(), &info)) return Status::InvalidInput(path + ": not a regular file");
    std::string data;
    // The size is checked while reading too: the file may grow meanwhile.
    if (SizeOf(info) > limit || !ReadAtMost(h.get(), limit, &data)) {
      Wipe(data);
      return Status::InvalidInput(path + ": larger than " + std::to_string(limit) + " bytes");
    }
    return data;
  }

  StatusOr<std::string> ReadPrivateFile(const std::string& path, std::size_t limit) override {
    std::string dir = DirOf(path);
    StatusOr<std::wstring> wide_dir = win::Wide(dir, path);
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok() || !wide_dir.ok()) return wide.ok() ? wide_dir.status() : wide.status();
    // The directory stays open, without FILE_SHARE_DELETE, while the file
    // is opened: it cannot be renamed or replaced in between (POSIX: openat).
    Handle d(CreateFileW(wide_dir->c_str(), READ_CONTROL | FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    std::string foreign_dir = dir + ": not a private directory of this user";
    if (!d.ok()) {
      if (IsMissing(GetLastError())) return Status::NotFound(path);
      return Status::InvalidInput(foreign_dir);
    }
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(d.get(), &info) || (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0 ||
        (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 || !AccessOf(d.get()).Private()) {
      return Status::InvalidInput(foreign_dir);
    }
    // FILE_FLAG_OPEN_REPARSE_POINT: a symbolic link or junction is opened
    // itself (and refused), not followed.
    Handle h(CreateFileW(wide->c_str(), GENERIC_READ | READ_CONTROL, kShareAll, nullptr, OPEN_EXISTING,
                         FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!h.ok()) {
      DWORD error = GetLastError();
      if (IsMissing(error)) return Status::NotFound(path);
      return Status::InvalidInput(path + ": " + ErrorText(error));
    }
    std::string foreign = path + ": not a private file of this user";
    if (!IsRegular(h.get(), &info) || (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 ||
        !AccessOf(h.get()).Private() || SizeOf(info) > limit) {
      return Status::InvalidInput(foreign);
    }
    std::string data;
    if (!ReadAtMost(h.get(), limit, &data)) {
      Wipe(data);
      return Status::InvalidInput(foreign);
    }
    return data;
  }

  Status WritePrivateFileAtomic(const std::string& path, const std::string& data) override {
    std::string temp = path + ".tmp." + std::to_string(GetCurrentProcessId());
    StatusOr<std::wstring> wide = win::Wide(path, path);
    StatusOr<std::wstring> wide_temp = win::Wide(temp, path);
    if (!wide.ok()) return wide.status();
    StatusOr<PSECURITY_DESCRIPTOR> sd = win::PrivateDescriptor(false);
    if (!sd.ok()) return sd.status();
    SECURITY_ATTRIBUTES sa = {sizeof sa, *sd, FALSE};
    // A leftover of this process ID would keep its old DACL under CREATE_ALWAYS.
    DeleteFileW(wide_temp->c_str());
    Handle h(CreateFileW(wide_temp->c_str(), GENERIC_WRITE | DELETE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
                         nullptr));
    DWORD error = GetLastError();
    LocalFree(*sd);
    if (!h.ok()) return Status::Unavailable(temp + ": " + ErrorText(error));
    std::size_t done = 0;
    while (done < data.size()) {
      DWORD n = 0;
      DWORD want = static_cast<DWORD>(std::min<std::size_t>(data.size() - done, 1 << 20));
      if (!WriteFile(h.get(), data.data() + done, want, &n, nullptr) || n == 0) break;
      done += n;
    }
    error = GetLastError();
    CloseHandle(h.release());
    bool moved = done == data.size();
    // Another program (a virus scanner, an indexer) may hold the old file
    // open for a moment without FILE_SHARE_DELETE: the rename is retried.
    for (int attempt = 0; moved && !MoveFileExW(wide_temp->c_str(), wide->c_str(), MOVEFILE_REPLACE_EXISTING);
         ++attempt) {
      error = GetLastError();
      if (attempt >= 50 || (error != ERROR_ACCESS_DENIED && error != ERROR_SHARING_VIOLATION)) moved = false;
      else Sleep(20);
    }
    if (!moved) {
      DeleteFileW(wide_temp->c_str());
      return Status::Unavailable(path + ": " + ErrorText(error));
    }
    RemoveAbandonedTemps(path);
    return Status::Ok();
  }

  StatusOr<std::string> ResolvePath(const std::string& path) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    Handle h(Open(*wide, 0, 0));
    if (!h.ok()) {
      DWORD error = GetLastError();
      if (!IsMissing(error)) return Status::Unavailable(path + ": " + ErrorText(error));
      DWORD attributes = GetFileAttributesW(wide->c_str());
      if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return Status::InvalidInput(path + ": a symbolic link to a missing file");
      }
      return Status::NotFound(path);
    }
    std::wstring final_path(MAX_PATH, L'\0');
    for (;;) {
      DWORD n = GetFinalPathNameByHandleW(h.get(), final_path.data(), static_cast<DWORD>(final_path.size()),
                                          FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
      if (n == 0) return Status::Unavailable(path + ": " + ErrorText(GetLastError()));
      if (n < final_path.size()) {
        final_path.resize(n);
        break;
      }
      final_path.resize(n + 1);
    }
    // \\?\C:\x -> C:/x and \\?\UNC\server\share -> //server/share: what
    // other programs accept, with the separator the core joins and compares
    // with (configure tells a link from a plain path by dir + "/" + name).
    if (final_path.rfind(L"\\\\?\\UNC\\", 0) == 0) final_path = L"\\\\" + final_path.substr(8);
    else if (final_path.rfind(L"\\\\?\\", 0) == 0) final_path = final_path.substr(4);
    std::string result = win::Narrow(final_path);
    std::replace(result.begin(), result.end(), '\\', '/');
    return result;
  }

  Status RemoveFile(const std::string& path) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    if (!DeleteFileW(wide->c_str()) && !IsMissing(GetLastError())) {
      return Status::Unavailable(path + ": " + ErrorText(GetLastError()));
    }
    return Status::Ok();
  }

  Status EnsurePrivateDir(const std::string& dir) override {
    StatusOr<std::wstring> wide = win::Wide(dir, dir);
    if (!wide.ok()) return wide.status();
    StatusOr<PSECURITY_DESCRIPTOR> sd = win::PrivateDescriptor(true);
    if (!sd.ok()) return sd.status();
    Status result = EnsurePrivateDir(dir, *wide, *sd);
    LocalFree(*sd);
    return result;
  }

  std::vector<std::string> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    StatusOr<std::wstring> pattern = win::Wide(dir + "\\*", dir);
    if (!pattern.ok()) return names;
    WIN32_FIND_DATAW found;
    HANDLE find = FindFirstFileW(pattern->c_str(), &found);
    if (find == INVALID_HANDLE_VALUE) return names;
    do {
      std::string name = win::Narrow(found.cFileName, wcslen(found.cFileName));
      if (name != "." && name != "..") names.push_back(name);
    } while (FindNextFileW(find, &found));
    FindClose(find);
    return names;
  }

  StatusOr<std::string> Fingerprint(const std::string& path) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    Handle h(Open(*wide, FILE_READ_ATTRIBUTES, 0));
    BY_HANDLE_FILE_INFORMATION info;
    FILE_BASIC_INFO basic;
    if (!h.ok()) {
      DWORD error = GetLastError();
      if (IsMissing(error)) return Status::NotFound(path);
      return Status::InvalidInput(path + ": " + ErrorText(error));
    }
    if (!GetFileInformationByHandle(h.get(), &info) ||
        !GetFileInformationByHandleEx(h.get(), FileBasicInfo, &basic, sizeof basic)) {
      return Status::InvalidInput(path + ": " + ErrorText(GetLastError()));
    }
    // ChangeTime moves with any change, as ctime does; LastWriteTime too.
    return std::to_string(info.dwVolumeSerialNumber) + ":" + std::to_string(info.nFileIndexHigh) + "." +
           std::to_string(info.nFileIndexLow) + ":" + std::to_string(SizeOf(info)) + ":" +
           std::to_string(basic.ChangeTime.QuadPart) + ":" + std::to_string(basic.LastWriteTime.QuadPart);
  }

  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& path,
                                           std::chrono::steady_clock::time_point deadline) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    StatusOr<PSECURITY_DESCRIPTOR> sd = win::PrivateDescriptor(false);
    if (!sd.ok()) return sd.status();
    SECURITY_ATTRIBUTES sa = {sizeof sa, *sd, FALSE};
    Handle h(CreateFileW(wide->c_str(), GENERIC_READ | GENERIC_WRITE | READ_CONTROL, kShareAll, &sa, OPEN_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    DWORD error = GetLastError();
    LocalFree(*sd);
    if (!h.ok()) return Status::InvalidInput(path + ": " + ErrorText(error));
    BY_HANDLE_FILE_INFORMATION info;
    if (!IsRegular(h.get(), &info) || (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 ||
        !AccessOf(h.get()).owned) {
      return Status::InvalidInput(path + ": not a regular file owned by this user");
    }
    // A byte range lock belongs to its handle; the system drops it when the
    // handle closes, and so when its holder dies, however it dies.
    for (;;) {
      OVERLAPPED at = {};
      if (LockFileEx(h.get(), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at)) break;
      error = GetLastError();
      if (error != ERROR_LOCK_VIOLATION && error != ERROR_IO_PENDING) {
        return Status::InvalidInput(path + ": " + ErrorText(error));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status::Unavailable("timed out waiting for another process holding " + path);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::unique_ptr<FileLock>(new WindowsLock(h.release()));
  }

  StatusOr<FileInfo> Stat(const std::string& path) override {
    StatusOr<std::wstring> wide = win::Wide(path, path);
    if (!wide.ok()) return wide.status();
    Handle h(Open(*wide, FILE_READ_ATTRIBUTES | READ_CONTROL, 0));
    if (!h.ok()) {
      DWORD error = GetLastError();
      if (IsMissing(error)) return Status::NotFound(path);
      return Status::Unavailable(path + ": " + ErrorText(error));
    }
    BY_HANDLE_FILE_INFORMATION info;
    FileInfo result;
    result.regular = IsRegular(h.get(), &info);
    // What Windows would run: a program or a script the shell executes.
    std::string name = NameOf(path);
    std::size_t dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? "" : name.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
    result.executable = result.regular && (ext == ".exe" || ext == ".bat" || ext == ".cmd" || ext == ".com");
    result.permissions = AccessOf(h.get()).Mode() | (result.executable ? 0100u : 0u);
    // A directory whoever may read may also enter, as POSIX modes say it
    // (a private cache directory reads 0700, as on Linux).
    bool directory = GetFileInformationByHandle(h.get(), &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
    if (directory) result.permissions |= (result.permissions & 0444u) >> 2;
    return result;
  }

  std::int64_t Now() override { return static_cast<std::int64_t>(std::time(nullptr)); }

 private:
  Status EnsurePrivateDir(const std::string& dir, const std::wstring& wide, PSECURITY_DESCRIPTOR sd) {
    DWORD attributes = GetFileAttributesW(wide.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) {
      std::size_t slash = LastSeparator(dir);
      if (slash != std::string::npos && slash > 0) {
        // Parents get what they inherit, as mkdir -p would give them.
        Status made = EnsureDir(dir.substr(0, slash));
        if (!made.ok()) return made;
      }
      SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
      if (!CreateDirectoryW(wide.c_str(), &sa) && GetLastError() != ERROR_ALREADY_EXISTS) {
        return Status::Unavailable(dir + ": " + ErrorText(GetLastError()));
      }
    }
    Handle h(CreateFileW(wide.c_str(), READ_CONTROL | WRITE_DAC | FILE_READ_ATTRIBUTES, kShareAll, nullptr,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!h.ok()) return Status::Unavailable(dir + ": " + ErrorText(GetLastError()));
    BY_HANDLE_FILE_INFORMATION info;
    win::Access access = AccessOf(h.get());
    if (!GetFileInformationByHandle(h.get(), &info) || (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0 ||
        (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0 || !access.owned) {
      return Status::Unavailable(dir + ": not a directory owned by this user");
    }
    if (access.Private()) return Status::Ok();
    PACL dacl = nullptr;
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
    // PROTECTED: inherited entries (Users, Everyone) are dropped, not merged.
    DWORD set = SetSecurityInfo(h.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                nullptr, nullptr, dacl, nullptr);
    if (set != ERROR_SUCCESS) return Status::Unavailable(dir + ": " + ErrorText(set));
    // Where access lists are emulated (wine maps them onto Unix modes, and
    // cannot take a read right away from others), the new one may not be
    // what the system enforces: checked again, and refused if not private.
    if (!AccessOf(h.get()).Private()) {
      return Status::Unavailable(dir + ": cannot make it private (its access list still lets other users in)");
    }
    return Status::Ok();
  }

  Status EnsureDir(const std::string& dir) {
    StatusOr<std::wstring> wide = win::Wide(dir, dir);
    if (!wide.ok()) return wide.status();
    if (GetFileAttributesW(wide->c_str()) != INVALID_FILE_ATTRIBUTES) return Status::Ok();
    std::size_t slash = LastSeparator(dir);
    if (slash != std::string::npos && slash > 0) {
      Status made = EnsureDir(dir.substr(0, slash));
      if (!made.ok()) return made;
    }
    if (!CreateDirectoryW(wide->c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
      return Status::Unavailable(dir + ": " + ErrorText(GetLastError()));
    }
    return Status::Ok();
  }
};

}  // namespace

FileSystem* DefaultFileSystem() {
  static WindowsFileSystem fs;
  return &fs;
}

}  // namespace dcu
