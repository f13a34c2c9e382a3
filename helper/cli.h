// The command line: an action table and Run(), which main() calls and the
// tests drive in-process.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "helper/http.h"
#include "helper/settings.h"
#include "platform/file_system.h"
#include "platform/secret_store.h"

namespace dcu {

// What Run needs from the world beyond its streams; tests swap in fakes.
struct Platform {
  // Called at most once per Run, only by actions that need the store.
  std::function<std::unique_ptr<SecretStore>()> open_secret_store;
  // Called only when an exchange with Upbound is needed.
  std::function<std::unique_ptr<HttpTransport>(const HttpOptions&)> open_http;
  FileSystem* fs = nullptr;
};

// Runs one invocation. args excludes the program name. Protocol output and
// protocol errors go to `out` (clients read stdout); diagnostics to `err`.
// Returns the process exit code.
int Run(const std::vector<std::string>& args, const Env& env, std::istream& in, std::ostream& out,
        std::ostream& err, const Platform& platform);

}  // namespace dcu
