#include <catch2/catch.hpp>

#include "helper/docker/registry_key.h"

namespace dcu {
namespace {

struct Row {
  const char* raw;
  const char* key;  // nullptr: must be rejected
};

// Every spelling a client may send, and the one key it must map to.
const Row kRows[] = {
    // docker login, containers/image
    {"xpkg.upbound.io", "xpkg.upbound.io"},
    {"XPKG.Upbound.IO", "xpkg.upbound.io"},
    {"xpkg.upbound.io.", "xpkg.upbound.io"},
    {"  xpkg.upbound.io\n", "xpkg.upbound.io"},
    {"xpkg.upbound.io\r\n", "xpkg.upbound.io"},
    // nerdctl's candidates
    {"xpkg.upbound.io:443", "xpkg.upbound.io"},
    {"https://xpkg.upbound.io:443", "xpkg.upbound.io"},
    {"http://xpkg.upbound.io:443", "xpkg.upbound.io"},
    {"https://xpkg.upbound.io", "xpkg.upbound.io"},
    {"http://xpkg.upbound.io", "xpkg.upbound.io"},
    {"HTTPS://xpkg.upbound.io", "xpkg.upbound.io"},
    // trailing slashes, paths, queries
    {"https://xpkg.upbound.io/", "xpkg.upbound.io"},
    {"https://xpkg.upbound.io/v2/", "xpkg.upbound.io"},
    {"https://xpkg.upbound.io/v1/", "xpkg.upbound.io"},
    {"xpkg.upbound.io/org/pkg", "xpkg.upbound.io"},
    {"https://xpkg.upbound.io:443/v2/org/pkg?x=1#y", "xpkg.upbound.io"},
    {"xpkg.upbound.io/org/pkg@sha256:abc", "xpkg.upbound.io"},  // '@' after the path starts
    // other ports are other registries
    {"registry.example.com:5000", "registry.example.com:5000"},
    {"https://registry.example.com:5000/", "registry.example.com:5000"},
    {"http://registry.example.com:5000", "registry.example.com:5000"},
    {"registry.example.com:05000", "registry.example.com:5000"},
    {"registry.example.com:80", "registry.example.com:80"},
    {"localhost:5000", "localhost:5000"},
    {"127.0.0.1:5000", "127.0.0.1:5000"},
    {"http://127.0.0.1:5000/v2/", "127.0.0.1:5000"},
    {"127.0.0.1", "127.0.0.1"},
    // IPv6 literals
    {"[::1]:5000", "[::1]:5000"},
    {"https://[::1]:5000/", "[::1]:5000"},
    {"[::1]", "[::1]"},
    {"[::1]:443", "[::1]"},
    {"https://[FE80::1]:443/v2/", "[fe80::1]"},
    {"::1", "[::1]"},
    // Docker Hub under its names
    {"https://index.docker.io/v1/", "https://index.docker.io/v1/"},
    {"https://index.docker.io/v2/", "https://index.docker.io/v1/"},
    {"index.docker.io", "https://index.docker.io/v1/"},
    {"docker.io", "https://index.docker.io/v1/"},
    {"https://docker.io", "https://index.docker.io/v1/"},
    {"registry-1.docker.io", "https://index.docker.io/v1/"},
    {"registry.hub.docker.com", "https://index.docker.io/v1/"},
    {"docker.io:443", "https://index.docker.io/v1/"},
    {"docker.io:5000", "docker.io:5000"},
    // rejected
    {"", nullptr},
    {"   ", nullptr},
    {"https://", nullptr},
    {"ftp://xpkg.upbound.io", nullptr},
    {"xpkg upbound.io", nullptr},
    {"xpkg.upbound.io:0", nullptr},
    {"xpkg.upbound.io:", nullptr},
    {"http://127.0.0.1:/", nullptr},
    {"[::1]:", nullptr},
    {"xpkg.upbound.io:65536", nullptr},
    {"xpkg.upbound.io:http", nullptr},
    {"[::1", nullptr},
    {"[::1]x", nullptr},
    {"[xyz]:5000", nullptr},
    {"xpkg\tupbound.io", nullptr},
    {"host$name", nullptr},
    // ambiguous between URL parsers: empty labels (one trailing dot is
    // dropped), and user info or an '@' behind '#' or '?' that another
    // parser could take as the end of user info
    {"xpkg.upbound.io..", nullptr},
    {"https://xpkg.upbound.io../", nullptr},
    {".xpkg.upbound.io", nullptr},
    {"xpkg..upbound.io", nullptr},
    {"a..b", nullptr},
    {".", nullptr},
    {"..", nullptr},
    {"xpkg.upbound.io.:5000", "xpkg.upbound.io:5000"},
    {"xpkg.upbound.io..:5000", nullptr},
    {"user@xpkg.upbound.io", nullptr},
    {"https://user@xpkg.upbound.io/", nullptr},
    {"https://robot:password@xpkg.upbound.io/", nullptr},
    {"@xpkg.upbound.io", nullptr},
    {"evil.example@xpkg.upbound.io", nullptr},
    {"xpkg.upbound.io#frag@evil.example", nullptr},
    {"xpkg.upbound.io?x@evil.example", nullptr},
    {"https://xpkg.upbound.io#@evil.example/", nullptr},
    {"https://xpkg.upbound.io?@evil.example", nullptr},
    {"xpkg.upbound.io#frag", nullptr},
    {"xpkg.upbound.io?x", nullptr},
};

TEST_CASE("registry keys: every spelling maps to one key", "[registry_key]") {
  for (const Row& row : kRows) {
    INFO("raw = \"" << row.raw << "\"");
    StatusOr<std::string> key = NormalizeRegistryKey(row.raw);
    if (row.key == nullptr) {
      CHECK_FALSE(key.ok());
      if (!key.ok()) CHECK(key.status().code() == Code::kInvalidInput);
    } else {
      REQUIRE(key.ok());
      CHECK(*key == row.key);
    }
  }
}

TEST_CASE("registry keys: a canonical key is a fixed point", "[registry_key]") {
  for (const Row& row : kRows) {
    if (row.key == nullptr) continue;
    INFO("key = " << row.key);
    StatusOr<std::string> again = NormalizeRegistryKey(row.key);
    REQUIRE(again.ok());
    CHECK(*again == row.key);
  }
}

TEST_CASE("registry keys: the error names the URL", "[registry_key]") {
  StatusOr<std::string> key = NormalizeRegistryKey("ftp://example.com");
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().message() == "server URL \"ftp://example.com\": scheme must be http or https");
}

TEST_CASE("registry keys: errors never show user info, a query or a control character", "[registry_key]") {
  struct Shown {
    std::string raw;
    const char* message;
  };
  const Shown rows[] = {
      {"https://robot:SECRET@xpkg.upbound.io/", "server URL \"https://xpkg.upbound.io/\": user info is not allowed"},
      {"robot:SECRET@host:99999", "server URL \"host:99999\": user info is not allowed"},
      {"https://robot:SECRET#@evil", "server URL \"https://evil\": user info is not allowed"},
      {"https://host:bad/x?token=SECRET", "server URL \"https://host:bad/x\": bad port"},
      {"host\nSECOND", "server URL \"host\\x0aSECOND\": contains white space or control characters"},
      {std::string("host\0x", 6), "server URL \"host\\x00x\": contains white space or control characters"},
      {"a..b", "server URL \"a..b\": empty label in host"},
  };
  for (const Shown& row : rows) {
    INFO(row.raw);
    StatusOr<std::string> key = NormalizeRegistryKey(row.raw);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().message() == row.message);
  }
}

}  // namespace
}  // namespace dcu
