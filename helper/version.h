#pragma once

namespace dcu {

// Set by CMake from the project version.
inline constexpr const char* kVersion = DCU_VERSION;

}  // namespace dcu
