// Overwrites a buffer that held a secret before it is released, so that the
// bytes do not linger in freed heap memory or core dumps.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

namespace dcu {

inline void WipeBytes(void* data, std::size_t size) {
  volatile unsigned char* p = static_cast<volatile unsigned char*>(data);
  while (size-- > 0) *p++ = 0;
}

inline void Wipe(std::string& s) {
  WipeBytes(s.data(), s.size());
  s.clear();
}

// Appends n bytes; when that needs a bigger buffer, the old one is wiped
// before it is freed (std::string would free it as it was). Both HTTP
// transports receive bodies, usually tokens, this way.
inline void AppendWiping(std::string& s, const char* data, std::size_t n) {
  if (s.size() + n > s.capacity()) {
    std::string bigger;
    bigger.reserve(std::max(s.capacity() * 2, s.size() + n));
    bigger.append(s);
    Wipe(s);
    s.swap(bigger);
  }
  s.append(data, n);
}

}  // namespace dcu
