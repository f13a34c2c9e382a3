#include <catch2/catch.hpp>

#include <algorithm>

#include "helper/docker/legacy_keys.h"

namespace dcu {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_CASE("legacy keys: every legacy spelling maps back to its key", "[legacy_keys]") {
  for (const char* key : {"registry.example", "registry.example:5000", "127.0.0.1:5000", "[::1]",
                          "[::1]:5000", "xpkg.upbound.io", "https://index.docker.io/v1/"}) {
    std::vector<std::string> spellings = LegacyServerSpellings(key);
    INFO(key);
    CHECK(Has(spellings, key));
    for (const std::string& s : spellings) {
      INFO(s);
      CHECK(ItemKey(s) == key);
      CHECK(LegacyItemKey(s) == key);
    }
    // One search each, in one batch: few enough to keep an unknown
    // registry's get cheap with thousands of items in the keyring.
    CHECK(spellings.size() <= (std::string(key).find("docker.io") != std::string::npos ? 13u : 6u));
  }
}

TEST_CASE("legacy keys: the spellings clients store are legacy spellings", "[legacy_keys]") {
  // docker login, podman/skopeo/buildah, nerdctl, docker logout, older docker
  // login with a URL, a URL pasted with a slash (PROTOCOLS.md, section 1)
  for (const char* sent : {"registry.example", "registry.example:443", "https://registry.example:443",
                           "https://registry.example", "http://registry.example",
                           "https://registry.example/"}) {
    INFO(sent);
    CHECK(Has(LegacyServerSpellings("registry.example"), sent));
  }
  for (const char* sent : {"registry.example:5000", "https://registry.example:5000",
                           "http://registry.example:5000", "https://registry.example:5000/"}) {
    INFO(sent);
    CHECK(Has(LegacyServerSpellings("registry.example:5000"), sent));
  }
  for (const char* sent : {"https://index.docker.io/v1/", "docker.io", "index.docker.io",
                           "registry-1.docker.io", "https://registry-1.docker.io/"}) {
    INFO(sent);
    CHECK(Has(LegacyServerSpellings("https://index.docker.io/v1/"), sent));
  }
}

TEST_CASE("legacy keys: an odd spelling is no legacy item of ours", "[legacy_keys]") {
  // These normalise to a key, but no client stores them: get would not find
  // them by exact search, so list must not show them either.
  CHECK(LegacyItemKey("HTTPS://Registry.Example/") == "");
  CHECK(LegacyItemKey("https://user@registry.example") == "");
  CHECK(LegacyItemKey("https://registry.example/some/path") == "");
  CHECK(LegacyItemKey("not a url") == "");
  CHECK(LegacyItemKey("https://registry.example/v1/") == "");
  CHECK(LegacyItemKey("https://registry.example/") == "registry.example");
}

}  // namespace
}  // namespace dcu
