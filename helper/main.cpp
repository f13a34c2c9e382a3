// The composition root: the one file under helper/ that sees platform/
// (through the factories helper/system/ declares and the platform's files
// define). It hardens the process, reads argv and the environment, once,
// and hands both to Run().
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "helper/base/version.h"
#include "helper/cli.h"
#include "helper/system/file_system.h"
#include "helper/system/http_transport.h"
#include "helper/system/process.h"
#include "helper/system/secret_store.h"

namespace {

// The protocol's one error line, on stdout where clients read it.
int Fail(const std::string& message) {
  std::cout << dcu::kProgramName << ": error: " << message << "\n";
  std::cout.flush();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Before the first byte in or out (even Fail's): Windows would turn \n
  // into \r\n.
  dcu::UseBinaryStdio();
  // Before stdin (a store's Secret) or the environment (UP_ROBOT_TOKEN) is
  // read: a crash must not leave a core file with a secret in it.
  if (dcu::Status hardened = dcu::HardenProcess(); !hardened.ok()) return Fail(hardened.message());
  std::ios::sync_with_stdio(false);
  try {
    std::vector<std::string> args = dcu::ProcessArguments(argc, argv);
    dcu::Env env = dcu::ProcessEnvironment();
    dcu::System system;
    system.open_secret_store = dcu::NewSystemSecretStore;
    system.open_http = dcu::NewHttpTransport;
    system.fs = dcu::DefaultFileSystem();
    system.exit_after = dcu::ExitAfter;
    int code = dcu::Run(args, env, std::cin, std::cout, std::cerr, system);
    std::cout.flush();
    return code;
  } catch (const std::exception&) {
    // No exception should get here (modules return Status); if one does,
    // it is one line and exit 1, not an abort. what() may quote input that
    // holds a secret, so it is not shown.
    return Fail("internal error: unexpected exception");
  }
}
