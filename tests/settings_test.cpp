#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "helper/settings.h"

namespace dcu {
namespace {

std::string WriteConfig(const std::string& text) {
  std::string path = "/tmp/dcu-settings-test-" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("settings: defaults derive every endpoint from upbound.io", "[settings]") {
  StatusOr<Settings> s = LoadSettings({});
  REQUIRE(s.ok());
  CHECK(s->domain == "https://upbound.io");
  CHECK(s->api_endpoint == "https://api.upbound.io");
  CHECK(s->auth_endpoint == "https://auth.upbound.io");
  CHECK(s->registry_endpoint == "https://xpkg.upbound.io");
  CHECK(s->IsUpboundRegistry("xpkg.upbound.io"));
  CHECK(s->IsUpboundRegistry("registry.upbound.io"));
  CHECK_FALSE(s->IsUpboundRegistry("index.docker.io"));
  CHECK(s->exchange == ExchangeKind::kSession);
  CHECK(s->timeout_seconds == 30);
  CHECK_FALSE(s->debug);
}

TEST_CASE("settings: UP_DOMAIN for a self-hosted install", "[settings]") {
  StatusOr<Settings> s = LoadSettings({{"UP_DOMAIN", "https://Example.com/"}});
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
                                       {"DOCKER_CREDENTIAL_UPBOUND_TIMEOUT", "5"}});
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
    StatusOr<Settings> s = LoadSettings({{row.name, row.value}});
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().message() == row.message);
  }
  StatusOr<Settings> no_org = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_EXCHANGE", "org-token"}});
  REQUIRE_FALSE(no_org.ok());
  CHECK(no_org.status().message().find("UP_ORGANIZATION") != std::string::npos);
}

TEST_CASE("settings: config file below environment, flags above it", "[settings]") {
  std::string path = WriteConfig(R"({"domain":"https://example.com","exchange":"direct",
      "registries":["Mirror.example.com:443"],"timeout":12,"debug":true})");
  Env env = {{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}};
  StatusOr<Settings> file = LoadSettings(env);
  REQUIRE(file.ok());
  CHECK(file->api_endpoint == "https://api.example.com");
  CHECK(file->exchange == ExchangeKind::kDirect);
  CHECK(file->IsUpboundRegistry("mirror.example.com"));
  CHECK(file->timeout_seconds == 12);
  CHECK(file->debug);

  env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  StatusOr<Settings> over = LoadSettings(env);
  REQUIRE(over.ok());
  CHECK(over->exchange == ExchangeKind::kSession);

  StatusOr<Settings> flagged = LoadSettings(env, {{"exchange", "direct"}});
  REQUIRE(flagged.ok());
  CHECK(flagged->exchange == ExchangeKind::kDirect);
  std::remove(path.c_str());
}

TEST_CASE("settings: config file errors name the file and key", "[settings]") {
  std::string path = WriteConfig(R"({"domian":"https://example.com"})");
  StatusOr<Settings> s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "config file " + path + ", key \"domian\": unknown key");

  WriteConfig(R"({"exchange":"bogus"})");
  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() ==
        "config file " + path + ", key \"exchange\": \"bogus\" must be session, org-token or direct");

  WriteConfig("{not json");
  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", path}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().message() == "config file " + path + ": not a JSON object");
  std::remove(path.c_str());

  s = LoadSettings({{"DOCKER_CREDENTIAL_UPBOUND_CONFIG", "/nonexistent/config.json"}});
  REQUIRE_FALSE(s.ok());
  // The default location may be absent; an explicit one may not.
  CHECK(LoadSettings({{"XDG_CONFIG_HOME", "/nonexistent"}}).ok());
}

}  // namespace
}  // namespace dcu
