// The process itself: hardening it before it holds a secret, whom it runs
// as, and what it was started with. Defined once, in platform/ (POSIX:
// platform/posix/posix_process.cpp, Windows: platform/windows/windows_process.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

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

// The real user ID as decimal text ("1000"; Windows: the user's SID,
// "S-1-5-21-...-1001"): a per-user name where no private directory is known.
std::string ProcessUserId();

// The command line's arguments after the program's name, as UTF-8. POSIX:
// argv as given. Windows: from the UTF-16 command line (argv is in the
// ANSI code page there, which cannot hold every server name).
std::vector<std::string> ProcessArguments(int argc, char** argv);

// The environment, name -> value, as UTF-8. Windows names are
// case-insensitive: they are upper-cased here (Path becomes PATH, so
// up_robot_token is found as UP_ROBOT_TOKEN), and the per-drive "=C:"
// entries are left out.
std::map<std::string, std::string> ProcessEnvironment();

// Puts stdin, stdout and stderr in binary mode, so that the protocol's JSON
// goes out with \n, not \r\n, and a secret's bytes come in as they are.
// Nothing to do on POSIX. Call before anything reads or writes them.
void UseBinaryStdio();

}  // namespace dcu
