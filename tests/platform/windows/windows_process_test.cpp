#include <catch2/catch.hpp>

#include <windows.h>
#include <aclapi.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "helper/system/process.h"
#include "platform/windows/wide.h"
#include "tests/platform/windows/child_process.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::wstring W(const std::string& s) { return *win::Wide(s, "test"); }

// Runs the hidden test case `tag` in a child with output to a file; its
// exit code and output.
std::pair<long, std::string> RunChild(const std::wstring& args) {
  TempDir dir;
  std::string out = dir.path + "/out.txt";
  HANDLE file = test::OutputFile(W(out));
  REQUIRE(file != INVALID_HANDLE_VALUE);
  HANDLE child = test::StartSelf(args, file);
  CloseHandle(file);
  REQUIRE(child != nullptr);
  long code = test::WaitExit(child, 30000);
  return {code, Slurp(out)};
}

TEST_CASE("windows process: the user ID is the user's SID", "[windows][windows_process]") {
  std::string sid = ProcessUserId();
  CHECK(sid.rfind("S-1-5-", 0) == 0);
  CHECK(sid == ProcessUserId());
}

TEST_CASE("windows process: the environment in UTF-8, names upper-cased", "[windows][windows_process]") {
  SetEnvironmentVariableW(L"up_robot_token_dcu_test", L"caf\u00e9 \u20ac");
  std::map<std::string, std::string> env = ProcessEnvironment();
  SetEnvironmentVariableW(L"up_robot_token_dcu_test", nullptr);
  REQUIRE(env.count("UP_ROBOT_TOKEN_DCU_TEST") == 1);
  CHECK(env["UP_ROBOT_TOKEN_DCU_TEST"] == "caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(env.count("up_robot_token_dcu_test") == 0);
  for (const auto& [name, value] : env) {
    CHECK_FALSE(name.empty());
    CHECK(name.find('=') == std::string::npos);  // no "=C:" entries
  }
  CHECK(env.count("PATH") == 1);  // "Path" on Windows
}

TEST_CASE("windows process: (child) prints its arguments", "[.windows_args]") {
  std::vector<std::string> args = ProcessArguments(0, nullptr);
  UseBinaryStdio();
  for (const std::string& arg : args) std::printf("<%s>\n", arg.c_str());
  std::fflush(stdout);
}

TEST_CASE("windows process: arguments are UTF-8 and stdout is binary", "[windows][windows_process]") {
  // -n names the run for Catch: an option that takes any text.
  auto [code, out] = RunChild(L"\"[.windows_args]\" -n \"caf\u00e9 \\\"q\\\" \u20ac\"");
  CHECK(code == 0);
  std::string expected = "<[.windows_args]>\n<-n>\n<caf\xC3\xA9 \"q\" \xE2\x82\xAC>\n";
  // After Catch's "Filters:" line, which it wrote in text mode (\r\n).
  std::size_t at = out.find(expected);
  REQUIRE(at != std::string::npos);
  CHECK(out.find('\r', at) == std::string::npos);
}

TEST_CASE("windows process: (child) ExitAfter ends it", "[.windows_exit_after]") {
  UseBinaryStdio();
  ExitAfter(1, "dcu: timed out\n");
  Sleep(20000);
}

TEST_CASE("windows process: (child) ExitAfter 0 cancels", "[.windows_exit_cancel]") {
  ExitAfter(1, "dcu: timed out\n");
  ExitAfter(0, nullptr);
  Sleep(2000);
  ExitProcess(7);
}

TEST_CASE("windows process: ExitAfter ends the process with 1 and its message", "[windows][windows_process]") {
  auto [code, out] = RunChild(L"\"[.windows_exit_after]\"");
  CHECK(code == 1);
  CHECK(out.find("dcu: timed out\n") != std::string::npos);
  auto [cancelled, quiet] = RunChild(L"\"[.windows_exit_cancel]\"");
  CHECK(cancelled == 7);
  CHECK(quiet.find("timed out") == std::string::npos);
}

TEST_CASE("windows process: (child) hardens itself and waits", "[.windows_harden]") {
  if (!HardenProcess().ok()) ExitProcess(11);
  UINT mode = GetErrorMode();
  if ((mode & SEM_NOGPFAULTERRORBOX) == 0 || (mode & SEM_FAILCRITICALERRORS) == 0) ExitProcess(12);
  std::string ready = win::Narrow(test::EnvW(L"DCU_TEST_READY"));
  std::ofstream(ready) << "y";
  Sleep(20000);
}

TEST_CASE("windows process: hardened, its memory is closed to the user's other processes",
          "[windows][windows_process]") {
  TempDir dir;
  std::string ready = dir.path + "/ready";
  SetEnvironmentVariableW(L"DCU_TEST_READY", W(ready).c_str());
  DWORD pid = 0;
  HANDLE child = test::StartSelf(L"\"[.windows_harden]\"", nullptr, &pid);
  SetEnvironmentVariableW(L"DCU_TEST_READY", nullptr);
  REQUIRE(child != nullptr);
  for (int i = 0; i < 3000 && GetFileAttributesW(W(ready).c_str()) == INVALID_FILE_ATTRIBUTES; ++i) Sleep(10);
  REQUIRE(GetFileAttributesW(W(ready).c_str()) != INVALID_FILE_ATTRIBUTES);

  // The DACL as set: what the system then enforces.
  HANDLE query = OpenProcess(READ_CONTROL, FALSE, pid);
  REQUIRE(query != nullptr);
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  REQUIRE(GetSecurityInfo(query, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr,
                          &sd) == ERROR_SUCCESS);
  REQUIRE(dacl != nullptr);
  CHECK(dacl->AceCount == 3);
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    REQUIRE(GetAce(dacl, i, &ace));
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = reinterpret_cast<PSID>(&allowed->SidStart);
    if (IsWellKnownSid(sid, WinLocalSystemSid)) continue;
    CHECK((allowed->Mask & (PROCESS_VM_READ | PROCESS_VM_WRITE | PROCESS_CREATE_THREAD | WRITE_DAC)) == 0);
  }
  LocalFree(sd);
  CloseHandle(query);

  // The control: a child that is not hardened is open to the same request.
  DWORD plain_pid = 0;
  HANDLE plain = test::StartSelf(L"\"[.windows_sleeper]\"", nullptr, &plain_pid);
  REQUIRE(plain != nullptr);
  HANDLE plain_reader = OpenProcess(PROCESS_VM_READ, FALSE, plain_pid);
  CHECK(plain_reader != nullptr);
  if (plain_reader != nullptr) CloseHandle(plain_reader);
  test::WaitExit(plain, 0);

  HANDLE reader = OpenProcess(PROCESS_VM_READ, FALSE, pid);
  if (reader != nullptr) {
    WARN("this system let the user's process read the hardened one's memory (wine does not check process DACLs)");
    CloseHandle(reader);
  } else {
    CHECK(GetLastError() == ERROR_ACCESS_DENIED);
  }
  // Waiting for it and ending it still work (a client times out a helper).
  HANDLE end = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid);
  REQUIRE(end != nullptr);
  CHECK(TerminateProcess(end, 5));
  CHECK(WaitForSingleObject(end, 5000) == WAIT_OBJECT_0);
  CloseHandle(end);
  CHECK(test::WaitExit(child, 5000) == 5);
}

}  // namespace
}  // namespace dcu
