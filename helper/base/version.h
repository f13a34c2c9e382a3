// The program's name and version, as `version` prints them and as every
// message is prefixed.
#pragma once

namespace dcu {

inline constexpr const char* kProgramName = "docker-credential-upbound";
inline constexpr const char* kPackage = "github.com/upbound/docker-credential-upbound";
// Set by CMake from the project version.
inline constexpr const char* kVersion = DCU_VERSION;

}  // namespace dcu
