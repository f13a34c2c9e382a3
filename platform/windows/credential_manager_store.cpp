// The Credential Manager backend (credential_manager_store.h says what the
// items look like). Every call is local to this user's vault, so there is
// no connection to make and nothing to time out: timeout_seconds is unused.
//
// Target names are case-insensitive in the Credential Manager: CredReadW
// of a spelling finds an item stored under another case of it. The item's
// own TargetName is what is checked against legacy_keys.h, so get, list and
// erase agree on which items they see.

#include "platform/windows/credential_manager_store.h"

#include <windows.h>
#include <wincred.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "helper/base/wipe.h"
#include "helper/docker/legacy_keys.h"
#include "helper/system/secret_store.h"
#include "platform/windows/wide.h"

namespace dcu {
namespace {

using win::CredentialManagerError;
using win::ErrorText;
using win::Narrow;
using win::OurItemKey;
using win::WincredItemKey;
using win::Wide;

// Owns what CredReadW returns; the secret in it is wiped before CredFree.
struct ReadCredential {
  PCREDENTIALW cred = nullptr;
  ReadCredential() = default;
  ReadCredential(const ReadCredential&) = delete;
  ReadCredential& operator=(const ReadCredential&) = delete;
  ~ReadCredential() {
    if (cred == nullptr) return;
    if (cred->CredentialBlob != nullptr) WipeBytes(cred->CredentialBlob, cred->CredentialBlobSize);
    CredFree(cred);
  }
};

// Owns what CredEnumerateW returns, wiped the same way.
struct Enumerated {
  PCREDENTIALW* creds = nullptr;
  DWORD count = 0;
  Enumerated() = default;
  Enumerated(const Enumerated&) = delete;
  Enumerated& operator=(const Enumerated&) = delete;
  ~Enumerated() {
    if (creds == nullptr) return;
    for (DWORD i = 0; i < count; ++i) {
      PCREDENTIALW cred = creds[i];
      if (cred->CredentialBlob != nullptr) WipeBytes(cred->CredentialBlob, cred->CredentialBlobSize);
    }
    CredFree(creds);
  }
};

std::string TargetOf(const CREDENTIALW& cred) {
  return cred.TargetName != nullptr ? Narrow(cred.TargetName, wcslen(cred.TargetName)) : std::string();
}

bool AsciiEqualFold(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const std::string& Prefix() {
  static const std::string prefix = Narrow(win::kTargetPrefix);
  return prefix;
}

// Under our prefix, in any case (the vault compares target names so).
bool UnderOurPrefix(const std::string& target) {
  return target.size() >= Prefix().size() && AsciiEqualFold(target.substr(0, Prefix().size()), Prefix());
}

bool HasDockerLabel(const CREDENTIALW& cred) {
  const std::size_t label_size = sizeof(win::kDockerLabel) - 1;
  for (DWORD i = 0; i < cred.AttributeCount; ++i) {
    const CREDENTIAL_ATTRIBUTEW& attribute = cred.Attributes[i];
    if (attribute.Keyword == nullptr) continue;
    if (Narrow(attribute.Keyword, wcslen(attribute.Keyword)) != win::kDockerLabelKeyword) continue;
    if (attribute.ValueSize == label_size && std::memcmp(attribute.Value, win::kDockerLabel, label_size) == 0) {
      return true;
    }
  }
  return false;
}

StatusOr<std::wstring> OurTarget(const std::string& server) {
  StatusOr<std::wstring> key = Wide(server, "Credential Manager: server");
  if (!key.ok()) return key.status();
  std::wstring target = std::wstring(win::kTargetPrefix) + *key;
  if (target.size() > CRED_MAX_GENERIC_TARGET_NAME_LENGTH) {
    return Status::InvalidInput("Credential Manager: server: too long for a target name");
  }
  return target;
}

// Reads target's generic credential; leaves out->cred null when there is none.
Status Read(const std::wstring& target, ReadCredential* out) {
  if (CredReadW(target.c_str(), CRED_TYPE_GENERIC, 0, &out->cred)) return Status::Ok();
  DWORD code = GetLastError();
  out->cred = nullptr;
  if (code == ERROR_NOT_FOUND) return Status::Ok();
  return CredentialManagerError("read", code);
}

// The item get reads for server: ours, else docker-credential-wincred's
// under the first spelling that has one; out->cred stays null when there is
// none. With all_targets, also the target of every item for server (ours
// and wincred's), for erase.
Status Find(const std::string& server, ReadCredential* out, std::vector<std::wstring>* all_targets) {
  StatusOr<std::wstring> target = OurTarget(server);
  if (!target.ok()) return target.status();
  {
    ReadCredential ours;
    Status status = Read(*target, &ours);
    if (!status.ok()) return status;
    if (ours.cred != nullptr && OurItemKey(*ours.cred) == server) {
      if (all_targets != nullptr) all_targets->push_back(ours.cred->TargetName);
      std::swap(out->cred, ours.cred);
      if (all_targets == nullptr) return Status::Ok();
    }
  }
  for (const std::string& spelling : LegacyServerSpellings(server)) {
    if (UnderOurPrefix(spelling)) continue;
    StatusOr<std::wstring> wide = Wide(spelling, "Credential Manager: server");
    if (!wide.ok()) return wide.status();
    ReadCredential legacy;
    Status status = Read(*wide, &legacy);
    if (!status.ok()) return status;
    if (legacy.cred == nullptr || WincredItemKey(*legacy.cred) != server) continue;
    if (all_targets != nullptr) all_targets->push_back(legacy.cred->TargetName);
    if (out->cred == nullptr) std::swap(out->cred, legacy.cred);
    if (all_targets == nullptr) return Status::Ok();
  }
  return Status::Ok();
}

std::string UserNameOf(const CREDENTIALW& cred) {
  return cred.UserName != nullptr ? Narrow(cred.UserName, wcslen(cred.UserName)) : std::string();
}

class CredentialManagerStore : public SecretStore {
 public:
  StatusOr<Credential> Get(const std::string& server) override {
    ReadCredential found;
    Status status = Find(server, &found, nullptr);
    if (!status.ok()) return status;
    if (found.cred == nullptr) return Status::NotFound("Credential Manager: nothing stored for " + server);
    Credential cred;
    cred.server = server;
    cred.username = UserNameOf(*found.cred);
    const CREDENTIALW& item = *found.cred;
    cred.secret.assign(reinterpret_cast<const char*>(item.CredentialBlob), item.CredentialBlobSize);
    return cred;
  }

  Status Put(const Credential& cred) override {
    // Everything is checked before the one write, which replaces any item
    // under the target (another username's too) in place.
    if (cred.secret.size() > win::kMaxSecretBytes) {
      return Status::InvalidInput("Credential Manager: the secret is " + std::to_string(cred.secret.size()) +
                                  " bytes; Windows keeps at most " + std::to_string(win::kMaxSecretBytes) +
                                  " bytes per credential, so nothing was stored");
    }
    if (cred.username.find('\0') != std::string::npos) {
      return Status::InvalidInput("Credential Manager: username: contains a NUL character");
    }
    StatusOr<std::wstring> username = Wide(cred.username, "Credential Manager: username");
    if (!username.ok()) return username.status();
    if (username->size() > CRED_MAX_USERNAME_LENGTH) {
      return Status::InvalidInput("Credential Manager: username: longer than the " +
                                  std::to_string(CRED_MAX_USERNAME_LENGTH) + " characters Windows allows");
    }
    StatusOr<std::wstring> target = OurTarget(cred.server);
    if (!target.ok()) return target.status();

    CREDENTIALW c{};
    c.Type = CRED_TYPE_GENERIC;
    c.TargetName = target->data();
    c.UserName = username->data();
    c.Persist = CRED_PERSIST_LOCAL_MACHINE;
    c.CredentialBlobSize = static_cast<DWORD>(cred.secret.size());
    // The caller's bytes, read in place: no copy of the secret to wipe.
    c.CredentialBlob = cred.secret.empty() ? nullptr
                                           : reinterpret_cast<LPBYTE>(const_cast<char*>(cred.secret.data()));
    if (!CredWriteW(&c, 0)) return CredentialManagerError("store", GetLastError());
    return Status::Ok();
  }

  // Ours and docker-credential-wincred's for server, as on Linux: after an
  // erase no get finds anything. Every lookup runs before any delete.
  Status Erase(const std::string& server) override {
    ReadCredential found;
    std::vector<std::wstring> targets;
    Status status = Find(server, &found, &targets);
    if (!status.ok()) return status;
    for (const std::wstring& target : targets) {
      if (CredDeleteW(target.c_str(), CRED_TYPE_GENERIC, 0)) continue;
      DWORD code = GetLastError();
      if (code != ERROR_NOT_FOUND) return CredentialManagerError("erase", code);
    }
    return Status::Ok();
  }

  // One pass over the vault: docker-credential-wincred's items can be told
  // only by an attribute, which no filter selects, so a filtered pass for
  // ours would only read the same items again.
  StatusOr<std::map<std::string, std::string>> List() override {
    Enumerated all;
    if (!CredEnumerateW(nullptr, 0, &all.count, &all.creds)) {
      DWORD code = GetLastError();
      all.creds = nullptr;
      if (code == ERROR_NOT_FOUND) return std::map<std::string, std::string>();
      return CredentialManagerError("list", code);
    }
    std::map<std::string, std::string> entries;
    // Of several wincred items for a key, the one get reads: the first in
    // LegacyServerSpellings' order.
    std::map<std::string, std::pair<std::size_t, std::string>> legacy;
    for (DWORD i = 0; i < all.count; ++i) {
      const CREDENTIALW& cred = *all.creds[i];
      if (std::string key = OurItemKey(cred); !key.empty()) {
        entries[key] = UserNameOf(cred);
      } else if (std::string old = WincredItemKey(cred); !old.empty()) {
        std::vector<std::string> spellings = LegacyServerSpellings(old);
        std::size_t rank = static_cast<std::size_t>(
            std::find(spellings.begin(), spellings.end(), TargetOf(cred)) - spellings.begin());
        auto it = legacy.find(old);
        if (it == legacy.end() || rank < it->second.first) legacy[old] = {rank, UserNameOf(cred)};
      }
    }
    for (const auto& [key, ranked] : legacy) entries.emplace(key, ranked.second);  // ours win
    return entries;
  }
};

}  // namespace

std::string win::OurItemKey(const CREDENTIALW& cred) {
  if (cred.Type != CRED_TYPE_GENERIC || HasDockerLabel(cred)) return "";
  std::string target = TargetOf(cred);
  if (!UnderOurPrefix(target)) return "";
  std::string rest = target.substr(Prefix().size());
  std::string key = ItemKey(rest);
  return AsciiEqualFold(key, rest) ? key : std::string();
}

std::string win::WincredItemKey(const CREDENTIALW& cred) {
  if (cred.Type != CRED_TYPE_GENERIC || !HasDockerLabel(cred)) return "";
  std::string target = TargetOf(cred);
  if (UnderOurPrefix(target)) return "";
  return LegacyItemKey(target);
}

Status win::CredentialManagerError(const std::string& op, DWORD code) {
  if (code == ERROR_NO_SUCH_LOGON_SESSION) {
    return Status::Unavailable(
        "Credential Manager: not available in this logon session (a service, or a network logon "
        "without a loaded user profile); run as a user who logged on interactively, or give the "
        "robot token in UP_ROBOT_TOKEN or UP_ROBOT_TOKEN_FILE");
  }
  return Status::Unavailable("Credential Manager: " + op + ": " + ErrorText(code));
}

std::unique_ptr<SecretStore> NewSystemSecretStore(const SecretStoreOptions&) {
  return std::make_unique<CredentialManagerStore>();
}

}  // namespace dcu
