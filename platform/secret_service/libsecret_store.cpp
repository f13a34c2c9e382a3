// The Secret Service backend (gnome-keyring, KeePassXC, ...).
//
// Items use the schema io.upbound.Credentials with the canonical server key
// and the username as attributes; the secret is the only payload. When we
// hold nothing for a server, items of docker-credential-secretservice
// (io.docker.Credentials) are read too, so that switching helpers needs no
// new login. Nothing here ever prompts: a locked collection is reported.
//
// Writes go through libsecret, loaded on first use, which handles
// collections, replacement and encrypted transfer. Reads, on every pull's
// path, lists and erases go through the small native client in
// secret_service_reader.cpp.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "helper/base/wipe.h"
#include "platform/secret_service/dbus_connection.h"
#include "platform/secret_service/keyring_common.h"
#include "platform/secret_service/libsecret_loader.h"
#include "platform/secret_service/secret_service_reader.h"
#include "helper/system/secret_store.h"

namespace dcu {
namespace {

SecretSchema MakeSchema(const char* name, std::initializer_list<const char*> attributes) {
  SecretSchema schema{};
  schema.name = name;
  schema.flags = SECRET_SCHEMA_NONE;
  int i = 0;
  for (const char* attribute : attributes) {
    schema.attributes[i].name = attribute;
    schema.attributes[i].type = SECRET_SCHEMA_ATTRIBUTE_STRING;
    ++i;
  }
  return schema;
}

const SecretSchema kSchema = MakeSchema(keyring::kSchemaName, {"server", "username"});
const SecretSchema kDockerSchema =
    MakeSchema(keyring::kDockerSchemaName, {"label", "server", "username", "docker_cli"});

// Cancels a GCancellable when the deadline passes. libsecret's sync calls
// honour the cancellable, so this bounds every D-Bus call of an operation.
class Watchdog {
 public:
  Watchdog(const LibSecret* lib, GCancellable* cancellable, int seconds)
      : thread_([this, lib, cancellable, seconds] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (!cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
            fired_ = true;
            lib->cancellable_cancel(cancellable);
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mutex_);
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// Owns the GList of SecretItem* a search returns.
struct ItemList {
  const LibSecret* lib;
  GList* list = nullptr;
  ~ItemList() {
    if (list != nullptr) lib->list_free_full(list, lib->object_unref);
  }
};

std::string Attribute(const LibSecret* lib, SecretItem* item, const char* name) {
  GHashTable* attributes = lib->item_get_attributes(item);
  if (attributes == nullptr) return "";
  const char* value = static_cast<const char*>(lib->hash_table_lookup(attributes, name));
  std::string out = value != nullptr ? value : "";
  lib->hash_table_unref(attributes);
  return out;
}

class LibsecretStore : public SecretStore {
 public:
  explicit LibsecretStore(const SecretStoreOptions& options) : options_(options) {}
  ~LibsecretStore() override {
    if (service_ != nullptr) lib_->object_unref(service_);
  }

  StatusOr<Credential> Get(const std::string& server) override {
    return ReadSecretServiceCredential(server, options_);
  }

  Status Put(const Credential& cred) override {
    Operation op(this);
    if (!op.status.ok()) return op.status;
    Status status = CheckDefaultCollectionUnlocked(op);
    if (!status.ok()) return status;

    // Another username's item is replaced in steps (keyring_common.h,
    // kSupersededAttribute): leftovers of a store killed midway go first
    // (this runs under the server's lock, so none is in progress), then
    // the other usernames' items are marked, the new one written, and the
    // marked ones removed.
    ItemList before{lib_};
    status = Search(op, &kSchema, {{"server", cred.server}}, &before);
    if (!status.ok()) return status;
    status = RemoveSuperseded(op, before, false);
    if (!status.ok()) return status;
    for (GList* l = before.list; l != nullptr; l = l->next) {
      SecretItem* item = static_cast<SecretItem*>(l->data);
      if (Attribute(lib_, item, "username") == cred.username || Superseded(item)) continue;
      status = MarkSuperseded(op, item, cred.server);
      if (!status.ok()) return status;
    }

    GHashTable* attributes = NewAttributes({{"server", cred.server}, {"username", cred.username}});
    SecretValue* value = lib_->value_new(cred.secret.data(), static_cast<gssize>(cred.secret.size()),
                                         "text/plain");
    std::string label = "Registry credentials for " + cred.server + " (docker-credential-upbound)";
    GError* error = nullptr;
    // Same attributes replace the item in place (CreateItem with replace).
    lib_->service_store_sync(service_, &kSchema, attributes, nullptr, label.c_str(), value,
                             op.cancellable, &error);
    lib_->value_unref(value);
    lib_->hash_table_unref(attributes);
    if (error != nullptr) return FromGError(op, "store", error);

    // Another username for the same server leaves an item of its own: remove it.
    ItemList ours{lib_};
    status = Search(op, &kSchema, {{"server", cred.server}}, &ours);
    if (!status.ok()) return status;
    return RemoveSuperseded(op, ours, true, cred.username);
  }

  // Deleting needs neither sessions nor collections: the native client
  // does it, searching only the spellings that can be ours.
  Status Erase(const std::string& server) override {
    return EraseSecretServiceCredential(server, options_);
  }

  StatusOr<std::map<std::string, std::string>> List() override {
    return ListSecretServiceCredentials(options_);
  }

 private:
  // One operation's cancellable and deadline, and the connection it needs.
  struct Operation {
    explicit Operation(LibsecretStore* store);
    ~Operation() {
      watchdog.reset();
      if (cancellable != nullptr) store->lib_->object_unref(cancellable);
    }
    LibsecretStore* store;
    GCancellable* cancellable = nullptr;
    std::unique_ptr<Watchdog> watchdog;
    Status status;
  };

  Status Connect(Operation& op);
  Status Search(Operation& op, const SecretSchema* schema,
                std::initializer_list<std::pair<const char*, std::string>> attributes,
                ItemList* out);
  Status DeleteItem(Operation& op, SecretItem* item);
  bool Superseded(SecretItem* item) { return Attribute(lib_, item, keyring::kSupersededAttribute) == "1"; }
  Status MarkSuperseded(Operation& op, SecretItem* item, const std::string& server);
  // Deletes the marked items among items, when an unmarked one remains;
  // with all_but, every item but an unmarked one of username all_but.
  Status RemoveSuperseded(Operation& op, const ItemList& items, bool all_but, const std::string& username = "");
  Status CheckDefaultCollectionUnlocked(Operation& op);
  GHashTable* NewAttributes(std::initializer_list<std::pair<const char*, std::string>> attributes);
  Status FromGError(Operation& op, const std::string& context, GError* error);

  const LibSecret* lib_ = nullptr;
  SecretService* service_ = nullptr;
  std::vector<std::string> attribute_values_;  // keeps NewAttributes' strings alive
  SecretStoreOptions options_;
};


LibsecretStore::Operation::Operation(LibsecretStore* owner) : store(owner) {
  std::string error;
  if (store->lib_ == nullptr) store->lib_ = LoadLibSecret(&error);
  if (store->lib_ == nullptr) {
    status = Status::Unavailable("keyring: " + error);
    return;
  }
  cancellable = store->lib_->cancellable_new();
  watchdog = std::make_unique<Watchdog>(store->lib_, cancellable, store->options_.timeout_seconds);
  status = store->Connect(*this);
}

Status LibsecretStore::Connect(Operation& op) {
  if (service_ != nullptr) return Status::Ok();
  // Without an address GLib would try to autolaunch a bus through X11; say
  // plainly that there is none instead.
  StatusOr<std::string> address = dbus::SessionBusAddress(options_);
  if (!address.ok()) return address.status();
  GError* error = nullptr;
  service_ = lib_->service_get_sync(SECRET_SERVICE_NONE, op.cancellable, &error);
  if (error != nullptr) return FromGError(op, "connecting to the session bus", error);
  lib_->dbus_proxy_set_default_timeout(reinterpret_cast<GDBusProxy*>(service_),
                                       options_.timeout_seconds * 1000);
  return Status::Ok();
}

GHashTable* LibsecretStore::NewAttributes(
    std::initializer_list<std::pair<const char*, std::string>> attributes) {
  GHashTable* table = lib_->hash_table_new(lib_->str_hash, lib_->str_equal);
  attribute_values_.reserve(attribute_values_.size() + attributes.size());
  for (const auto& attribute : attributes) {
    attribute_values_.push_back(attribute.second);
    lib_->hash_table_insert(table, const_cast<char*>(attribute.first),
                            const_cast<char*>(attribute_values_.back().c_str()));
  }
  return table;
}

Status LibsecretStore::Search(Operation& op, const SecretSchema* schema,
                              std::initializer_list<std::pair<const char*, std::string>> attributes,
                              ItemList* out) {
  attribute_values_.clear();
  GHashTable* table = NewAttributes(attributes);
  // Never SECRET_SEARCH_UNLOCK: that would prompt, which hangs without a desktop.
  int flags = SECRET_SEARCH_ALL;
  GError* error = nullptr;
  out->list = lib_->service_search_sync(service_, schema, table, static_cast<SecretSearchFlags>(flags),
                                        op.cancellable, &error);
  lib_->hash_table_unref(table);
  if (error != nullptr) return FromGError(op, "search", error);
  return Status::Ok();
}

Status LibsecretStore::DeleteItem(Operation& op, SecretItem* item) {
  if (lib_->item_get_locked(item)) return keyring::LockedError("the collection holding the credential");
  GError* error = nullptr;
  lib_->item_delete_sync(item, op.cancellable, &error);
  if (error != nullptr) return FromGError(op, "delete", error);
  return Status::Ok();
}

Status LibsecretStore::MarkSuperseded(Operation& op, SecretItem* item, const std::string& server) {
  if (lib_->item_get_locked(item)) return keyring::LockedError("the collection holding the credential");
  attribute_values_.clear();
  // No schema: libsecret would refuse an attribute the schema lacks, so
  // xdg:schema is given as the item has it.
  GHashTable* attributes = NewAttributes({{"xdg:schema", keyring::kSchemaName},
                                          {"server", server},
                                          {"username", Attribute(lib_, item, "username")},
                                          {keyring::kSupersededAttribute, "1"}});
  GError* error = nullptr;
  lib_->item_set_attributes_sync(item, nullptr, attributes, op.cancellable, &error);
  lib_->hash_table_unref(attributes);
  if (error != nullptr) return FromGError(op, "store", error);
  return Status::Ok();
}

Status LibsecretStore::RemoveSuperseded(Operation& op, const ItemList& items, bool all_but,
                                        const std::string& username) {
  bool unmarked = false;
  for (GList* l = items.list; l != nullptr; l = l->next) {
    SecretItem* item = static_cast<SecretItem*>(l->data);
    if (!Superseded(item) && (!all_but || Attribute(lib_, item, "username") == username)) unmarked = true;
  }
  if (!unmarked) return Status::Ok();  // the marked item is all there is: it serves
  for (GList* l = items.list; l != nullptr; l = l->next) {
    SecretItem* item = static_cast<SecretItem*>(l->data);
    bool keep = !Superseded(item) && (!all_but || Attribute(lib_, item, "username") == username);
    if (keep) continue;
    Status status = DeleteItem(op, item);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status LibsecretStore::CheckDefaultCollectionUnlocked(Operation& op) {
  GError* error = nullptr;
  SecretCollection* collection = lib_->collection_for_alias_sync(
      service_, "default", SECRET_COLLECTION_NONE, op.cancellable, &error);
  if (error != nullptr) return FromGError(op, "finding the default collection", error);
  if (collection == nullptr) {
    return Status::Unavailable(
        "keyring: the Secret Service has no default collection to store in; create one (for "
        "example with seahorse)");
  }
  bool locked = lib_->collection_get_locked(collection);
  lib_->object_unref(collection);
  if (locked) return keyring::LockedError("the default collection");
  return Status::Ok();
}

Status LibsecretStore::FromGError(Operation& op, const std::string& context, GError* error) {
  std::string message = error->message != nullptr ? error->message : "unknown error";
  bool io_error = error->domain == lib_->io_error_quark();
  lib_->error_free(error);
  if (op.watchdog->fired()) return keyring::TimeoutError(context, options_.timeout_seconds);
  if (io_error && service_ == nullptr) {
    return Status::Unavailable("keyring: cannot connect to the D-Bus session bus: " + message);
  }
  return keyring::FromDBusError(context, message);
}

}  // namespace

std::unique_ptr<SecretStore> NewSystemSecretStore(const SecretStoreOptions& options) {
  return std::make_unique<LibsecretStore>(options);
}

}  // namespace dcu
