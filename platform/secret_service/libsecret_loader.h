// libsecret, loaded with dlopen on first use.
//
// A warm `get` that answers from the cache must not pay for loading
// libsecret, GIO and GLib (about 19 shared libraries, 6 ms here), so the
// binary does not link them; like Chromium's LibsecretLoader, it resolves
// the few functions it uses when the keyring is first needed. The headers
// are used for types only.
#pragma once

#include <libsecret/secret.h>

#include <string>

namespace dcu {

struct LibSecret {
  decltype(&::secret_service_get_sync) service_get_sync;
  decltype(&::secret_service_search_sync) service_search_sync;
  decltype(&::secret_service_store_sync) service_store_sync;
  decltype(&::secret_collection_for_alias_sync) collection_for_alias_sync;
  decltype(&::secret_collection_get_locked) collection_get_locked;
  decltype(&::secret_item_get_locked) item_get_locked;
  decltype(&::secret_item_get_attributes) item_get_attributes;
  decltype(&::secret_item_delete_sync) item_delete_sync;
  decltype(&::secret_item_set_attributes_sync) item_set_attributes_sync;
  decltype(&::secret_value_new) value_new;
  decltype(&::secret_value_unref) value_unref;

  decltype(&::g_hash_table_new) hash_table_new;
  decltype(&::g_hash_table_insert) hash_table_insert;
  decltype(&::g_hash_table_lookup) hash_table_lookup;
  decltype(&::g_hash_table_unref) hash_table_unref;
  decltype(&::g_str_hash) str_hash;
  decltype(&::g_str_equal) str_equal;
  decltype(&::g_list_free_full) list_free_full;
  decltype(&::g_object_unref) object_unref;
  decltype(&::g_error_free) error_free;
  decltype(&::g_cancellable_new) cancellable_new;
  decltype(&::g_cancellable_cancel) cancellable_cancel;
  decltype(&::g_io_error_quark) io_error_quark;
  decltype(&::g_dbus_error_quark) dbus_error_quark;
  decltype(&::g_dbus_proxy_set_default_timeout) dbus_proxy_set_default_timeout;
};

// The loaded library, or nullptr with *error set to a one-line reason.
// Loads once per process; later calls return the same table.
const LibSecret* LoadLibSecret(std::string* error);

}  // namespace dcu
