// The command line: the one table of actions and commands, and Run(), which
// main() calls and the tests drive in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "helper/context.h"
#include "helper/settings.h"

namespace dcu {

// Runs one invocation. args excludes the program name. Protocol output and
// protocol errors go to `out` (clients read stdout); diagnostics to `err`.
// Returns the process exit code.
int Run(const std::vector<std::string>& args, const Env& env, std::istream& in, std::ostream& out,
        std::ostream& err, const System& system);

}  // namespace dcu
