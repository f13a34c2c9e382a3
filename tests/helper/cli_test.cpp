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

TEST_CASE("cli: help lists every action and exits 0", "[cli]") {
  Harness h;
  for (const char* flag : {"-h", "--help"}) {
    RunResult r = h.Run({flag});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("Usage: docker-credential-upbound <store|get|erase|list|kubelet|version>\n", 0) == 0);
    for (const char* action : {"store", "get", "erase", "list", "kubelet", "version"}) {
      CHECK(r.out.find(std::string("  ") + action + " ") != std::string::npos);
    }
  }
}

TEST_CASE("cli: wrong argument count prints usage on stdout and exits 1", "[cli]") {
  Harness h;
  RunResult none = h.Run({});
  CHECK(none.code == 1);
  CHECK(none.out.rfind("Usage: docker-credential-upbound", 0) == 0);
  RunResult two = h.Run({"get", "extra"});
  CHECK(two.code == 1);
  CHECK(two.out.rfind("Usage: docker-credential-upbound", 0) == 0);
  CHECK(h.opens() == 0);
}

TEST_CASE("cli: unknown action has the exact message and a hint on stderr", "[cli]") {
  Harness h;
  RunResult r = h.Run({"bogus"});
  CHECK(r.code == 1);
  CHECK(r.out == "docker-credential-upbound: unknown action: bogus\n");
  CHECK(r.err.empty());
  RunResult typo = h.Run({"stor"});
  CHECK(typo.out == "docker-credential-upbound: unknown action: stor\n");
  CHECK(typo.err == "docker-credential-upbound: did you mean 'store'?\n");
}

}  // namespace
}  // namespace dcu
