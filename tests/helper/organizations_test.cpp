// The config file's organizations: parsing, defaults, refusals, and which
// organization an image belongs to.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "helper/organizations.h"

namespace dcu {
namespace {

using json = nlohmann::json;

const std::vector<std::string> kServed = {"xpkg.upbound.io", "registry.upbound.io", "127.0.0.1:5000"};

StatusOr<std::vector<Organization>> Parse(const std::string& text) {
  return ParseOrganizations(json::parse(text), "config file c.json, key \"organizations\"", kServed);
}

std::string Error(const std::string& text) {
  StatusOr<std::vector<Organization>> orgs = Parse(text);
  return orgs.ok() ? "" : orgs.status().message();
}

TEST_CASE("organizations: names, prefixes (default and explicit), token files, namespaces", "[organizations]") {
  StatusOr<std::vector<Organization>> orgs = Parse(R"([
    {"name": "acme", "robotTokenFile": "/etc/upbound/acme.json", "namespaces": ["team-a", "team-b"]},
    {"name": "globex", "prefix": "XPKG.upbound.io:443/globex/", "robotTokenFile": "/etc/upbound/globex.json"},
    {"name": "initech", "prefix": "127.0.0.1:5000/initech/team-x", "robotTokenFile": "/i.json"},
    {"name": "umbrella", "prefix": "registry.upbound.io", "robotTokenFile": "/u.json"}])");
  REQUIRE(orgs.ok());
  REQUIRE(orgs->size() == 4);
  const Organization& acme = (*orgs)[0];
  CHECK(acme.Prefix() == "xpkg.upbound.io/acme");  // the first served host plus the name
  CHECK(acme.robot_token_file == "/etc/upbound/acme.json");
  CHECK(acme.namespaces == std::vector<std::string>{"team-a", "team-b"});
  CHECK((*orgs)[1].Prefix() == "xpkg.upbound.io/globex");  // canonical host, no trailing slash
  CHECK((*orgs)[1].namespaces.empty());
  CHECK((*orgs)[2].prefix_host == "127.0.0.1:5000");
  CHECK((*orgs)[2].prefix_path == "initech/team-x");
  CHECK((*orgs)[3].Prefix() == "registry.upbound.io");  // a whole host
}

TEST_CASE("organizations: every mistake is refused with where it is", "[organizations]") {
  CHECK(Error(R"({"name":"acme"})") == "config file c.json, key \"organizations\": must be a list of organizations");
  CHECK(Error(R"([{"robotTokenFile":"/a.json"}])") ==
        "config file c.json, key \"organizations\", entry 1: \"name\" is missing");
  CHECK(Error(R"([{"name":"acme"}])").find("entry 1: \"robotTokenFile\" is missing") != std::string::npos);
  CHECK(Error(R"([{"name":"acme","robotTokenFile":""}])").find("non-empty string") != std::string::npos);
  CHECK(Error(R"([{"name":"acme","robotTokenFile":"/a","token":"x"}])").find("unknown key \"token\"") !=
        std::string::npos);
  CHECK(Error(R"([{"name":"Acme","robotTokenFile":"/a"}])").find("\"name\" must be lower-case") != std::string::npos);
  CHECK(Error(R"([{"name":"acme/x","robotTokenFile":"/a"}])").find("\"name\"") != std::string::npos);
  CHECK(Error(R"([{"name":"acme","robotTokenFile":"/a"},{"name":"acme","robotTokenFile":"/b"}])") ==
        "config file c.json, key \"organizations\", entry 2: \"acme\" twice");
  CHECK(Error(R"([{"name":"a","prefix":"xpkg.upbound.io/x","robotTokenFile":"/a"},
                  {"name":"b","prefix":"xpkg.upbound.io/x/","robotTokenFile":"/b"}])")
            .find("entry 2: prefix xpkg.upbound.io/x twice") != std::string::npos);
  // A prefix on a host nobody serves would send a robot token there.
  CHECK(Error(R"([{"name":"acme","prefix":"xpkg.upbond.io/acme","robotTokenFile":"/a"}])")
            .find("xpkg.upbond.io is not a served registry (add it to \"registries\")") != std::string::npos);
  CHECK(Error(R"([{"name":"acme","prefix":"https://xpkg.upbound.io/acme","robotTokenFile":"/a"}])")
            .find("takes no scheme") != std::string::npos);
  for (const char* prefix : {"xpkg.upbound.io/Acme", "xpkg.upbound.io/acme//x", "xpkg.upbound.io/../x",
                             "xpkg.upbound.io/acme/.", "xpkg.upbound.io/-x", "u@xpkg.upbound.io/x"}) {
    CAPTURE(prefix);
    CHECK_FALSE(Error(std::string(R"([{"name":"acme","robotTokenFile":"/a","prefix":")") + prefix + "\"}]").empty());
  }
  CHECK(Error(R"([{"name":"acme","robotTokenFile":"/a","namespaces":[]}])")
            .find("non-empty list (leave it out to allow any pod)") != std::string::npos);
  for (const char* ns : {R"("Team")", R"("-a")", R"("a_b")", R"(3)", R"("")"}) {
    CAPTURE(ns);
    CHECK(Error(std::string(R"([{"name":"acme","robotTokenFile":"/a","namespaces":[)") + ns + "]}]")
              .find("not a Kubernetes namespace name") != std::string::npos);
  }
  CHECK(Error(R"([{"name":"acme","robotTokenFile":"/a","namespaces":"team-a"}])").find("non-empty list") !=
        std::string::npos);
}

TEST_CASE("organizations: the longest prefix on path-segment boundaries wins", "[organizations]") {
  StatusOr<std::vector<Organization>> orgs = Parse(R"([
    {"name": "acme", "robotTokenFile": "/a"},
    {"name": "acme-team", "prefix": "xpkg.upbound.io/acme/team", "robotTokenFile": "/t"},
    {"name": "whole", "prefix": "127.0.0.1:5000", "robotTokenFile": "/w"}])");
  REQUIRE(orgs.ok());
  auto match = [&](const std::string& host, const std::string& path) -> std::string {
    const Organization* org = MatchOrganization(*orgs, host, path);
    return org == nullptr ? "-" : org->name;
  };
  CHECK(match("xpkg.upbound.io", "acme/pkg") == "acme");
  CHECK(match("xpkg.upbound.io", "acme") == "acme");
  CHECK(match("xpkg.upbound.io", "acme/team/pkg") == "acme-team");
  CHECK(match("xpkg.upbound.io", "acme/team") == "acme-team");
  CHECK(match("xpkg.upbound.io", "acme/teamx/pkg") == "acme");
  // Prefixes that must not match.
  CHECK(match("xpkg.upbound.io", "acme-evil/x") == "-");
  CHECK(match("xpkg.upbound.io", "acmex") == "-");
  CHECK(match("xpkg.upbound.io", "acm") == "-");
  CHECK(match("xpkg.upbound.io", "other/acme/pkg") == "-");
  CHECK(match("registry.upbound.io", "acme/pkg") == "-");
  CHECK(match("xpkg.upbound.io.evil.io", "acme/pkg") == "-");
  CHECK(match("127.0.0.1:5000", "anything/at/all") == "whole");
  CHECK(match("127.0.0.1:5001", "acme/pkg") == "-");
}

TEST_CASE("organizations: repository path components and namespace names", "[organizations]") {
  for (const char* good : {"a", "acme", "a.b", "a_b", "a__b", "a-b", "a---b", "v1.2", "0"}) {
    CAPTURE(good);
    CHECK(IsPathComponent(good));
  }
  for (const char* bad : {"", ".", "..", "-a", "a-", "a_", "_a", "a..b", "a___b", "a._b", "A", "a b", "a/b", "a:b"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsPathComponent(bad));
  }
  CHECK_FALSE(IsPathComponent(std::string(256, 'a')));
  CHECK(IsNamespaceName("team-a"));
  CHECK(IsNamespaceName(std::string(63, 'a')));
  CHECK_FALSE(IsNamespaceName(std::string(64, 'a')));
  CHECK_FALSE(IsNamespaceName("team.a"));
}

}  // namespace
}  // namespace dcu
