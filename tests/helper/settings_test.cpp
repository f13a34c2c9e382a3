#include <catch2/catch.hpp>

#ifndef _WIN32
#include <sys/stat.h>  // mkfifo, for the FIFO case
#endif

#include <cstdio>
#include <fstream>

#include "helper/settings.h"
#include "helper/system/file_system.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

std::string WriteConfig(const std::string& text) {
  static TempDir dir;  // removed at exit
  std::string path = dir.path + "/config.json";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_CASE("settings: defaults derive every endpoint from upbound.io", "[settings]") {
  StatusOr<Settings> s = LoadSettings({}, *DefaultFileSystem());
  REQUIRE(s.ok());
  CHECK(s->domain == "https://upbound.io");
  CHECK(s->api_endpoint == "https://api.upbound.io");
  CHECK(s->auth_endpoint == "https://auth.upbound.io");
  CHECK(s->registry_endpoint == "https://xpkg.upbound.io");
  CHECK(s->IsUpboundRegistry("xpkg.upbound.io"));
  CHECK(s->IsUpboundRegistry("registry.upbound.io"));
  CHECK_FALSE(s->IsUpboundRegistry("index.docker.io"));
  // direct: the pair Upbound documents for push and pull (issue 7).
  CHECK(s->exchange == ExchangeKind::kDirect);
  CHECK(s->verify_period_seconds == 3600);
  CHECK(s->realm_hosts.empty());
  CHECK(s->timeout_seconds == 30);
  CHECK_FALSE(s->debug);
}

TEST_CASE("settings: UP_DOMAIN for a self-hosted install", "[settings]") {
  StatusOr<Settings> s = LoadSettings({{"UP_DOMAIN", "https://Example.com/"}}, *DefaultFileSystem());
  REQUIRE(s.ok());
  CHECK(s->api_endpoint == "https://api.example.com");
  CHECK(s->IsUpboundRegistry("xpkg.example.com"));
  CHECK_FALSE(s->IsUpboundRegistry("registry.example.com"));
  CHECK_FALSE(s->IsUpboundRegistry("xpkg.upbound.io"));
}

TEST_CASE("settings: overrides, and the registry endpoint's host is served", "[settings]") {
  StatusOr<Settings> s = LoadSettings({{"OVERRIDE_API_ENDPOINT", "http://127.0.0.1:8080"},
                                       {"OVERRIDE_AUTH_ENDPOINT", "http://127.0.0.1:8081/"},
                                       {"OVERRIDE_REGISTRY_ENDPOINT", "127.0.0.1:5000"},
                                       {"DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", "org-token"},
                                       {"UP_ORGANIZATION", "acme"},
                                       {"UP_DEBUG", "1"},
                                       {"DOCKER_CREDENTIAL_UPBOUND_TIMEOUT", "5"}}, *DefaultFileSystem());
  REQUIRE(s.ok());
  CHECK(s->api_endpoint == "http://127.0.0.1:8080");
  CHECK(s->auth_endpoint == "http://127.0.0.1:8081");
  CHECK(s->registry_hosts == std::vector<std::string>{"127.0.0.1:5000"});
  CHECK(s->exchange == ExchangeKind::kOrgToken);
  CHECK(s->organization == "acme");
  CHECK(s->debug);
  CHECK(s->timeout_seconds == 5);
}

TEST_CASE("settings: invalid values name their variable", "[settings]") {
  struct Row {
    const char* name;
    const char* value;
    const char* message;
  };
  const Row rows[] = {
      {"DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", "oauth",
       "environment variable DOCKER_CREDENTIAL_UPBOUND_EXCHANGE: \"oauth\" must be session, org-token or direct"},
      {"UP_DOMAIN", "ftp://x.io", "environment variable UP_DOMAIN: \"ftp://x.io\" must be an https URL"},
      {"UP_DEBUG", "maybe", "environment variable UP_DEBUG: \"maybe\" must be 1 or 0"},
      {"DOCKER_CREDENTIAL_UPBOUND_TIMEOUT", "0",
       "environment variable DOCKER_CREDENTIAL_UPBOUND_TIMEOUT: \"0\" must be a number of seconds from 1 to 600"},
      {"OVERRIDE_REGISTRY_ENDPOINT", "https://", "environment variable OVERRIDE_REGISTRY_ENDPOINT: \"https://\" is not a URL"},
  };
  for (const Row& row : rows) {
    StatusOr<Settings> s = LoadSettings({{row.name, row.value}}, *DefaultFileSystem());
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() == row.message);
  }
  StatusOr<Settings> no_org = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", "org-token"}}, *DefaultFileSystem());
  REQUIRE_FALSE(no_org.ok());
  CHECK(no_org.status().message().find("UP_ORGANIZATION") != std::string::npos);
}

