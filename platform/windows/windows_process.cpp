// The process on Windows (helper/system/process.h).
#include <windows.h>
#include <aclapi.h>
#include <fcntl.h>
#include <io.h>
#include <sddl.h>
#include <shellapi.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <mutex>
#include <thread>

#include "helper/system/process.h"
#include "platform/windows/wide.h"
#include "platform/windows/windows_security.h"

namespace dcu {
namespace {

// An unhandled exception ends the process here, before Windows Error
// Reporting sees it: WER would write a dump (LocalDumps) of a memory that
// may hold a secret.
LONG WINAPI EndAtOnce(EXCEPTION_POINTERS*) {
  TerminateProcess(GetCurrentProcess(), 3);
  return EXCEPTION_EXECUTE_HANDLER;
}

// Who may open this process, replacing the default (this user: everything).
// Other processes of the user may wait for it, ask whether it runs and end
// it, but not read or write its memory, inject a thread or duplicate its
// handles: PR_SET_DUMPABLE 0 on Linux. OWNER RIGHTS gets READ_CONTROL only,
// which takes away the owner's implicit right to rewrite the DACL. An
// administrator holding SeDebugPrivilege still gets in, as root does on Linux.
Status ProtectProcess() {
  std::string sid = win::UserSidText();
  if (sid.empty()) return Status::Internal("cannot protect the process: no user SID");
  constexpr DWORD kUserRights = PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE | PROCESS_TERMINATE;
  std::string sddl = "D:P(A;;" + std::to_string(kUserRights) + ";;;" + sid + ")(A;;GA;;;SY)(A;;RC;;;OW)";
  StatusOr<std::wstring> wide = win::Wide(sddl, "process DACL");
  if (!wide.ok()) return wide.status();
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(wide->c_str(), SDDL_REVISION_1, &sd, nullptr)) {
    return Status::Internal("cannot protect the process: " + win::ErrorText(GetLastError()));
  }
  PACL dacl = nullptr;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
  DWORD set = SetSecurityInfo(GetCurrentProcess(), SE_KERNEL_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr, nullptr,
                              dacl, nullptr);
  LocalFree(sd);
  if (set != ERROR_SUCCESS) return Status::Internal("cannot protect the process: " + win::ErrorText(set));
  return Status::Ok();
}

// ExitAfter's timer: one thread, started on first use, never destroyed
// (a static's destructor at exit would race with it).
struct Timer {
  std::mutex mutex;
  std::condition_variable changed;
  bool armed = false;
  std::chrono::steady_clock::time_point deadline;
  const char* message = nullptr;
  bool started = false;
};

Timer& TheTimer() {
  static Timer* timer = new Timer;
  return *timer;
}

void RunTimer(Timer* timer) {
  std::unique_lock<std::mutex> lock(timer->mutex);
  for (;;) {
    if (!timer->armed) {
      timer->changed.wait(lock);
      continue;
    }
    if (timer->changed.wait_until(lock, timer->deadline) != std::cv_status::timeout) continue;
    if (!timer->armed || std::chrono::steady_clock::now() < timer->deadline) continue;
    // Straight to the handle, past any stream buffer, and out without the
    // exit handlers (the main thread may be holding their locks): _exit.
    const char* message = timer->message;
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    if (message != nullptr && err != nullptr && err != INVALID_HANDLE_VALUE) {
      DWORD written = 0;
      WriteFile(err, message, static_cast<DWORD>(strlen(message)), &written, nullptr);
    }
    TerminateProcess(GetCurrentProcess(), 1);
  }
}

}  // namespace

Status HardenProcess() {
  // No dialog box for a crash or a missing drive, and no WER report.
  SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  SetUnhandledExceptionFilter(EndAtOnce);
  return ProtectProcess();
}

void ExitAfter(int seconds, const char* message) {
  Timer& timer = TheTimer();
  std::lock_guard<std::mutex> lock(timer.mutex);
  timer.armed = seconds > 0;
  timer.message = message;
  timer.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds > 0 ? seconds : 0);
  if (timer.armed && !timer.started) {
    std::thread(RunTimer, &timer).detach();
    timer.started = true;
  }
  timer.changed.notify_all();
}

std::string ProcessUserId() {
  std::string sid = win::UserSidText();
  return sid.empty() ? "unknown-user" : sid;
}

std::vector<std::string> ProcessArguments(int, char**) {
  std::vector<std::string> args;
  int count = 0;
  wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &count);
  if (argv == nullptr) return args;
  for (int i = 1; i < count; ++i) args.push_back(win::Narrow(argv[i], wcslen(argv[i])));
  LocalFree(argv);
  return args;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  wchar_t* block = GetEnvironmentStringsW();
  if (block == nullptr) return env;
  for (const wchar_t* entry = block; *entry != L'\0'; entry += wcslen(entry) + 1) {
    // "=C:=C:\dir": the current directory of each drive, not a variable.
    if (entry[0] == L'=') continue;
    std::string text = win::Narrow(entry, wcslen(entry));
    std::size_t eq = text.find('=');
    if (eq == std::string::npos) continue;
    std::string name = text.substr(0, eq);
    for (char& c : name) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    env.emplace(name, text.substr(eq + 1));
  }
  FreeEnvironmentStringsW(block);
  return env;
}

void UseBinaryStdio() {
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
}

}  // namespace dcu
