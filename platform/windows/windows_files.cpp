#include "platform/windows/windows_files.h"

#include <algorithm>
#include <cwchar>

#include "helper/base/status.h"
#include "helper/base/wipe.h"
#include "platform/windows/wide.h"

namespace dcu::win {
namespace {

// Whether the process with this ID is gone: a temporary file it left can go.
bool ProcessGone(DWORD pid) {
  HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (process == nullptr) return GetLastError() == ERROR_INVALID_PARAMETER;  // no such process
  DWORD code = 0;
  bool gone = GetExitCodeProcess(process, &code) && code != STILL_ACTIVE;
  CloseHandle(process);
  return gone;
}

}  // namespace

bool IsMissing(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND || error == ERROR_INVALID_DRIVE ||
         error == ERROR_BAD_NETPATH || error == ERROR_BAD_NET_NAME;
}

std::size_t LastSeparator(const std::string& path) { return path.find_last_of("/\\"); }

std::string DirOf(const std::string& path) {
  std::size_t slash = LastSeparator(path);
  if (slash == std::string::npos) return ".";
  if (slash == 0 || (slash == 2 && path[1] == ':')) return path.substr(0, slash + 1);  // "/", "C:\"
  return path.substr(0, slash);
}

std::string NameOf(const std::string& path) {
  std::size_t slash = LastSeparator(path);
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

HANDLE Open(const std::wstring& path, DWORD access, DWORD flags) {
  return CreateFileW(path.c_str(), access, kShareAll, nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | flags,
                     nullptr);
}

bool IsRegular(HANDLE h, BY_HANDLE_FILE_INFORMATION* info) {
  return GetFileType(h) == FILE_TYPE_DISK && GetFileInformationByHandle(h, info) &&
         (info->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

std::uint64_t SizeOf(const BY_HANDLE_FILE_INFORMATION& info) {
  return (static_cast<std::uint64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow;
}

bool ReadAtMost(HANDLE h, std::size_t limit, std::string* data) {
  char buffer[8192];
  for (;;) {
    DWORD want = static_cast<DWORD>(std::min(sizeof buffer, limit + 1 - data->size()));
    DWORD n = 0;
    if (!::ReadFile(h, buffer, want, &n, nullptr) || n == 0) break;
    if (data->size() + n > limit) {
      WipeBytes(buffer, sizeof buffer);
      return false;
    }
    data->append(buffer, n);
  }
  WipeBytes(buffer, sizeof buffer);
  return true;
}

void RemoveAbandonedTemps(const std::string& path) {
  std::string dir = DirOf(path);
  std::string prefix = NameOf(path) + ".tmp.";
  StatusOr<std::wstring> pattern = Wide(dir + "\\" + prefix + "*", path);
  if (!pattern.ok()) return;
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW(pattern->c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) return;
  do {
    std::string name = Narrow(found.cFileName, wcslen(found.cFileName));
    if (name.compare(0, prefix.size(), prefix) != 0) continue;  // 8.3 names match patterns too
    std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    DWORD pid = static_cast<DWORD>(std::stoul(digits));
    if (pid == 0 || pid == GetCurrentProcessId() || !ProcessGone(pid)) continue;
    StatusOr<std::wstring> temp = Wide(dir + "\\" + name, name);
    if (temp.ok()) DeleteFileW(temp->c_str());
  } while (FindNextFileW(find, &found));
  FindClose(find);
}

}  // namespace dcu::win
