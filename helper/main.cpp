// The composition root: the one file under helper/ that sees platform/
// (through the factories helper/system/ declares and the platform's files
// define). It reads argv and the environment, once, and hands both to Run().
#include <iostream>
#include <string>
#include <vector>

#include "helper/cli.h"
#include "helper/system/file_system.h"
#include "helper/system/http_transport.h"
#include "helper/system/secret_store.h"

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
  dcu::System system;
  system.open_secret_store = dcu::NewSystemSecretStore;
  system.open_http = dcu::NewHttpTransport;
  system.fs = dcu::DefaultFileSystem();
  int code = dcu::Run(args, env, std::cin, std::cout, std::cerr, system);
  std::cout.flush();
  return code;
}
