#include <catch2/catch.hpp>

#include <algorithm>

#include "helper/commands/cred_helpers.h"

namespace dcu {
namespace {

const std::vector<std::string> kHosts = {"xpkg.upbound.io", "registry.upbound.io"};

TEST_CASE("cred helpers: the host an auths key names", "[cred_helpers]") {
  CHECK(AuthsKeyHost("xpkg.upbound.io") == "xpkg.upbound.io");
  CHECK(AuthsKeyHost("HTTPS://XPKG.upbound.io/v1/") == "xpkg.upbound.io");
  CHECK(AuthsKeyHost("http://h:5000") == "h:5000");
  CHECK(AuthsKeyHost("xpkg.upbound.io/acme/pkg") == "xpkg.upbound.io");
}

TEST_CASE("cred helpers: what the change adds, replaces and keeps", "[cred_helpers]") {
  StatusOr<CredHelpersChange> c = AddCredHelpers(
      "{\"credsStore\":\"pass\",\"credHelpers\":{\"registry.upbound.io\":\"up\",\"xpkg.upbound.io\":\"upbound\"}}",
      kHosts);
  REQUIRE(c.ok());
  CHECK(c->changed());
  CHECK(c->added.empty());
  CHECK(c->kept == std::vector<std::string>{"xpkg.upbound.io"});
  CHECK(c->replaced == std::vector<std::pair<std::string, std::string>>{{"registry.upbound.io", "\"up\""}});
  CHECK(c->creds_store == "pass");
  CHECK(c->text ==
        "{\"credsStore\":\"pass\",\"credHelpers\":{\"registry.upbound.io\":\"upbound\",\"xpkg.upbound.io\":\"upbound\"}}");

  // A long odd value is shortened in messages.
  c = AddCredHelpers("{\"credHelpers\":{\"xpkg.upbound.io\":\"" + std::string(200, 'x') + "\"}}", kHosts);
  REQUIRE(c.ok());
  CHECK(c->replaced.at(0).second.size() == 63);

  // Nothing to do: the same text, not changed.
  std::string done = "{\"credHelpers\":{\"registry.upbound.io\":\"upbound\",\"xpkg.upbound.io\":\"upbound\"}}";
  c = AddCredHelpers(done, kHosts);
  REQUIRE(c.ok());
  CHECK(!c->changed());
  CHECK(c->text == done);
}

TEST_CASE("cred helpers: saved passwords for served hosts, in every spelling", "[cred_helpers]") {
  StatusOr<CredHelpersChange> c = AddCredHelpers(
      "{\"auths\":{\"xpkg.upbound.io\":{\"auth\":\"eDp5\"},\"https://registry.upbound.io\":{\"auth\":\"eDp5\"},"
      "\"xpkg.upbound.io/acme\":{\"auth\":\"eDp5\"},\"other.io\":{\"auth\":\"eDp5\"},"
      "\"registry.upbound.io/x\":{\"auth\":\"\"},\"registry.upbound.io/y\":{},\"registry.upbound.io/z\":\"str\"}}",
      kHosts);
  REQUIRE(c.ok());
  std::vector<std::string> saved = c->saved_auths;
  std::sort(saved.begin(), saved.end());
  CHECK(saved == std::vector<std::string>{"https://registry.upbound.io", "xpkg.upbound.io", "xpkg.upbound.io/acme"});
}

TEST_CASE("cred helpers: a new file is Docker's layout", "[cred_helpers]") {
  StatusOr<CredHelpersChange> c = AddCredHelpers("", kHosts);
  REQUIRE(c.ok());
  CHECK(c->added == kHosts);
  CHECK(c->text ==
        "{\n\t\"credHelpers\": {\n\t\t\"xpkg.upbound.io\": \"upbound\",\n\t\t\"registry.upbound.io\": \"upbound\"\n\t}\n}\n");
}

}  // namespace
}  // namespace dcu
