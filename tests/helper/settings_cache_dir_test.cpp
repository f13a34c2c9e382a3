// The cache directory's /tmp fallback (helper/settings.cpp, DefaultCacheDir).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

#include "helper/settings.h"
#include "helper/system/file_system.h"

namespace dcu {
namespace {

TEST_CASE("settings: with no private directory the cache falls back to a per-uid /tmp name",
          "[settings]") {
  // $USER is unset under systemd and other users' after su: it named one
  // directory for many users, or another user's.
  const std::string expected = "/tmp/docker-credential-upbound-" + std::to_string(getuid());
  for (const Env& env : {Env{}, Env{{"USER", "alice"}}, Env{{"USER", ""}}, Env{{"USER", "../x"}}}) {
    StatusOr<Settings> s = LoadSettings(env, *DefaultFileSystem());
    REQUIRE(s.ok());
    CHECK(s->cache_dir == expected);
  }
  StatusOr<Settings> home = LoadSettings({{"HOME", "/home/a"}, {"USER", "alice"}}, *DefaultFileSystem());
  REQUIRE(home.ok());
  CHECK(home->cache_dir == "/home/a/.cache/docker-credential-upbound");
}

}  // namespace
}  // namespace dcu
