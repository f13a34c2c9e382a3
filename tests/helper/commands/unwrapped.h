// The output of a command that wraps long values (helper/commands/fields.h)
// with each wrapped value joined back onto its field's line, for tests that
// look for whole values; checks that no line is wider than 80 columns
// unless one word makes it so.
#pragma once

#include <catch2/catch.hpp>

#include <string>

namespace dcu {

inline std::string Unwrapped(const std::string& out, std::size_t indent) {
  std::string joined;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find('\n', pos);
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > 80) CHECK(line.find(' ', indent) == std::string::npos);
    if (line.compare(0, indent, std::string(indent, ' ')) == 0 && !joined.empty()) {
      joined.back() = ' ';
      joined += line.substr(indent) + "\n";
    } else {
      joined += line + "\n";
    }
  }
  return joined;
}

}  // namespace dcu
