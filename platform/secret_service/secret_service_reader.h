// Reads credentials from the Secret Service with a native D-Bus client.
//
// This is the keyring `get` on every pull's path: two round trips to the
// provider, no GLib. Secrets travel with the "plain" session algorithm, as
// with most non-libsecret clients: the session bus is private to the user,
// and any process that could listen on it could read our memory too.
#pragma once

#include <map>
#include <string>

#include "helper/system/secret_store.h"

namespace dcu {

// Same contracts as SecretStore::Get and SecretStore::List, including the
// fallback to docker-credential-secretservice's items.
StatusOr<Credential> ReadSecretServiceCredential(const std::string& server, const SecretStoreOptions& options);
StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(const SecretStoreOptions& options);

}  // namespace dcu
