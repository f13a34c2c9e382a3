// The exact strings of the Docker credential-helper protocol. Clients compare
// a helper's trimmed stdout with these, so they must never change.
#pragma once

namespace dcu::protocol {

inline constexpr const char* kNotFound = "credentials not found in native keychain";
inline constexpr const char* kMissingServerURL = "no credentials server URL";
inline constexpr const char* kMissingUsername = "no credentials username";

// Docker Hub's key in Docker's config.json and credential stores.
inline constexpr const char* kDockerHubKey = "https://index.docker.io/v1/";

}  // namespace dcu::protocol
