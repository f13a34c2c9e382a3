#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "helper/system/process.h"

namespace dcu {
namespace {

TEST_CASE("posix process: hardened means no core file and not dumpable", "[posix_process]") {
  // In a child: the test runner itself should stay debuggable.
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) _exit(10);  // the check below must mean something
    if (!HardenProcess().ok()) _exit(11);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) _exit(12);
    struct rlimit core;
    if (getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0) _exit(13);
    // The hard limit is gone too: it cannot be raised again.
    struct rlimit again = {1 << 20, 1 << 20};
    if (getuid() != 0 && setrlimit(RLIMIT_CORE, &again) == 0) _exit(14);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("posix process: the user ID as text", "[posix_process]") {
  CHECK(ProcessUserId() == std::to_string(getuid()));
}

TEST_CASE("posix process: arguments after the program's name, as given", "[posix_process]") {
  char program[] = "docker-credential-upbound";
  char get[] = "get";
  char odd[] = "caf\xC3\xA9 x=y";
  char* argv[] = {program, get, odd, nullptr};
  CHECK(ProcessArguments(3, argv) == std::vector<std::string>{"get", "caf\xC3\xA9 x=y"});
  CHECK(ProcessArguments(1, argv).empty());
  CHECK(ProcessArguments(0, argv).empty());
}

TEST_CASE("posix process: the environment as it is (names keep their case)", "[posix_process]") {
  REQUIRE(setenv("dcu_test_Lower", "a=b", 1) == 0);
  std::map<std::string, std::string> env = ProcessEnvironment();
  unsetenv("dcu_test_Lower");
  CHECK(env["dcu_test_Lower"] == "a=b");  // split at the first '='
  CHECK(env.count("DCU_TEST_LOWER") == 0);
  CHECK(env.count("PATH") == 1);
  UseBinaryStdio();  // nothing to do on POSIX; linked and callable
}

}  // namespace
}  // namespace dcu
