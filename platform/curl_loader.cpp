#include "platform/curl_loader.h"

#include <dlfcn.h>

namespace dcu {
namespace {

template <typename F>
void Resolve(void* handle, const char* name, F* slot, std::string* missing) {
  *slot = reinterpret_cast<F>(dlsym(handle, name));
  if (*slot == nullptr && missing->empty()) *missing = name;
}

bool ResolveAll(void* handle, LibCurl* lib, std::string* missing) {
  Resolve(handle, "curl_global_init", &lib->global_init, missing);
  Resolve(handle, "curl_easy_init", &lib->easy_init, missing);
  Resolve(handle, "curl_easy_setopt", &lib->easy_setopt, missing);
  Resolve(handle, "curl_easy_perform", &lib->easy_perform, missing);
  Resolve(handle, "curl_easy_getinfo", &lib->easy_getinfo, missing);
  Resolve(handle, "curl_easy_cleanup", &lib->easy_cleanup, missing);
  Resolve(handle, "curl_easy_strerror", &lib->easy_strerror, missing);
  Resolve(handle, "curl_slist_append", &lib->slist_append, missing);
  Resolve(handle, "curl_slist_free_all", &lib->slist_free_all, missing);
  return missing->empty();
}

struct Loaded {
  LibCurl lib{};
  bool ok = false;
  std::string error;
};

Loaded Load() {
  Loaded out;
  // libcurl.so.4 is the soname of every libcurl since 7.16 (Debian's
  // libcurl4 package, OpenSSL flavour); the unversioned libcurl.so exists
  // only with the -dev package.
  void* handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    out.error = "cannot load libcurl.so.4 (install libcurl4): " + std::string(dlerror());
    return out;
  }
  std::string missing;
  if (!ResolveAll(handle, &out.lib, &missing)) {
    out.error = "libcurl.so.4 lacks " + missing;
    return out;
  }
  // CURL_GLOBAL_DEFAULT initialises the TLS backend once, here, rather than
  // implicitly (and racily) inside the first curl_easy_init.
  CURLcode code = out.lib.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    out.error = "libcurl initialisation failed: " + std::string(out.lib.easy_strerror(code));
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace

const LibCurl* LoadLibCurl(std::string* error) {
  static Loaded loaded = Load();
  if (!loaded.ok) {
    *error = loaded.error;
    return nullptr;
  }
  return &loaded.lib;
}

}  // namespace dcu
