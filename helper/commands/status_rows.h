// What status shows, gathered locally (files, the cache, the secret store;
// never the network): one row per served registry, per organization prefix
// and per other stored key. No row holds a secret.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "helper/context.h"
#include "helper/upbound/token_cache.h"

namespace dcu {

struct StatusRow {
  enum Kind { kRegistry, kOrganization, kStored };
  Kind kind = kRegistry;
  std::string key;           // the registry host, or the organization's prefix
  std::string organization;  // kOrganization: its name
  // Where the token comes from: "environment", "token-file", "secret-store",
  // "organization-token-file" or "none"; path for the files.
  std::string source = "none";
  std::string source_path;
  std::string source_text;  // the same for people: "token file UP_ROBOT_TOKEN_FILE /x"
  std::string access_id;    // "" when unknown (for kStored: the stored username)
  std::string exchange;     // "direct", "session", "org-token"; "stored" for kStored
  struct Cached {
    std::string username;
    std::int64_t obtained_at = 0;
    std::int64_t expires_at = 0;
  };
  std::optional<Cached> credential;
  std::optional<Verdict> verdict;
  std::optional<LastFailure> failure;
  std::vector<std::string> notes;  // what else a person should know (the token unreadable, ...)
};

struct StatusReport {
  std::int64_t now = 0;
  bool secret_store_ok = true;
  std::string secret_store_error;  // why it could not be listed
  std::vector<StatusRow> rows;
};

// Precondition: ctx.LoadSettings() succeeded.
StatusReport CollectStatus(Context& ctx);

}  // namespace dcu
