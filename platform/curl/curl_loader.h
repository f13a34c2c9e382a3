// libcurl, loaded with dlopen on first use.
//
// Most runs of the helper answer from the cache and never send a request;
// linking libcurl would make every one of them load it and its TLS, SSH,
// LDAP and IDN dependencies at startup. So the binary does not link it
// (platform/posix/shared_library.h): the few functions used are resolved when
// the first request is sent. The header is used for types only.
#pragma once

#include <curl/curl.h>

#include <string>

namespace dcu {

struct LibCurl {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// The loaded and globally initialised library, or nullptr with *error set to
// a one-line reason. Loads once per process; later calls return the same
// table. Thread-safe (curl_global_init is not, so it runs under the
// function-local static's lock).
const LibCurl* LoadLibCurl(std::string* error);

}  // namespace dcu
