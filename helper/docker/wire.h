// Reading and writing the Docker credential-helper protocol's payloads.
// Pure functions over strings and streams; no store, no I/O beyond the
// stream given.
#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <string>

#include "helper/base/status.h"
#include "helper/system/secret_store.h"

namespace dcu {

// The largest input any action accepts; Docker sends a few hundred bytes.
inline constexpr std::size_t kMaxInputBytes = 1 << 20;

// Reads `in` to EOF. InvalidInput when more than `limit` bytes arrive (the
// rest is not read). Never blocks past EOF.
StatusOr<std::string> ReadAllInput(std::istream& in, std::size_t limit = kMaxInputBytes);

// Parses `store` input: one JSON object; keys matched case-insensitively,
// unknown keys ignored, null fields treated as empty. The server is the
// ServerURL exactly as sent (not normalised). InvalidInput with a one-line
// reason (never quoting the input) for anything else, every JSON error
// included, and for a control character (C0, DEL, C1; NUL above all) in
// ServerURL or Username: they become the store's C-string attributes.
// The Secret is opaque bytes: a NUL in it is kept and returned by get
// exactly (the store takes a length, not a C string). Does not check for
// empty fields.
StatusOr<Credential> ParseStoreRequest(const std::string& input);

// `get` output: {"ServerURL":..,"Username":..,"Secret":..} and a newline.
// Bytes that are not UTF-8 are replaced, since JSON cannot carry them.
std::string FormatGetResponse(const std::string& server_url, const std::string& username,
                              const std::string& secret);

// `list` output: {"<server>":"<username>",...} and a newline.
std::string FormatListResponse(const std::map<std::string, std::string>& entries);

}  // namespace dcu
