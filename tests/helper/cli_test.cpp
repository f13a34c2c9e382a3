#include <catch2/catch.hpp>

#include "tests/doubles/harness.h"

namespace dcu {
namespace {

TEST_CASE("cli: version in the helpers' format", "[cli]") {
  Harness h;
  for (const char* flag : {"version", "-v", "--version"}) {
    RunResult r = h.Run({flag});
    CHECK(r.code == 0);
    CHECK(r.out == "docker-credential-upbound (github.com/upbound/docker-credential-upbound) " +
                       std::string(DCU_VERSION) + "\n");
  }
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: help lists every command and action and exits 0", "[cli]") {
  Harness h;
  for (const char* flag : {"-h", "--help", "help"}) {
    RunResult r = h.Run({flag});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("Usage: docker-credential-upbound <command> [flags]\n", 0) == 0);
    for (const char* command : {"login", "logout", "status", "doctor", "configure", "store", "get", "erase",
                                "list", "kubelet", "version"}) {
      CHECK(r.out.find(std::string("\n  ") + command + " ") != std::string::npos);
    }
  }
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: every command has its own --help from the table", "[cli]") {
  Harness h;
  for (const char* command : {"login", "logout", "status", "doctor", "configure", "store", "get", "erase",
                              "list", "kubelet", "version"}) {
    for (std::vector<std::string> args : {std::vector<std::string>{command, "--help"},
                                          std::vector<std::string>{command, "-h"},
                                          std::vector<std::string>{"help", command}}) {
      RunResult r = h.Run(args);
      CHECK(r.code == 0);
      CHECK(r.out.rfind(std::string("Usage: docker-credential-upbound ") + command, 0) == 0);
      CHECK(r.err.empty());
    }
  }
  RunResult login = h.Run({"login", "--help"});
  CHECK(login.out.find("  --token-file FILE") != std::string::npos);
  CHECK(login.out.find("  --token-stdin") != std::string::npos);
  CHECK(login.out.find("  --debug") != std::string::npos);
  RunResult get = h.Run({"get", "--help"});
  CHECK(get.out.find("on stdin") != std::string::npos);
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: no command is one error line on stdout and exit 1", "[cli]") {
  Harness h;
  RunResult none = h.Run({});
  CHECK(none.code == 1);
  CHECK(none.out == "docker-credential-upbound: error: no command given (run 'docker-credential-upbound --help')\n");
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: a protocol action with an argument is one error line on stdout", "[cli]") {
  Harness h;
  RunResult two = h.Run({"get", "extra"});
  CHECK(two.code == 1);
  CHECK(two.out ==
        "docker-credential-upbound: error: get: unexpected argument 'extra' "
        "(run 'docker-credential-upbound get --help')\n");
  CHECK(two.err.empty());
  RunResult flag = h.Run({"list", "--json"});
  CHECK(flag.code == 1);
  CHECK(flag.out.rfind("docker-credential-upbound: error: list: unknown flag --json", 0) == 0);
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: unknown command is one error line with a hint", "[cli]") {
  Harness h;
  RunResult r = h.Run({"bogus"});
  CHECK(r.code == 1);
  CHECK(r.out == "docker-credential-upbound: error: unknown command 'bogus' (run 'docker-credential-upbound --help')\n");
  CHECK(r.err.empty());
  RunResult typo = h.Run({"stauts"});
  CHECK(typo.out ==
        "docker-credential-upbound: error: unknown command 'stauts' (did you mean 'status'?) "
        "(run 'docker-credential-upbound --help')\n");
  RunResult help_typo = h.Run({"help", "logni"});
  CHECK(help_typo.code == 1);
  CHECK(help_typo.out == "docker-credential-upbound: error: unknown command 'logni' (did you mean 'login'?)\n");
}

TEST_CASE("cli: a command's flag errors are one line on stderr", "[cli]") {
  Harness h;
  RunResult r = h.Run({"status", "--jsn"});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "docker-credential-upbound: error: status: unknown flag --jsn (did you mean --json?) "
        "(run 'docker-credential-upbound status --help')\n");
  RunResult missing = h.Run({"login", "--token-file"});
  CHECK(missing.err.rfind("docker-credential-upbound: error: login: --token-file needs a value (FILE)", 0) == 0);
  RunResult positional = h.Run({"configure"});
  CHECK(positional.code == 1);
  CHECK(positional.err.rfind("docker-credential-upbound: error: configure: missing argument: docker|containers|kubelet", 0) == 0);
}

TEST_CASE("cli: --debug anywhere turns on the trace, like UP_DEBUG=1", "[cli]") {
  Harness h;
  RunResult plain = h.Run({"get"}, "https://example.test");
  CHECK(plain.err.find("debug:") == std::string::npos);
  RunResult before = h.Run({"--debug", "get"}, "https://example.test");
  RunResult after = h.Run({"get", "--debug"}, "https://example.test");
  CHECK(before.out == plain.out);
  CHECK(after.out == plain.out);
  CHECK(before.err.find("docker-credential-upbound: debug: ") != std::string::npos);
  CHECK(after.err.find("docker-credential-upbound: debug: ") != std::string::npos);
}

}  // namespace
}  // namespace dcu
