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
    {"https://user@xpkg.upbound.io/", "xpkg.upbound.io"},
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

}  // namespace
}  // namespace dcu
