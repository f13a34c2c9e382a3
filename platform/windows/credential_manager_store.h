// The Windows Credential Manager backend of SecretStore (helper/system/
// secret_store.h): what its items look like, for its tests and for people
// reading the vault (cmdkey /list:docker-credential-upbound:*).
//
// Ours: a generic credential per server, TargetName kTargetPrefix + the
// canonical key, UserName the username, CredentialBlob the secret bytes,
// persisted CRED_PERSIST_LOCAL_MACHINE (this user on this machine; not
// ENTERPRISE, which roams with the profile to other machines).
//
// docker-credential-wincred's: a generic credential whose TargetName is the
// server URL as its client sent it, carrying the attribute "label" =
// kDockerLabel. They are read when we hold nothing for a server, listed,
// and erased with ours, for the spellings of helper/docker/legacy_keys.h.
// An item under our prefix is never one of theirs, and an item carrying
// their label is never ours, so neither can stand in for the other.
#pragma once

#include <windows.h>
#include <wincred.h>

#include <cstddef>
#include <string>

#include "helper/base/status.h"

namespace dcu::win {

inline constexpr wchar_t kTargetPrefix[] = L"docker-credential-upbound:";
// credentials.CredsLabel of docker-credential-helpers, in attribute "label".
inline constexpr char kDockerLabelKeyword[] = "label";
inline constexpr char kDockerLabel[] = "Docker Credentials";

// The Windows SDK's CRED_MAX_CREDENTIAL_BLOB_SIZE (5 * 512 since Windows
// Vista); mingw-w64's wincred.h still says 512, the XP value. Windows
// refuses a larger blob (docker-credential-wincred users see "stub
// received bad data"); wine accepts any size, so the limit is ours to keep.
inline constexpr std::size_t kMaxSecretBytes = 5 * 512;

// The registry key an item of ours stands for, or "" when it is none of
// ours: a generic credential under our prefix (in any case, as the vault
// compares target names) without Docker's label, whose rest is a key that
// reads it back.
std::string OurItemKey(const CREDENTIALW& cred);

// The registry key an item of docker-credential-wincred stands for, or "":
// a generic credential with Docker's label, not under our prefix, whose
// target is one of LegacyServerSpellings exactly.
std::string WincredItemKey(const CREDENTIALW& cred);

// A Cred* failure (GetLastError() code) during op ("read", "store", ...)
// as one line; ERROR_NOT_FOUND is the caller's to handle.
Status CredentialManagerError(const std::string& op, DWORD code);

}  // namespace dcu::win
