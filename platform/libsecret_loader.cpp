#include "platform/libsecret_loader.h"

#include <dlfcn.h>

namespace dcu {
namespace {

template <typename F>
bool Resolve(void* handle, const char* name, F* slot, std::string* missing) {
  *slot = reinterpret_cast<F>(dlsym(handle, name));
  if (*slot == nullptr && missing->empty()) *missing = name;
  return *slot != nullptr;
}

bool ResolveAll(void* handle, LibSecret* lib, std::string* missing) {
  // dlsym on libsecret's handle also finds GLib and GIO, its dependencies.
  Resolve(handle, "secret_service_get_sync", &lib->service_get_sync, missing);
  Resolve(handle, "secret_service_search_sync", &lib->service_search_sync, missing);
  Resolve(handle, "secret_service_store_sync", &lib->service_store_sync, missing);
  Resolve(handle, "secret_collection_for_alias_sync", &lib->collection_for_alias_sync, missing);
  Resolve(handle, "secret_collection_get_locked", &lib->collection_get_locked, missing);
  Resolve(handle, "secret_item_get_locked", &lib->item_get_locked, missing);
  Resolve(handle, "secret_item_get_attributes", &lib->item_get_attributes, missing);
  Resolve(handle, "secret_item_delete_sync", &lib->item_delete_sync, missing);
  Resolve(handle, "secret_value_new", &lib->value_new, missing);
  Resolve(handle, "secret_value_unref", &lib->value_unref, missing);
  Resolve(handle, "g_hash_table_new", &lib->hash_table_new, missing);
  Resolve(handle, "g_hash_table_insert", &lib->hash_table_insert, missing);
  Resolve(handle, "g_hash_table_lookup", &lib->hash_table_lookup, missing);
  Resolve(handle, "g_hash_table_unref", &lib->hash_table_unref, missing);
  Resolve(handle, "g_str_hash", &lib->str_hash, missing);
  Resolve(handle, "g_str_equal", &lib->str_equal, missing);
  Resolve(handle, "g_list_free_full", &lib->list_free_full, missing);
  Resolve(handle, "g_object_unref", &lib->object_unref, missing);
  Resolve(handle, "g_error_free", &lib->error_free, missing);
  Resolve(handle, "g_cancellable_new", &lib->cancellable_new, missing);
  Resolve(handle, "g_cancellable_cancel", &lib->cancellable_cancel, missing);
  Resolve(handle, "g_io_error_quark", &lib->io_error_quark, missing);
  Resolve(handle, "g_dbus_error_quark", &lib->dbus_error_quark, missing);
  Resolve(handle, "g_dbus_proxy_set_default_timeout", &lib->dbus_proxy_set_default_timeout,
          missing);
  return missing->empty();
}

}  // namespace

const LibSecret* LoadLibSecret(std::string* error) {
  static LibSecret lib;
  static const LibSecret* loaded = nullptr;
  static std::string load_error;
  static bool tried = false;
  if (!tried) {
    tried = true;
    void* handle = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      load_error = "cannot load libsecret-1.so.0 (install libsecret-1-0): " + std::string(dlerror());
    } else {
      std::string missing;
      if (ResolveAll(handle, &lib, &missing)) {
        loaded = &lib;
      } else {
        load_error = "libsecret-1.so.0 lacks " + missing;
      }
    }
  }
  if (loaded == nullptr) *error = load_error;
  return loaded;
}

}  // namespace dcu
