// Entry point: collects argv and the environment and hands them to Run().
#include <iostream>
#include <string>
#include <vector>

#include "helper/cli.h"
#include "helper/http.h"
#include "platform/file_system.h"
#include "platform/secret_store.h"

extern char** environ;

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  dcu::Env env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  dcu::Platform platform;
  platform.open_secret_store = [] { return dcu::NewSystemSecretStore(); };
  platform.open_http = [](const dcu::HttpOptions& options) { return dcu::NewCurlTransport(options); };
  platform.fs = dcu::DefaultFileSystem();
  int code = dcu::Run(args, env, std::cin, std::cout, std::cerr, platform);
  std::cout.flush();
  return code;
}
