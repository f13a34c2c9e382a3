// Loading a shared library at run time, for the libraries most runs never
// need (libcurl, libsecret): like Chromium's LibsecretLoader, the binary
// does not link them, and resolves the few functions it uses on first use.
#pragma once

#include <string>

namespace dcu {

class SharedLibrary {
 public:
  // Opens soname (RTLD_NOW | RTLD_LOCAL). On failure error() says so and
  // names the Debian package that provides it. The library stays loaded
  // for the life of the process.
  SharedLibrary(const char* soname, const char* package);

  // Resolves name into *slot; the first name that is missing makes error()
  // "<soname> lacks <name>". Lookups also find the library's dependencies.
  template <typename F>
  void Resolve(const char* name, F* slot) {
    *slot = reinterpret_cast<F>(Symbol(name));
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  void* Symbol(const char* name);

  const char* soname_;
  void* handle_ = nullptr;
  std::string error_;
};

// A table of resolved functions, or why it could not be had. Loaders keep
// one in a function-local static, which C++ initialises once, thread-safely.
template <typename Table>
struct LoadedLibrary {
  Table functions{};
  std::string error;  // empty when loaded

  // The table, or nullptr with *why set to the one-line reason.
  const Table* Get(std::string* why) const {
    if (error.empty()) return &functions;
    *why = error;
    return nullptr;
  }
};

}  // namespace dcu
