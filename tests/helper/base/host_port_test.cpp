#include <catch2/catch.hpp>

#include "helper/base/host_port.h"

namespace dcu {
namespace {

TEST_CASE("host:port: hosts, ports and IPv6 literals", "[host_port]") {
  StatusOr<HostPort> p = ParseHostPort("Xpkg.Upbound.IO:8443");
  REQUIRE(p.ok());
  CHECK(p->host == "xpkg.upbound.io");
  CHECK(p->port == 8443);
  p = ParseHostPort("[FE80::1]:5000");
  REQUIRE(p.ok());
  CHECK(p->host == "[fe80::1]");
  CHECK(p->port == 5000);
  p = ParseHostPort("host.");
  REQUIRE(p.ok());
  CHECK(p->host == "host.");  // callers decide about the trailing dot
  CHECK(p->port == 0);
  CHECK(ParseHostPort("::1", true)->host == "[::1]");
  CHECK_FALSE(ParseHostPort("::1").ok());  // without bare_ipv6 it is a bad port
}

TEST_CASE("host:port: every malformed authority says why", "[host_port]") {
  struct Row {
    const char* authority;
    const char* why;
  };
  const Row rows[] = {
      {"", "no host"},
      {":80", "no host"},
      {"host:", "empty port"},
      {"host:0", "port out of range"},
      {"host:65536", "port out of range"},
      {"host:123456", "bad port"},
      {"host:8o", "bad port"},
      {"ho st", "bad host"},
      {"evil.com\\@x", "bad host"},
      {"[::1", "unclosed '[' in IPv6 address"},
      {"[]", "bad IPv6 address"},
      {"[1.2.3.4]", "bad IPv6 address"},
      {"[::g]", "bad IPv6 address"},
      {"[::1]x", "unexpected text after IPv6 address"},
      {"[::1]:", "empty port"},
      {".host", "empty label in host"},
      {"a..b", "empty label in host"},
      {"host..", "empty label in host"},
      {"host..:80", "empty label in host"},
      {".", "empty label in host"},
      {"user@host", "bad host"},
  };
  for (const Row& row : rows) {
    INFO(row.authority);
    StatusOr<HostPort> p = ParseHostPort(row.authority);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().code() == Code::kInvalidInput);
    CHECK(p.status().message() == row.why);
  }
}

}  // namespace
}  // namespace dcu