TEST_CASE("settings: config file below environment, flags above it", "[settings]") {
  std::string path = WriteConfig(R"({"domain":"https://example.com","exchange":"direct",
      "registries":["Mirror.example.com:443"],"timeout":12,"debug":true})");
  Env env = {{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}};
  StatusOr<Settings> file = LoadSettings(env, *DefaultFileSystem());
  REQUIRE(file.ok());
  CHECK(file->api_endpoint == "https://api.example.com");
  CHECK(file->exchange == ExchangeKind::kDirect);
  CHECK(file->IsUpboundRegistry("mirror.example.com"));
  CHECK(file->timeout_seconds == 12);
  CHECK(file->debug);

  env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  StatusOr<Settings> over = LoadSettings(env, *DefaultFileSystem());
  REQUIRE(over.ok());
  CHECK(over->exchange == ExchangeKind::kSession);

  StatusOr<Settings> flagged = LoadSettings(env, *DefaultFileSystem(), {{"exchange", "direct"}});
  REQUIRE(flagged.ok());
  CHECK(flagged->exchange == ExchangeKind::kDirect);
  std::remove(path.c_str());
}

TEST_CASE("settings: config file errors name the file and key", "[settings]") {
  std::string path = WriteConfig(R"({"domian":"https://example.com"})");
  StatusOr<Settings> s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "config file " + path + ", key \"domian\": unknown key");

  WriteConfig(R"({"exchange":"bogus"})");
  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() ==
        "config file " + path + ", key \"exchange\": \"bogus\" must be session, org-token or direct");

  WriteConfig("{not json");
  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "config file " + path + ": not a JSON object");
  std::remove(path.c_str());

  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", "/nonexistent/config.json"}}, *DefaultFileSystem());
  REQUIRE_FALSE(s.ok());
  // The default location may be absent; an explicit one may not.
  CHECK(LoadSettings({{"XDG_CONFIG_HOME", "/nonexistent"}}, *DefaultFileSystem()).ok());
}

TEST_CASE("settings: cache directory choice", "[settings]") {
  FileSystem& fs = *DefaultFileSystem();
  CHECK(LoadSettings({{"XDG_RUNTIME_DIR", "/run/user/1"}, {"HOME", "/home/u"}}, fs)->cache_dir ==
        "/run/user/1/docker-credential-upbound");
  CHECK(LoadSettings({{"XDG_CACHE_HOME", "/c"}, {"HOME", "/home/u"}}, fs)->cache_dir ==
        "/c/docker-credential-upbound");
  CHECK(LoadSettings({{"HOME", "/home/u"}}, fs)->cache_dir == "/home/u/.cache/docker-credential-upbound");
  CHECK(LoadSettings({{"XDG_RUNTIME_DIR", "/run/user/1"}, {"DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR", "/explicit"}},
                     fs)
            ->cache_dir == "/explicit");
}

