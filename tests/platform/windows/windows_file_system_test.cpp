#include <catch2/catch.hpp>

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include "helper/system/file_system.h"
#include "helper/system/process.h"
#include "platform/windows/wide.h"
#include "tests/platform/windows/child_process.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;

std::wstring W(const std::string& s) { return *win::Wide(s, "test"); }

// The private file's content, or its error (a failed read fails a CHECK
// instead of crashing the suite).
std::string ReadOr(FileSystem& fs, const std::string& path) {
  StatusOr<std::string> read = fs.ReadPrivateFile(path, 100);
  return read.ok() ? *read : "<" + read.status().message() + ">";
}

bool Exists(const std::string& path) { return GetFileAttributesW(W(path).c_str()) != INVALID_FILE_ATTRIBUTES; }

void WriteText(const std::string& path, const std::string& text) {
  HANDLE h = CreateFileW(W(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  REQUIRE(h != INVALID_HANDLE_VALUE);
  DWORD n = 0;
  WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
  CloseHandle(h);
}

// Replaces path's DACL: this user full control plus `extra` (SDDL ACEs).
void SetDacl(const std::string& path, const std::string& extra) {
  std::string sddl = "D:P(A;;FA;;;" + ProcessUserId() + ")" + extra;
  PSECURITY_DESCRIPTOR sd = nullptr;
  REQUIRE(ConvertStringSecurityDescriptorToSecurityDescriptorW(W(sddl).c_str(), SDDL_REVISION_1, &sd, nullptr));
  PACL dacl = nullptr;
  BOOL present = FALSE, defaulted = FALSE;
  GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
  std::wstring wide = W(path);
  DWORD set = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                                    DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
                                    dacl, nullptr);
  LocalFree(sd);
  REQUIRE(set == ERROR_SUCCESS);
}

// A symbolic link, where this system lets the user make one (Windows needs
// developer mode or a privilege; wine 8's CreateSymbolicLinkW says yes and
// makes nothing). False if not.
bool MakeLink(const std::string& link, const std::string& target) {
  if (!CreateSymbolicLinkW(W(link).c_str(), W(target).c_str(), SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE) &&
      !CreateSymbolicLinkW(W(link).c_str(), W(target).c_str(), 0)) {
    return false;
  }
  DWORD attributes = GetFileAttributesW(W(link).c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
}

// EnsurePrivateDir on a directory others may open: tightened (Windows), or
// refused where the system does not apply the new access list (wine, which
// maps access lists onto Unix modes and keeps others' read right).
void CheckTightened(FileSystem& fs, const std::string& dir) {
  Status tightened = fs.EnsurePrivateDir(dir);
  if (tightened.ok()) {
    CHECK(fs.Stat(dir)->permissions == 0700);
  } else {
    CHECK(tightened.message() == dir + ": cannot make it private (its access list still lets other users in)");
    WARN("this system did not apply the private access list (wine): tightening is not proven here");
    // Fresh, then: a new directory is created private.
    REQUIRE(RemoveDirectoryW(W(dir).c_str()));
    REQUIRE(fs.EnsurePrivateDir(dir).ok());
  }
}

TEST_CASE("windows fs: private dir and atomic private files", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string cache = dir.path + "/a/b\\caché";
  REQUIRE(fs.EnsurePrivateDir(cache).ok());
  CHECK(fs.Stat(cache)->permissions == 0700);  // a directory: as POSIX would say it
  SetDacl(cache, "(A;;FA;;;WD)");               // Everyone: full control
  CHECK(fs.Stat(cache)->permissions == 0777);
  CheckTightened(fs, cache);

  std::string file = cache + "/f.json";
  REQUIRE(fs.WritePrivateFileAtomic(file, std::string("a\0b", 3)).ok());
  StatusOr<FileInfo> info = fs.Stat(file);
  REQUIRE(info.ok());
  CHECK(info->regular);
  CHECK_FALSE(info->executable);
  CHECK(info->permissions == 0600);
  StatusOr<std::string> read = fs.ReadPrivateFile(file, 100);
  REQUIRE(read.ok());
  CHECK(*read == std::string("a\0b", 3));
  CHECK(fs.ReadPrivateFile(file, 2).status().code() == Code::kInvalidInput);
  REQUIRE(fs.WritePrivateFileAtomic(file, "new").ok());
  CHECK(ReadOr(fs, file) == "new");
  CHECK(fs.ListDir(cache) == std::vector<std::string>{"f.json"});  // no temporary left

  SetDacl(file, "(A;;FR;;;WD)");  // readable by everyone: not ours to trust
  CHECK(fs.Stat(file)->permissions == 0644);
  StatusOr<std::string> open = fs.ReadPrivateFile(file, 100);
  CHECK(open.status().code() == Code::kInvalidInput);
  CHECK(open.status().message() == file + ": not a private file of this user");
  REQUIRE(fs.WritePrivateFileAtomic(file, "new").ok());  // a new file, a new access list
  REQUIRE(fs.ReadPrivateFile(file, 100).ok());
  if (MakeLink(cache + "/link", file)) {
    CHECK_FALSE(fs.ReadPrivateFile(cache + "/link", 100).ok());
  } else {
    WARN("no symbolic link could be made here: the link case is not tested");
  }
  CHECK(fs.ReadPrivateFile(cache + "/absent", 100).status().IsNotFound());
  CHECK(fs.ReadPrivateFile(dir.path + "/absent/f.json", 100).status().IsNotFound());
  REQUIRE(fs.RemoveFile(file).ok());
  REQUIRE(fs.RemoveFile(file).ok());
  CHECK_FALSE(Exists(file));
}

TEST_CASE("windows fs: a private file must sit in a private directory", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string cache = dir.path + "/cache";
  REQUIRE(fs.EnsurePrivateDir(cache).ok());
  std::string file = cache + "/token";
  REQUIRE(fs.WritePrivateFileAtomic(file, "secret").ok());
  SetDacl(cache, "(A;OICI;FW;;;WD)");  // anyone may add or replace files here
  StatusOr<std::string> read = fs.ReadPrivateFile(file, 100);
  CHECK(read.status().code() == Code::kInvalidInput);
  CHECK(read.status().message() == cache + ": not a private directory of this user");
  REQUIRE(fs.RemoveFile(file).ok());
  CheckTightened(fs, cache);
  REQUIRE(fs.WritePrivateFileAtomic(file, "secret").ok());
  StatusOr<std::string> again = fs.ReadPrivateFile(file, 100);
  REQUIRE(again.ok());
  CHECK(*again == "secret");
}

TEST_CASE("windows fs: a write removes the temporary files of killed writers", "[windows][windows_file_system]") {
  TempDir top;
  FileSystem& fs = *DefaultFileSystem();
  struct {
    std::string path;
  } dir{top.path + "/private"};
  REQUIRE(fs.EnsurePrivateDir(dir.path).ok());
  DWORD alive = 0;
  HANDLE sleeper = test::StartSelf(L"\"[.windows_sleeper]\"", nullptr, &alive);
  REQUIRE(sleeper != nullptr);
  DWORD gone = 0;
  HANDLE ended = test::StartSelf(L"\"[.no_such_test_case]\"", nullptr, &gone);
  REQUIRE(ended != nullptr);
  test::WaitExit(ended, 30000);  // closes the last handle: the ID is free
  std::string file = dir.path + "/f.json";
  std::string dead = file + ".tmp." + std::to_string(gone);
  std::string live = file + ".tmp." + std::to_string(alive);
  std::string other = dir.path + "/g.json.tmp." + std::to_string(gone);
  for (const std::string& temp : {dead, live, other}) WriteText(temp, "{\"half");
  REQUIRE(fs.WritePrivateFileAtomic(file, "new").ok());
  CHECK_FALSE(Exists(dead));  // its writer is gone
  CHECK(Exists(live));        // its writer may still rename it
  CHECK(Exists(other));       // another file's: left to its writers
  CHECK(ReadOr(fs, file) == "new");
  test::WaitExit(sleeper, 0);
}

TEST_CASE("windows fs: (child) sleeps until killed", "[.windows_sleeper]") { Sleep(60000); }

TEST_CASE("windows fs: a fingerprint changes with the content", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string file = dir.path + "/token.json";
  WriteText(file, "one");
  std::string first = *fs.Fingerprint(file);
  CHECK(*fs.Fingerprint(file) == first);
  WriteText(dir.path + "/token.json.new", "other");
  REQUIRE(MoveFileExW(W(dir.path + "/token.json.new").c_str(), W(file).c_str(), MOVEFILE_REPLACE_EXISTING));
  CHECK(*fs.Fingerprint(file) != first);
  CHECK(fs.Fingerprint(dir.path + "/absent").status().IsNotFound());
}

TEST_CASE("windows fs: (child) holds a lock until killed", "[.windows_lock_holder]") {
  std::string path = win::Narrow(test::EnvW(L"DCU_TEST_LOCK"));
  StatusOr<std::unique_ptr<FileLock>> held =
      DefaultFileSystem()->Lock(path, Clock::now() + std::chrono::seconds(10));
  if (!held.ok()) ExitProcess(2);
  std::ofstream(path + ".ready") << "y";
  Sleep(60000);
}

TEST_CASE("windows fs: a lock excludes others and dies with its holder", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string lock_path = dir.path + "/x.lock";
  {
    // Locks belong to handles: two in one process exclude each other too.
    StatusOr<std::unique_ptr<FileLock>> first = fs.Lock(lock_path, Clock::now() + std::chrono::seconds(1));
    REQUIRE(first.ok());
    Clock::time_point start = Clock::now();
    StatusOr<std::unique_ptr<FileLock>> second = fs.Lock(lock_path, start + std::chrono::milliseconds(200));
    CHECK(second.status().code() == Code::kUnavailable);
    CHECK(second.status().message() == "timed out waiting for another process holding " + lock_path);
    CHECK(Clock::now() - start >= std::chrono::milliseconds(200));
  }
  CHECK(fs.Lock(lock_path, Clock::now()).ok());  // released with its FileLock

  SetEnvironmentVariableW(L"DCU_TEST_LOCK", W(lock_path).c_str());
  HANDLE holder = test::StartSelf(L"\"[.windows_lock_holder]\"");
  SetEnvironmentVariableW(L"DCU_TEST_LOCK", nullptr);
  REQUIRE(holder != nullptr);
  for (int i = 0; i < 3000 && !Exists(lock_path + ".ready"); ++i) Sleep(10);
  REQUIRE(Exists(lock_path + ".ready"));
  CHECK(fs.Lock(lock_path, Clock::now() + std::chrono::milliseconds(200)).status().code() == Code::kUnavailable);
  TerminateProcess(holder, 9);  // killed, not ended: the system releases the lock
  WaitForSingleObject(holder, 5000);
  CloseHandle(holder);
  CHECK(fs.Lock(lock_path, Clock::now() + std::chrono::seconds(2)).ok());

  CreateDirectoryW(W(dir.path + "/d.lock").c_str(), nullptr);
  CHECK(fs.Lock(dir.path + "/d.lock", Clock::now()).status().code() == Code::kInvalidInput);
}

TEST_CASE("windows fs: ReadFile reads regular files only, within the limit", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string file = dir.path + "\\config.json";
  WriteText(file, "{\"a\":1}\r\n");
  CHECK(*fs.ReadFile(file, 100) == "{\"a\":1}\r\n");  // bytes as they are
  CHECK(*fs.ReadFile(dir.path + "/config.json", 9) == "{\"a\":1}\r\n");
  StatusOr<std::string> big = fs.ReadFile(file, 8);
  CHECK(big.status().message() == file + ": larger than 8 bytes");
  CHECK(fs.ReadFile(dir.path + "/absent", 10).status().IsNotFound());
  CHECK(fs.ReadFile(dir.path + "/absent/x", 10).status().IsNotFound());
  CHECK(fs.ReadFile(dir.path, 10).status().message() == dir.path + ": not a regular file");

  // A named pipe with no writer, the NUL device and the console: refused
  // at once, never read (a read would wait for ever or never end).
  std::string pipe = "\\\\.\\pipe\\dcu-test-" + std::to_string(GetCurrentProcessId());
  HANDLE server = CreateNamedPipeW(W(pipe).c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 0, 0, 0, nullptr);
  REQUIRE(server != INVALID_HANDLE_VALUE);
  for (const std::string& special : {pipe, std::string("NUL"), std::string("CON")}) {
    INFO(special);
    Clock::time_point start = Clock::now();
    StatusOr<std::string> read = fs.ReadFile(special, 10);
    CHECK(Clock::now() - start < std::chrono::seconds(2));
    CHECK_FALSE(read.ok());
    if (read.status().code() == Code::kInvalidInput) CHECK(read.status().message() == special + ": not a regular file");
    CHECK(fs.ReadPrivateFile(special, 10).status().code() != Code::kOk);
  }
  CloseHandle(server);
}

TEST_CASE("windows fs: ResolvePath gives the final path, C:/ and no \\\\?\\", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string file = dir.path + "/config.json";
  WriteText(file, "{}");
  StatusOr<std::string> resolved = fs.ResolvePath(file);
  REQUIRE(resolved.ok());
  CHECK(resolved->rfind("\\\\?\\", 0) == std::string::npos);
  CHECK(resolved->size() > 3);
  CHECK(resolved->substr(1, 2) == ":/");  // C:/..., the core's separator
  CHECK(resolved->find('\\') == std::string::npos);
  CHECK(resolved->substr(resolved->size() - 12) == "/config.json");
  // As configure tells a link from a plain path: dir + "/" + name.
  StatusOr<std::string> parent = fs.ResolvePath(dir.path);
  REQUIRE(parent.ok());
  CHECK(*parent + "/config.json" == *resolved);
  CHECK(*fs.ReadFile(*resolved, 10) == "{}");
  CHECK(fs.ResolvePath(dir.path + "/absent").status().IsNotFound());
  CHECK(fs.ResolvePath(dir.path + "/absent/x").status().IsNotFound());
  CHECK(fs.ResolvePath(file + "/x").status().IsNotFound());
  if (MakeLink(dir.path + "/link.json", file)) {
    StatusOr<std::string> through = fs.ResolvePath(dir.path + "/link.json");
    REQUIRE(through.ok());
    CHECK(*through == *resolved);
    REQUIRE(MakeLink(dir.path + "/dangling.json", dir.path + "/absent.json"));
    StatusOr<std::string> dangling = fs.ResolvePath(dir.path + "/dangling.json");
    CHECK(dangling.status().message() == dir.path + "/dangling.json: a symbolic link to a missing file");
  } else {
    WARN("no symbolic link could be made here: links are not tested");
  }
}

TEST_CASE("windows fs: Stat names programs executable", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  for (const char* name : {"helper.exe", "run.CMD", "x.bat"}) {
    WriteText(dir.path + "/" + name, "");
    StatusOr<FileInfo> info = fs.Stat(dir.path + "/" + name);
    REQUIRE(info.ok());
    CHECK(info->regular);
    CHECK(info->executable);
  }
  StatusOr<FileInfo> d = fs.Stat(dir.path);
  REQUIRE(d.ok());
  CHECK_FALSE(d->regular);
  CHECK(fs.Stat(dir.path + "/absent").status().IsNotFound());
  std::int64_t now = fs.Now();
  CHECK(now >= static_cast<std::int64_t>(std::time(nullptr)) - 1);
  CHECK(now > 1700000000);
}

TEST_CASE("windows fs: names are UTF-8 both ways", "[windows][windows_file_system]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  std::string file = dir.path + "/d\xC3\xA9j\xC3\xA0-\xE2\x82\xAC.json";
  REQUIRE(fs.WritePrivateFileAtomic(file, "x").ok());
  CHECK(fs.ListDir(dir.path) == std::vector<std::string>{"d\xC3\xA9j\xC3\xA0-\xE2\x82\xAC.json"});
  CHECK(Exists(file));
  CHECK(fs.ReadFile(dir.path + "/bad\xFF", 10).status().code() == Code::kInvalidInput);
  CHECK(fs.ListDir(dir.path + "/absent").empty());
}

}  // namespace
}  // namespace dcu
