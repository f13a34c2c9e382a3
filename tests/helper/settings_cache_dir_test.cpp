// Where the cache and the config file are by default (helper/settings.cpp,
// DefaultCacheDir and ConfigPath): one order on every OS, each variable
// absent where it does not apply.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "helper/settings.h"
#include "helper/system/file_system.h"
#include "helper/system/process.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

std::string CacheDir(const Env& env) {
  StatusOr<Settings> s = LoadSettings(env, *DefaultFileSystem());
  REQUIRE(s.ok());
  return s->cache_dir;
}

TEST_CASE("settings: with no private directory the cache falls back to a per-user /tmp name",
          "[settings]") {
  // $USER is unset under systemd and other users' after su: it named one
  // directory for many users, or another user's.
  const std::string expected = "/tmp/docker-credential-upbound-" + ProcessUserId();
  for (const Env& env : {Env{}, Env{{"USER", "alice"}}, Env{{"USER", ""}}, Env{{"USER", "../x"}}}) {
    CHECK(CacheDir(env) == expected);
  }
  CHECK(CacheDir({{"HOME", "/home/a"}, {"USER", "alice"}}) == "/home/a/.cache/docker-credential-upbound");
}

TEST_CASE("settings: the cache directory's order of variables", "[settings]") {
  Env env = {{"TMP", "C:\\Users\\a\\AppData\\Local\\Temp2"}};
  CHECK(CacheDir(env) == "C:\\Users\\a\\AppData\\Local\\Temp2\\docker-credential-upbound-" + ProcessUserId());
  env["TEMP"] = "C:\\Users\\a\\AppData\\Local\\Temp";
  CHECK(CacheDir(env) == "C:\\Users\\a\\AppData\\Local\\Temp\\docker-credential-upbound-" + ProcessUserId());
  env["HOME"] = "/home/a";
  CHECK(CacheDir(env) == "/home/a/.cache/docker-credential-upbound");
  // Windows: %LOCALAPPDATA%, before a HOME that MSYS or Cygwin may have set.
  env["LOCALAPPDATA"] = "C:\\Users\\a\\AppData\\Local";
  CHECK(CacheDir(env) == "C:\\Users\\a\\AppData\\Local\\docker-credential-upbound");
  env["LOCALAPPDATA"] = "C:/Users/a/AppData/Local/";  // separators as given
  CHECK(CacheDir(env) == "C:/Users/a/AppData/Local/docker-credential-upbound");
  env["XDG_CACHE_HOME"] = "/c";
  CHECK(CacheDir(env) == "/c/docker-credential-upbound");
  env["XDG_RUNTIME_DIR"] = "/run/user/1000";
  CHECK(CacheDir(env) == "/run/user/1000/docker-credential-upbound");
  env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = "/explicit";
  CHECK(CacheDir(env) == "/explicit");
}

TEST_CASE("settings: the config file's order of variables", "[settings]") {
  // Three candidate places, each naming a different domain.
  TempDir xdg, appdata, home;
  TempDir explicit_dir;
  auto write = [](const std::string& dir, const std::string& sub, const std::string& domain) {
    if (!sub.empty()) REQUIRE(DefaultFileSystem()->EnsurePrivateDir(dir + sub).ok());
    std::ofstream(dir + sub + "/config.json", std::ios::binary) << "{\"domain\":\"https://" + domain + "\"}";
  };
  write(xdg.path, "/docker-credential-upbound", "xdg.example");
  write(appdata.path, "/docker-credential-upbound", "appdata.example");
  write(home.path, "/.config/docker-credential-upbound", "home.example");
  write(explicit_dir.path, "", "explicit.example");
  auto domain = [](const Env& env) {
    StatusOr<Settings> s = LoadSettings(env, *DefaultFileSystem());
    REQUIRE(s.ok());
    return s->domain;
  };
  Env env = {{"HOME", home.path}};
  CHECK(domain(env) == "https://home.example");
  env["APPDATA"] = appdata.path;  // Windows' roaming %APPDATA%
  CHECK(domain(env) == "https://appdata.example");
  env["XDG_CONFIG_HOME"] = xdg.path;
  CHECK(domain(env) == "https://xdg.example");
  env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = explicit_dir.path + "/config.json";
  CHECK(domain(env) == "https://explicit.example");
}

}  // namespace
}  // namespace dcu
