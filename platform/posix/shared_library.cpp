#include "platform/posix/shared_library.h"

#include <dlfcn.h>

namespace dcu {

SharedLibrary::SharedLibrary(const char* soname, const char* package) : soname_(soname) {
  handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    error_ = std::string("cannot load ") + soname + " (install " + package + "): " + dlerror();
  }
}

void* SharedLibrary::Symbol(const char* name) {
  if (handle_ == nullptr) return nullptr;
  void* symbol = dlsym(handle_, name);
  if (symbol == nullptr && error_.empty()) error_ = std::string(soname_) + " lacks " + name;
  return symbol;
}

}  // namespace dcu
