// A second process for the Windows tests: this test binary again, running
// one hidden test case (tag "[.name]") that reads its parameters from the
// environment it inherits. Windows has no fork().
#pragma once

#include <windows.h>

#include <string>

namespace dcu::test {

// Starts this binary with `args` after its name (e.g. L"\"[.lock_holder]\"").
// out, if given, becomes the child's stdout and stderr (inheritable handle);
// else they go to NUL, to keep Catch's lines out of the parent's report.
// Returns the process handle, or nullptr.
inline HANDLE StartSelf(const std::wstring& args, HANDLE out = nullptr, DWORD* pid = nullptr) {
  wchar_t self[MAX_PATH];
  DWORD n = GetModuleFileNameW(nullptr, self, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) return nullptr;
  std::wstring line = L"\"" + std::wstring(self) + L"\" " + args;
  SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
  HANDLE null = out != nullptr ? nullptr
                               : CreateFileW(L"NUL", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                                             OPEN_EXISTING, 0, nullptr);
  STARTUPINFOW startup = {};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  startup.hStdOutput = startup.hStdError = out != nullptr ? out : null;
  PROCESS_INFORMATION info = {};
  BOOL started = CreateProcessW(self, line.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup, &info);
  if (null != nullptr && null != INVALID_HANDLE_VALUE) CloseHandle(null);
  if (!started) return nullptr;
  CloseHandle(info.hThread);
  if (pid != nullptr) *pid = info.dwProcessId;
  return info.hProcess;
}

// The child's exit code, or -1 when it has not ended within ms (it is then
// killed): a child that hangs must fail a test, not the suite.
inline long WaitExit(HANDLE process, DWORD ms) {
  DWORD code = 0;
  bool ended = WaitForSingleObject(process, ms) == WAIT_OBJECT_0 && GetExitCodeProcess(process, &code);
  if (!ended) {
    TerminateProcess(process, 99);
    WaitForSingleObject(process, 5000);
  }
  CloseHandle(process);
  return ended ? static_cast<long>(code) : -1;
}

// An inheritable handle to a new file, for a child's output.
inline HANDLE OutputFile(const std::wstring& path) {
  SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
  return CreateFileW(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, CREATE_ALWAYS,
                     FILE_ATTRIBUTE_NORMAL, nullptr);
}

inline std::wstring EnvW(const wchar_t* name) {
  wchar_t value[4096];
  DWORD n = GetEnvironmentVariableW(name, value, 4096);
  return n > 0 && n < 4096 ? std::wstring(value, n) : std::wstring();
}

}  // namespace dcu::test
