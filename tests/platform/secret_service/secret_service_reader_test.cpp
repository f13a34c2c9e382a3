// The native Secret Service client against an in-memory Secret Service
// (fake_secret_service.h): call order, and which searches it makes.
#include <catch2/catch.hpp>

#include "platform/secret_service/secret_service_reader.h"
#include "tests/platform/secret_service/fake_secret_service.h"

namespace dcu {
namespace {

using testing::FakeSecretService;

std::map<std::string, std::string> Ours(const std::string& server, const std::string& user) {
  return {{"xdg:schema", "io.upbound.Credentials"}, {"server", server}, {"username", user}};
}

std::map<std::string, std::string> Legacy(const std::string& server, const std::string& user) {
  return {{"xdg:schema", "io.docker.Credentials"}, {"label", "Docker Credentials"},
          {"server", server}, {"username", user}, {"docker_cli", "1"}};
}

void AddLegacyCrowd(FakeSecretService& fake, int n) {
  for (int i = 0; i < n; ++i) {
    fake.Add(Legacy("https://crowd" + std::to_string(i) + ".example", "u"), "s");
  }
}

// Every legacy search names one exact server: none enumerates the lot.
bool OnlyExactLegacySearches(const FakeSecretService& fake) {
  for (const auto& search : fake.searches()) {
    auto schema = search.find("xdg:schema");
    if (schema != search.end() && schema->second == "io.docker.Credentials" && !search.count("server")) {
      return false;
    }
  }
  return true;
}

TEST_CASE("reader: the first call is a lone ReadAlias, OpenSession comes after a reply", "[secret_service_reader]") {
  FakeSecretService fake;
  fake.Add(Ours("registry.example", "robot"), "pw");
  StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "registry.example");
  REQUIRE(cred.ok());
  CHECK(cred->username == "robot");
  CHECK(cred->secret == "pw");
  CHECK_FALSE(fake.crashed());
  REQUIRE(!fake.batches().empty());
  CHECK(fake.batches()[0] == std::vector<std::string>{"ReadAlias"});
  CHECK(fake.calls("OpenSession") == 1);
}

TEST_CASE("reader: an item marked superseded by a store killed midway is not the one in use",
          "[secret_service_reader]") {
  // What a store that changes the username leaves when killed after writing
  // the new item and before removing the old, marked one (keyring_common.h):
  // the new item is in use whichever order the search returns them in.
  for (bool marked_first : {true, false}) {
    FakeSecretService fake;
    auto old_item = Ours("registry.example", "old-user");
    old_item["superseded"] = "1";
    if (marked_first) fake.Add(old_item, "old-pw");
    fake.Add(Ours("registry.example", "new-user"), "new-pw");
    if (!marked_first) fake.Add(old_item, "old-pw");
    StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "registry.example");
    REQUIRE(cred.ok());
    CHECK(cred->username == "new-user");
    CHECK(cred->secret == "new-pw");
    StatusOr<std::map<std::string, std::string>> list = ListSecretServiceCredentials(fake);
    REQUIRE(list.ok());
    CHECK(*list == std::map<std::string, std::string>{{"registry.example", "new-user"}});
  }
  // Killed after marking, before writing: the marked item is all there is, and serves.
  FakeSecretService fake;
  auto alone = Ours("registry.example", "old-user");
  alone["superseded"] = "1";
  fake.Add(alone, "old-pw");
  StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "registry.example");
  REQUIRE(cred.ok());
  CHECK(cred->secret == "old-pw");
}

TEST_CASE("reader: erase and list introduce themselves first too", "[secret_service_reader]") {
  FakeSecretService fake;
  fake.Add(Ours("registry.example", "robot"), "pw");
  REQUIRE(ListSecretServiceCredentials(fake).ok());
  REQUIRE(EraseSecretServiceCredential(fake, "registry.example").ok());
  CHECK(fake.batches()[0] == std::vector<std::string>{"ReadAlias"});
  CHECK(fake.items().empty());
}

