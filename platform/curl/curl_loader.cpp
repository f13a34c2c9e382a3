#include "platform/curl/curl_loader.h"

#include "platform/posix/shared_library.h"

namespace dcu {
namespace {

LoadedLibrary<LibCurl> Load() {
  LoadedLibrary<LibCurl> out;
  // libcurl.so.4 is the soname of every libcurl since 7.16 (Debian's
  // libcurl4 package, OpenSSL flavour); the unversioned libcurl.so exists
  // only with the -dev package.
  SharedLibrary so("libcurl.so.4", "libcurl4");
  LibCurl& lib = out.functions;
  so.Resolve("curl_global_init", &lib.global_init);
  so.Resolve("curl_easy_init", &lib.easy_init);
  so.Resolve("curl_easy_setopt", &lib.easy_setopt);
  so.Resolve("curl_easy_perform", &lib.easy_perform);
  so.Resolve("curl_easy_getinfo", &lib.easy_getinfo);
  so.Resolve("curl_easy_cleanup", &lib.easy_cleanup);
  so.Resolve("curl_easy_strerror", &lib.easy_strerror);
  so.Resolve("curl_slist_append", &lib.slist_append);
  so.Resolve("curl_slist_free_all", &lib.slist_free_all);
  if (!so.ok()) {
    out.error = so.error();
    return out;
  }
  // CURL_GLOBAL_DEFAULT initialises the TLS backend once, here, rather than
  // implicitly (and racily) inside the first curl_easy_init.
  CURLcode code = lib.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) out.error = "libcurl initialisation failed: " + std::string(lib.easy_strerror(code));
  return out;
}

}  // namespace

const LibCurl* LoadLibCurl(std::string* error) {
  static const LoadedLibrary<LibCurl> loaded = Load();
  return loaded.Get(error);
}

}  // namespace dcu
