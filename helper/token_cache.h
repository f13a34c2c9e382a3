// The cache of exchanged, short-lived credentials (never robot tokens).
//
// One file per registry and credential identity in a private directory:
// <host>-<sha256 of the identity>.json, mode 0600, replaced atomically. A
// file that is corrupt, foreign (another identity, another owner, readable
// by others) or expired is a miss, never an error.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "helper/settings.h"
#include "helper/status.h"
#include "platform/file_system.h"

namespace dcu {

struct CachedCredential {
  std::string username;
  std::string secret;
  std::int64_t obtained_at = 0;  // Unix seconds
  std::int64_t expires_at = 0;
};

// Usable until expiry, less a margin for the pull that is about to use it.
bool IsUsable(const CachedCredential& c, std::int64_t now);
// Time to refresh: less than 10% of the lifetime (at most 5 minutes) left.
bool NeedsRefresh(const CachedCredential& c, std::int64_t now);

class TokenCache {
 public:
  TokenCache(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // host: canonical registry key; identity: what the credential derives
  // from (exchange, endpoints, token source). Neither holds a secret.
  StatusOr<CachedCredential> Load(const std::string& host, const std::string& identity);
  Status Save(const std::string& host, const std::string& identity, const CachedCredential& c);
  // The single-flight lock for one entry.
  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& host, const std::string& identity,
                                           std::chrono::steady_clock::time_point deadline);
  // Drops every entry for host (after store and erase).
  Status Invalidate(const std::string& host);

 private:
  std::string Path(const std::string& host, const std::string& identity, const char* suffix) const;
  FileSystem& fs_;
  std::string dir_;
};

// The cache directory: the setting, else $XDG_RUNTIME_DIR/docker-credential-upbound,
// else $XDG_CACHE_HOME (or ~/.cache)/docker-credential-upbound.
std::string CacheDir(const Settings& settings, const Env& env);

}  // namespace dcu
