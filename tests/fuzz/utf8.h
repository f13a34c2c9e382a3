// Whether text is UTF-8 as the JSON library reads it (JSON carries nothing else).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace dcu {

inline bool IsUtf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace dcu
