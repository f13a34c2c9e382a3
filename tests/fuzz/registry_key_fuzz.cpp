// NormalizeRegistryKey on any input, with its properties: a key normalises
// to itself, and names no host the input did not (Docker Hub's aliases
// aside, which all become one key).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "helper/base/text.h"
#include "helper/docker/registry_key.h"

namespace {

// The host of a canonical key: no scheme, port or brackets.
std::string HostOf(const std::string& key) {
  if (!key.empty() && key[0] == '[') return key.substr(1, key.find(']') - 1);
  return key.substr(0, key.find(':'));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  dcu::StatusOr<std::string> key = dcu::NormalizeRegistryKey(input);
  if (!key.ok()) return 0;
  dcu::StatusOr<std::string> again = dcu::NormalizeRegistryKey(*key);
  if (!again.ok() || *again != *key) std::abort();  // not idempotent
  if (*key == "https://index.docker.io/v1/") return 0;
  if (dcu::ToLower(input).find(HostOf(*key)) == std::string::npos) std::abort();  // a host from nowhere
  return 0;
}
