#include "platform/secret_service/libsecret_loader.h"

#include "platform/posix/shared_library.h"

namespace dcu {
namespace {

LoadedLibrary<LibSecret> Load() {
  LoadedLibrary<LibSecret> out;
  SharedLibrary so("libsecret-1.so.0", "libsecret-1-0");
  LibSecret& lib = out.functions;
  // Lookups on libsecret's handle also find GLib and GIO, its dependencies.
  so.Resolve("secret_service_get_sync", &lib.service_get_sync);
  so.Resolve("secret_service_search_sync", &lib.service_search_sync);
  so.Resolve("secret_service_store_sync", &lib.service_store_sync);
  so.Resolve("secret_collection_for_alias_sync", &lib.collection_for_alias_sync);
  so.Resolve("secret_collection_get_locked", &lib.collection_get_locked);
  so.Resolve("secret_item_get_locked", &lib.item_get_locked);
  so.Resolve("secret_item_get_attributes", &lib.item_get_attributes);
  so.Resolve("secret_item_delete_sync", &lib.item_delete_sync);
  so.Resolve("secret_item_set_attributes_sync", &lib.item_set_attributes_sync);
  so.Resolve("secret_value_new", &lib.value_new);
  so.Resolve("secret_value_unref", &lib.value_unref);
  so.Resolve("g_hash_table_new", &lib.hash_table_new);
  so.Resolve("g_hash_table_insert", &lib.hash_table_insert);
  so.Resolve("g_hash_table_lookup", &lib.hash_table_lookup);
  so.Resolve("g_hash_table_unref", &lib.hash_table_unref);
  so.Resolve("g_str_hash", &lib.str_hash);
  so.Resolve("g_str_equal", &lib.str_equal);
  so.Resolve("g_list_free_full", &lib.list_free_full);
  so.Resolve("g_object_unref", &lib.object_unref);
  so.Resolve("g_error_free", &lib.error_free);
  so.Resolve("g_cancellable_new", &lib.cancellable_new);
  so.Resolve("g_cancellable_cancel", &lib.cancellable_cancel);
  so.Resolve("g_io_error_quark", &lib.io_error_quark);
  so.Resolve("g_dbus_error_quark", &lib.dbus_error_quark);
  so.Resolve("g_dbus_proxy_set_default_timeout", &lib.dbus_proxy_set_default_timeout);
  out.error = so.error();
  return out;
}

}  // namespace

const LibSecret* LoadLibSecret(std::string* error) {
  static const LoadedLibrary<LibSecret> loaded = Load();
  return loaded.Get(error);
}

}  // namespace dcu