TEST_CASE("settings: the keyring timeout and the session bus", "[settings]") {
  FileSystem& fs = *DefaultFileSystem();
  StatusOr<Settings> s = LoadSettings({{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/b"}, {"XDG_RUNTIME_DIR", "/r"}}, fs);
  REQUIRE(s.ok());
  CHECK(s->keyring.timeout_seconds == 4);
  CHECK(s->keyring.session_bus_address == "unix:path=/b");
  CHECK(s->keyring.runtime_dir == "/r");
  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT", "30"}}, fs);
  REQUIRE(s.ok());
  CHECK(s->keyring.timeout_seconds == 30);
  // A bad value names the variable, as every other setting does.
  for (const char* bad : {"0", "601", "5abc", "-1", "lots"}) {
    INFO(bad);
    s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT", bad}}, fs);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() == std::string("environment variable DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT: \"") +
                                      bad + "\" must be a number of seconds from 1 to 600");
  }
}

#ifndef _WIN32  // no FIFOs in the file system there (named pipes: windows_file_system_test)
TEST_CASE("settings: a config file that is a FIFO is not waited for", "[settings]") {
  TempDir dir;
  std::string path = dir.path + "/fifo";
  REQUIRE(mkfifo(path.c_str(), 0600) == 0);
  StatusOr<Settings> s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem());
  std::remove(path.c_str());
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "config file " + path + ": cannot be read");
}
#endif

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("settings: a bad endpoint's message shows no user info", "[settings]") {
  for (const char* bad : {"ftp://robot:SECRETPW@upbound.io", "https://robot:SECRETPW@"}) {
    INFO(bad);
    StatusOr<Settings> s = LoadSettings({{"UP_DOMAIN", bad}}, *DefaultFileSystem());
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message().find("SECRETPW") == std::string::npos);
  }
}

TEST_CASE("settings: verifyPeriod and realmHosts", "[settings]") {
  CHECK(LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_VERIFY", "0"}}, *DefaultFileSystem())->verify_period_seconds == 0);
  CHECK(LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_VERIFY", "90"}}, *DefaultFileSystem())->verify_period_seconds == 90);
  for (const char* bad : {"-1", "2592001", "1h", ""}) {
    if (std::string(bad).empty()) continue;  // empty means unset
    CHECK_FALSE(LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_VERIFY", bad}}, *DefaultFileSystem()).ok());
  }
  std::string path = WriteConfig(R"({"verifyPeriod":"600","realmHosts":["Auth.Example:8443","auth.example"]})");
  StatusOr<Settings> s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem());
  REQUIRE(s.ok());
  CHECK(s->verify_period_seconds == 600);
  CHECK(s->realm_hosts == std::vector<std::string>{"auth.example:8443", "auth.example"});
  WriteConfig(R"({"realmHosts":"auth.example"})");
  CHECK_FALSE(LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}}, *DefaultFileSystem()).ok());
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("settings: organizations from the config file, on served registries", "[settings]") {
  std::string path = WriteConfig(R"({"registries":["registry.example.com"],"organizations":[
      {"name":"acme","robotTokenFile":"/etc/upbound/acme.json","namespaces":["team-a"]},
      {"name":"globex","prefix":"registry.example.com/globex","robotTokenFile":"/etc/upbound/globex.json"}]})");
  Env env = {{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}, {"DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", "org-token"}};
  StatusOr<Settings> s = LoadSettings(env, *DefaultFileSystem());
  // org-token needs no UP_ORGANIZATION when organizations name themselves.
  REQUIRE(s.ok());
  REQUIRE(s->organizations.size() == 2);
  CHECK(s->organizations[0].Prefix() == "xpkg.upbound.io/acme");
  CHECK(s->organizations[1].Prefix() == "registry.example.com/globex");

  WriteConfig(R"({"organizations":[{"name":"globex","prefix":"registry.example.com/globex","robotTokenFile":"/g"}]})");
  StatusOr<Settings> unserved = LoadSettings(env, *DefaultFileSystem());
  REQUIRE_FALSE(unserved.ok());
  CHECK(unserved.status().message() == "config file " + path + ", key \"organizations\", entry 1: \"prefix\" "
                                       "registry.example.com/globex: registry.example.com is not a served registry "
                                       "(add it to \"registries\")");
  WriteConfig(R"({"organizations":{"name":"acme"}})");
  CHECK(LoadSettings(env, *DefaultFileSystem()).status().message().find("must be a list of organizations") !=
        std::string::npos);
  // Without organizations, org-token still needs one.
  WriteConfig("{}");
  CHECK(LoadSettings(env, *DefaultFileSystem()).status().message().find("UP_ORGANIZATION") != std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace dcu
