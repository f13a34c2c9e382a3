// The process itself: hardening it before it holds a secret, and whom it
// runs as. Defined once, in platform/ (POSIX: platform/posix/posix_process.cpp).
#pragma once

#include <string>

#include "helper/base/status.h"

namespace dcu {

// Keeps this process's memory, which will hold secrets, from leaving it: no
// core file (RLIMIT_CORE 0, soft and hard) and, where the OS has it, not
// dumpable (Linux PR_SET_DUMPABLE 0: no core either way, no ptrace attach
// or /proc/PID/mem for other processes of the same user). main() calls it
// before anything reads stdin or the environment. Internal naming the step
// that failed; the steps that worked stay in effect.
Status HardenProcess();

// After `seconds`, writes message (which must outlive the wait; it is
// written from a signal handler) to stderr and ends the process with exit
// status 1, whatever it is doing then. seconds 0 cancels. One at a time.
void ExitAfter(int seconds, const char* message);

// The real user ID as decimal text ("1000"): a per-user name where no
// private directory is known.
std::string ProcessUserId();

}  // namespace dcu
