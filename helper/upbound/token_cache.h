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

#include "helper/upbound/registry_credential.h"
#include "helper/base/status.h"
#include "helper/system/file_system.h"

namespace dcu {

// Usable until expiry, less a margin for the pull that is about to use it.
bool IsUsable(const RegistryCredential& c, std::int64_t now);
// Time to refresh: less than 10% of the lifetime (at most 5 minutes) left.
bool NeedsRefresh(const RegistryCredential& c, std::int64_t now);

class TokenCache {
 public:
  TokenCache(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // host: canonical registry key; identity: what the credential derives
  // from (exchange, endpoints, token source). Neither holds a secret.
  StatusOr<RegistryCredential> Load(const std::string& host, const std::string& identity);
  Status Save(const std::string& host, const std::string& identity, const RegistryCredential& c);
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

}  // namespace dcu
