#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace
}  // namespace dcu
