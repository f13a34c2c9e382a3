// Runs against the real Credential Manager of the user running it (under
// wine, the prefix's). Every server is unique to the process and erased.
#include <catch2/catch.hpp>

#include <windows.h>
#include <wincred.h>

#include <string>

#include "helper/system/secret_store.h"
#include "platform/windows/credential_manager_store.h"
#include "platform/windows/wide.h"
#include "tests/secret_store_contract.h"

namespace dcu {
namespace {

std::string Unique(const std::string& name) {
  return name + "-" + std::to_string(GetCurrentProcessId()) + ".example";
}

std::unique_ptr<SecretStore> Store() { return NewSystemSecretStore(SecretStoreOptions{}); }

std::wstring W(const std::string& text) { return *win::Wide(text, "test"); }

// An item as docker-credential-wincred writes it (wincred.go, Add).
void WriteWincred(const std::string& target, const std::string& username, const std::string& secret,
                  bool labelled = true) {
  std::wstring wide_target = W(target), wide_user = W(username);
  std::wstring keyword = W(win::kDockerLabelKeyword);
  CREDENTIAL_ATTRIBUTEW label{};
  label.Keyword = keyword.data();
  label.ValueSize = sizeof(win::kDockerLabel) - 1;
  label.Value = reinterpret_cast<LPBYTE>(const_cast<char*>(win::kDockerLabel));
  CREDENTIALW c{};
  c.Type = CRED_TYPE_GENERIC;
  c.TargetName = wide_target.data();
  c.UserName = wide_user.data();
  c.CredentialBlobSize = static_cast<DWORD>(secret.size());
  c.CredentialBlob = reinterpret_cast<LPBYTE>(const_cast<char*>(secret.data()));
  c.Persist = CRED_PERSIST_LOCAL_MACHINE;
  c.AttributeCount = labelled ? 1 : 0;
  c.Attributes = labelled ? &label : nullptr;
  REQUIRE(CredWriteW(&c, 0));
}

bool Exists(const std::string& target) {
  PCREDENTIALW cred = nullptr;
  if (!CredReadW(W(target).c_str(), CRED_TYPE_GENERIC, 0, &cred)) return false;
  CredFree(cred);
  return true;
}

void Delete(const std::string& target) { CredDeleteW(W(target).c_str(), CRED_TYPE_GENERIC, 0); }

std::string Ours(const std::string& server) { return win::Narrow(win::kTargetPrefix) + server; }

// Windows keeps a credential's attributes; wine 8 drops them, so there
// docker-credential-wincred's items lose the label that tells them apart,
// and the tests check instead that an unlabelled item is never taken for one.
bool VaultKeepsAttributes() {
  static const bool keeps = [] {
    const std::string target = Ours(Unique("attribute-probe"));
    WriteWincred(target, "", "");
    PCREDENTIALW cred = nullptr;
    bool kept = false;
    if (CredReadW(W(target).c_str(), CRED_TYPE_GENERIC, 0, &cred)) {
      kept = cred->AttributeCount == 1;
      CredFree(cred);
    }
    Delete(target);
    if (!kept) WARN("this Credential Manager drops attributes (wine): wincred's label cannot be stored here");
    return kept;
  }();
  return keeps;
}

// An in-memory credential, for the classification alone.
struct Fake {
  std::wstring target, keyword = L"label";
  std::string value = win::kDockerLabel;
  CREDENTIAL_ATTRIBUTEW attribute{};
  CREDENTIALW cred{};
  Fake(const std::string& name, bool labelled) : target(W(name)) {
    cred.Type = CRED_TYPE_GENERIC;
    cred.TargetName = target.data();
    attribute.Keyword = keyword.data();
    if (labelled) {
      cred.AttributeCount = 1;
      cred.Attributes = &attribute;
    }
  }
  const CREDENTIALW& get() {
    attribute.ValueSize = static_cast<DWORD>(value.size());
    attribute.Value = reinterpret_cast<LPBYTE>(value.data());
    return cred;
  }
};

TEST_CASE("credential manager: which items are ours and which wincred's", "[windows][credential_manager]") {
  CHECK(win::OurItemKey(Fake("docker-credential-upbound:x.example", false).get()) == "x.example");
  CHECK(win::OurItemKey(Fake("DOCKER-CREDENTIAL-UPBOUND:X.Example", false).get()) == "x.example");
  CHECK(win::OurItemKey(Fake("docker-credential-upbound:https://x.example", false).get()) == "");
  CHECK(win::OurItemKey(Fake("docker-credential-upbound:x.example", true).get()) == "");
  CHECK(win::WincredItemKey(Fake("docker-credential-upbound:x.example", true).get()) == "");
  CHECK(win::WincredItemKey(Fake("docker-credential-upbound:x.example", false).get()) == "");

  CHECK(win::WincredItemKey(Fake("https://x.example", true).get()) == "x.example");
  CHECK(win::WincredItemKey(Fake("x.example:443", true).get()) == "x.example");
  CHECK(win::WincredItemKey(Fake("https://index.docker.io/v1/", true).get()) == "https://index.docker.io/v1/");
  CHECK(win::WincredItemKey(Fake("docker.io", true).get()) == "https://index.docker.io/v1/");
  CHECK(win::WincredItemKey(Fake("https://x.example", false).get()) == "");
  CHECK(win::WincredItemKey(Fake("HTTPS://X.EXAMPLE", true).get()) == "");
  CHECK(win::OurItemKey(Fake("https://x.example", true).get()) == "");
  Fake other_label("https://x.example", true);
  other_label.value = "Docker Credentials2";
  CHECK(win::WincredItemKey(other_label.get()) == "");
  Fake other_keyword("https://x.example", true);
  other_keyword.keyword = L"Label";
  other_keyword.attribute.Keyword = other_keyword.keyword.data();
  CHECK(win::WincredItemKey(other_keyword.get()) == "");
  Fake domain("docker-credential-upbound:x.example", false);
  domain.cred.Type = CRED_TYPE_DOMAIN_PASSWORD;
  CHECK(win::OurItemKey(domain.get()) == "");
}

TEST_CASE("credential manager: the SecretStore contract", "[windows][credential_manager]") {
  std::unique_ptr<SecretStore> store = Store();
  CheckSecretStoreContract(*store, "contract-" + std::to_string(GetCurrentProcessId()) + ".");
}

TEST_CASE("credential manager: the item is a local generic credential, one per server", "[windows][credential_manager]") {
  const std::string server = Unique("shape");
  REQUIRE(Store()->Put({server, "first", "one"}).ok());
  REQUIRE(Store()->Put({server, "second", "two"}).ok());
  PCREDENTIALW cred = nullptr;
  REQUIRE(CredReadW(W(Ours(server)).c_str(), CRED_TYPE_GENERIC, 0, &cred));
  CHECK(cred->Type == CRED_TYPE_GENERIC);
  CHECK(cred->Persist == CRED_PERSIST_LOCAL_MACHINE);
  CHECK(win::Narrow(cred->UserName) == "second");
  CHECK(cred->AttributeCount == 0);
  CredFree(cred);
  DWORD count = 0;
  PCREDENTIALW* creds = nullptr;
  REQUIRE(CredEnumerateW(W(Ours(server) + "*").c_str(), 0, &count, &creds));
  CHECK(count == 1);
  CredFree(creds);
  REQUIRE(Store()->Erase(server).ok());
  CHECK_FALSE(Exists(Ours(server)));
}

TEST_CASE("credential manager: every byte value survives, up to the 2,560-byte limit", "[windows][credential_manager]") {
  const std::string server = Unique("bytes");
  std::string secret;
  for (int i = 0; i < 2560; ++i) secret.push_back(static_cast<char>((i * 7 + 255) % 256));
  secret[0] = '\0';
  secret[1] = '\xff';
  REQUIRE(Store()->Put({server, "robot", secret}).ok());
  StatusOr<Credential> got = Store()->Get(server);
  REQUIRE(got.ok());
  CHECK(got->secret == secret);

  SECTION("one byte more is refused, and the stored credential stays") {
    std::string big(2561, 'S');
    Status status = Store()->Put({server, "other", big});
    CHECK(status.code() == Code::kInvalidInput);
    CHECK(status.message().find("2561") != std::string::npos);
    CHECK(status.message().find("2560") != std::string::npos);
    CHECK(status.message().find("SSSS") == std::string::npos);
    CHECK(status.message().find('\n') == std::string::npos);
    got = Store()->Get(server);
    REQUIRE(got.ok());
    CHECK(got->username == "robot");
    CHECK(got->secret == secret);
  }
  REQUIRE(Store()->Erase(server).ok());
}

TEST_CASE("credential manager: what the vault itself does over the limit", "[windows][credential_manager]") {
  // Our refusal comes first; this records whether the vault under test
  // would have refused too (Windows does; see the report for wine).
  const std::string target = Ours(Unique("raw-limit"));
  std::wstring wide = W(target);
  std::string big(2561, 'x');
  CREDENTIALW c{};
  c.Type = CRED_TYPE_GENERIC;
  c.TargetName = wide.data();
  c.CredentialBlobSize = static_cast<DWORD>(big.size());
  c.CredentialBlob = reinterpret_cast<LPBYTE>(big.data());
  c.Persist = CRED_PERSIST_LOCAL_MACHINE;
  BOOL written = CredWriteW(&c, 0);
  DWORD code = GetLastError();
  WARN("CredWriteW of 2561 bytes: " << (written ? std::string("accepted") : win::ErrorText(code)));
  Delete(target);
}

TEST_CASE("credential manager: usernames must be UTF-8, NUL-free and short enough", "[windows][credential_manager]") {
  const std::string server = Unique("user");
  const std::string unicode = "r\xc5\x8d" "bot-\xe2\x9c\x93-\xf0\x9f\x94\x91";  // 2- 3- and 4-byte UTF-8
  REQUIRE(Store()->Put({server, unicode, "s"}).ok());
  StatusOr<Credential> got = Store()->Get(server);
  REQUIRE(got.ok());
  CHECK(got->username == unicode);
  CHECK(Store()->List()->at(server) == unicode);

  for (const std::string& bad : {std::string("ro\xff" "bot"), std::string("\xc3"), std::string("ro\0bot", 6),
                                 std::string(514, 'u')}) {
    Status status = Store()->Put({server, bad, "new"});
    CHECK(status.code() == Code::kInvalidInput);
    CHECK(status.message().rfind("Credential Manager: username: ", 0) == 0);
  }
  got = Store()->Get(server);
  REQUIRE(got.ok());
  CHECK(got->username == unicode);
  REQUIRE(Store()->Put({server, std::string(513, 'u'), "s"}).ok());
  CHECK(Store()->Get(server)->username == std::string(513, 'u'));
  REQUIRE(Store()->Erase(server).ok());
}

TEST_CASE("credential manager: docker-credential-wincred's items serve when we hold nothing", "[windows][credential_manager]") {
  const std::string server = Unique("wincred");
  const std::string secret("w\0i\xffn", 5);
  WriteWincred("https://" + server, "docker-user", secret);
  if (!VaultKeepsAttributes()) {  // the item lost its label: not Docker's
    CHECK(Store()->Get(server).status().IsNotFound());
    CHECK(Store()->List()->count(server) == 0);
    REQUIRE(Store()->Erase(server).ok());
    CHECK(Exists("https://" + server));
    Delete("https://" + server);
    return;
  }

  StatusOr<Credential> got = Store()->Get(server);
  REQUIRE(got.ok());
  CHECK(got->server == server);
  CHECK(got->username == "docker-user");
  CHECK(got->secret == secret);
  CHECK(Store()->List()->at(server) == "docker-user");

  SECTION("ours win over theirs") {
    REQUIRE(Store()->Put({server, "ours", "mine"}).ok());
    got = Store()->Get(server);
    REQUIRE(got.ok());
    CHECK(got->username == "ours");
    CHECK(got->secret == "mine");
    CHECK(Store()->List()->at(server) == "ours");
    CHECK(Exists("https://" + server));  // a store leaves theirs alone
  }
  SECTION("erase removes theirs too, under every spelling") {
    WriteWincred(server + ":443", "other-user", "x");
    REQUIRE(Store()->Erase(server).ok());
    CHECK_FALSE(Exists("https://" + server));
    CHECK_FALSE(Exists(server + ":443"));
    CHECK(Store()->Get(server).status().IsNotFound());
    CHECK(Store()->List()->count(server) == 0);
  }
  SECTION("of several spellings, get and list pick the same one") {
    WriteWincred(server, "by-key", "k");
    CHECK(Store()->Get(server)->username == "by-key");
    CHECK(Store()->List()->at(server) == "by-key");
  }
  REQUIRE(Store()->Erase(server).ok());
}

TEST_CASE("credential manager: items that are not wincred's for a key are left alone", "[windows][credential_manager]") {
  const std::string server = Unique("notours");
  // No label: someone else's credential under a registry URL.
  WriteWincred("https://" + server, "someone", "theirs", false);
  // Labelled, but a spelling no client sends; the vault matches target
  // names in any case, so a lookup of "https://<server>/" would find it.
  std::string upper = "HTTPS://" + server + "/";
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  WriteWincred(upper, "shouty", "odd");

  CHECK(Store()->Get(server).status().IsNotFound());
  CHECK(Store()->List()->count(server) == 0);
  REQUIRE(Store()->Erase(server).ok());
  CHECK(Exists("https://" + server));
  CHECK(Exists(upper));
  Delete("https://" + server);
  Delete(upper);
}

TEST_CASE("credential manager: our prefix is no registry URL and theirs is never ours", "[windows][credential_manager]") {
  // "docker-credential-upbound:<port>" is a registry key (host and port),
  // and its first legacy spelling is our target name for the key "<port>".
  const std::string port = std::to_string(10000 + GetCurrentProcessId() % 50000);
  const std::string key = "docker-credential-upbound:" + port;
  REQUIRE(Ours(port) == key);
  CHECK(Store()->Put({key, "robot", "for-the-odd-host"}).ok());
  // An item of ours for "<port>", as if stored by us.
  CREDENTIALW c{};
  std::wstring target = W(key);
  c.Type = CRED_TYPE_GENERIC;
  c.TargetName = target.data();
  c.Persist = CRED_PERSIST_LOCAL_MACHINE;
  REQUIRE(CredWriteW(&c, 0));
  CHECK(Store()->Get(key)->secret == "for-the-odd-host");
  REQUIRE(Store()->Erase(key).ok());
  CHECK(Store()->Get(key).status().IsNotFound());  // ours for "<port>" is not read as wincred's
  CHECK(Exists(key));

  // A wincred item whose URL falls under our prefix is never taken for ours.
  Delete(key);
  if (!VaultKeepsAttributes()) return;
  const std::string server = Unique("spoof");
  WriteWincred(Ours(server), "docker-user", "theirs");
  CHECK(Store()->Get(server).status().IsNotFound());
  CHECK(Store()->List()->count(server) == 0);
  REQUIRE(Store()->Erase(server).ok());
  CHECK(Exists(Ours(server)));
  Delete(Ours(server));
}

TEST_CASE("credential manager: list with thousands of items", "[windows][credential_manager]") {
  const int n = 2000;
  std::string base = "many-" + std::to_string(GetCurrentProcessId()) + "-";
  for (int i = 0; i < n; ++i) {
    std::string server = base + std::to_string(i) + ".example";
    if (i % 2 == 0 || !VaultKeepsAttributes()) {
      REQUIRE(Store()->Put({server, "user" + std::to_string(i), "secret"}).ok());
    } else {
      WriteWincred("https://" + server, "user" + std::to_string(i), "secret");
    }
  }
  StatusOr<std::map<std::string, std::string>> listed = Store()->List();
  REQUIRE(listed.ok());
  int found = 0;
  for (const auto& [server, username] : *listed) {
    if (server.rfind(base, 0) != 0) continue;
    ++found;
    std::string i = server.substr(base.size(), server.size() - base.size() - 8);
    CHECK(username == "user" + i);
  }
  CHECK(found == n);
  for (int i = 0; i < n; ++i) REQUIRE(Store()->Erase(base + std::to_string(i) + ".example").ok());
  listed = Store()->List();
  REQUIRE(listed.ok());
  for (const auto& entry : *listed) CHECK(entry.first.rfind(base, 0) != 0);
}

TEST_CASE("credential manager: errors are one line and say what to do", "[windows][credential_manager]") {
  Status session = win::CredentialManagerError("read", ERROR_NO_SUCH_LOGON_SESSION);
  CHECK(session.code() == Code::kUnavailable);
  CHECK(session.message().find("logon session") != std::string::npos);
  CHECK(session.message().find("UP_ROBOT_TOKEN") != std::string::npos);
  Status denied = win::CredentialManagerError("store", ERROR_ACCESS_DENIED);
  CHECK(denied.code() == Code::kUnavailable);
  CHECK(denied.message().rfind("Credential Manager: store: ", 0) == 0);
  CHECK(denied.message().find("(error 5)") != std::string::npos);
}

}  // namespace
}  // namespace dcu