TEST_CASE("reader: ours found, the legacy items are not searched", "[secret_service_reader]") {
  FakeSecretService fake;
  AddLegacyCrowd(fake, 300);
  fake.Add(Ours("registry.example", "robot"), "pw");
  REQUIRE(ReadSecretServiceCredential(fake, "registry.example").ok());
  CHECK(fake.calls("SearchItems") == 1);
  CHECK(fake.calls("Get") == 1);  // our item's attributes, nothing else
}

TEST_CASE("reader: an unknown registry costs exact searches and no session", "[secret_service_reader]") {
  FakeSecretService fake;
  AddLegacyCrowd(fake, 300);
  StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "unknown.example");
  CHECK(cred.status().code() == Code::kNotFound);
  CHECK(OnlyExactLegacySearches(fake));
  CHECK(fake.calls("Get") == 0);
  CHECK(fake.calls("OpenSession") == 0);
  CHECK(fake.batches().size() == 3);  // ReadAlias; ours; the spellings in one batch
}

TEST_CASE("reader: a legacy item under another spelling is found", "[secret_service_reader]") {
  FakeSecretService fake;
  AddLegacyCrowd(fake, 10);
  fake.Add(Legacy("https://registry.example:5000/", "old"), "old-pw");
  StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "registry.example:5000");
  REQUIRE(cred.ok());
  CHECK(cred->username == "old");
  CHECK(cred->secret == "old-pw");
  CHECK(OnlyExactLegacySearches(fake));
  CHECK_FALSE(fake.crashed());
}

TEST_CASE("reader: a locked legacy item is reported, not read", "[secret_service_reader]") {
  FakeSecretService fake;
  fake.Add(Legacy("registry.example", "old"), "old-pw", /*locked=*/true);
  StatusOr<Credential> cred = ReadSecretServiceCredential(fake, "registry.example");
  CHECK(cred.status().code() == Code::kUnavailable);
  CHECK(cred.status().message().find("locked") != std::string::npos);
  CHECK(fake.calls("GetSecrets") == 0);
}

TEST_CASE("reader: erase deletes ours and every legacy spelling, nothing else", "[secret_service_reader]") {
  FakeSecretService fake;
  AddLegacyCrowd(fake, 200);
  fake.Add(Ours("registry.example", "robot"), "pw");
  fake.Add(Legacy("registry.example", "a"), "1");
  fake.Add(Legacy("https://registry.example/", "b"), "2");
  fake.Add(Legacy("https://registry.example:443", "c"), "3");
  fake.Add(Legacy("registry.example:5000", "d"), "4");  // another registry
  REQUIRE(EraseSecretServiceCredential(fake, "registry.example").ok());
  CHECK(fake.items().size() == 201);
  CHECK(fake.calls("Delete") == 4);
  CHECK(fake.calls("Get") == 0);
  CHECK(OnlyExactLegacySearches(fake));
}

TEST_CASE("reader: erase with a locked match deletes nothing", "[secret_service_reader]") {
  FakeSecretService fake;
  fake.Add(Ours("registry.example", "robot"), "pw");
  fake.Add(Legacy("https://registry.example", "old"), "old-pw", /*locked=*/true);
  Status status = EraseSecretServiceCredential(fake, "registry.example");
  CHECK(status.code() == Code::kUnavailable);
  CHECK(fake.items().size() == 2);
  CHECK(fake.calls("Delete") == 0);
}

TEST_CASE("reader: list pages through thousands of legacy items; ours win", "[secret_service_reader]") {
  FakeSecretService fake;
  AddLegacyCrowd(fake, 1500);
  fake.Add(Legacy("registry.example", "old"), "old-pw");
  fake.Add(Ours("registry.example", "robot"), "pw");
  fake.Add(Legacy("HTTPS://Odd.Example/", "odd"), "x");  // no client stores this spelling
  int pages = 0;
  auto entries = ListSecretServiceCredentials(fake, [&pages] { ++pages; });
  REQUIRE(entries.ok());
  CHECK(entries->size() == 1501);
  CHECK(entries->at("crowd1499.example") == "u");
  CHECK(entries->at("registry.example") == "robot");
  CHECK(entries->count("odd.example") == 0);
  CHECK(pages == 1 + 3);  // ours: one page; 1502 legacy items: three pages of 512
}

}  // namespace
}  // namespace dcu
