#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstring>

#include "helper/system/process.h"

extern char** environ;

namespace dcu {
namespace {

const char* volatile g_exit_message = nullptr;

void OnAlarm(int) {
  // Only async-signal-safe calls here.
  const char* message = g_exit_message;
  if (message != nullptr) {
    std::size_t length = 0;
    while (message[length] != '\0') ++length;
    ssize_t ignored = write(STDERR_FILENO, message, length);
    (void)ignored;
  }
  _exit(1);
}

}  // namespace

void ExitAfter(int seconds, const char* message) {
  if (seconds <= 0) {
    alarm(0);
    return;
  }
  g_exit_message = message;
  struct sigaction action = {};
  action.sa_handler = OnAlarm;
  sigemptyset(&action.sa_mask);
  sigaction(SIGALRM, &action, nullptr);
  alarm(static_cast<unsigned>(seconds));
}

Status HardenProcess() {
  // Lowering a limit never needs privilege; the hard limit goes too, so
  // nothing this process runs can raise it again.
  struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    return Status::Internal(std::string("cannot disable core dumps: setrlimit: ") + std::strerror(errno));
  }
#if defined(__linux__)
  // Also covers a core_pattern pipe (which ignores RLIMIT_CORE) and keeps
  // same-user debuggers out.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Status::Internal(std::string("cannot make the process non-dumpable: prctl: ") +
                            std::strerror(errno));
  }
#endif
  return Status::Ok();
}

std::string ProcessUserId() { return std::to_string(getuid()); }

std::vector<std::string> ProcessArguments(int argc, char** argv) {
  return argc > 1 ? std::vector<std::string>(argv + 1, argv + argc) : std::vector<std::string>();
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

void UseBinaryStdio() {}

}  // namespace dcu
