// A native D-Bus client of the Secret Service: reads, lists and deletes.
//
// `get` is on every pull's path: a few round trips to the provider, no GLib.
// Secrets travel with the "plain" session algorithm, as with most
// non-libsecret clients: the session bus is private to the user, and any
// process that could listen on it could read our memory too. Deleting needs
// no session and no collection, so `erase` is here too; storing goes through
// libsecret (libsecret_store.cpp).
//
// Call order, for the provider's sake: the first call is always a lone
// ReadAlias, answered before anything else is sent. gnome-keyring 42
// registers a client in an idle callback its message filter queues, and a
// call it serves before that fails (SearchItems: "not implemented") or, for
// OpenSession, aborts the daemon (seen under 32 concurrent gets).
// OpenSession goes out only when a secret is to be read: an unknown
// registry costs no session at all.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "helper/system/secret_store.h"
#include "platform/secret_service/dbus_connection.h"

namespace dcu {

// Same contracts as SecretStore::Get, List and Erase, including the
// fallback to docker-credential-secretservice's items (keyring_common.h,
// LegacyServerSpellings): Get and Erase search our item and those
// spellings, never every item of that helper; List pages through them.
StatusOr<Credential> ReadSecretServiceCredential(dbus::Bus& bus, const std::string& server);
// List calls next_page, when set, before each page of items it describes.
StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(
    dbus::Bus& bus, const std::function<void()>& next_page = {});
Status EraseSecretServiceCredential(dbus::Bus& bus, const std::string& server);

// The same on a new connection to the session bus, within
// options.timeout_seconds (List: per page of items, see the .cpp).
StatusOr<Credential> ReadSecretServiceCredential(const std::string& server, const SecretStoreOptions& options);
StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(const SecretStoreOptions& options);
Status EraseSecretServiceCredential(const std::string& server, const SecretStoreOptions& options);

}  // namespace dcu
