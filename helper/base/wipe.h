// Overwrites a buffer that held a secret before it is released, so that the
// bytes do not linger in freed heap memory or core dumps.
#pragma once

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

}  // namespace dcu
