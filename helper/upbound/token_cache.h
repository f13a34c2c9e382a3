// The cache of what the helper derives from a robot token, never the token:
// exchanged short-lived credentials, and verdicts (the registry accepted or
// rejected a pair; Upbound rejected a token).
//
// Files in a private directory, named <host>-<sha256 of host and
// identity>.json (credential) or .verdict, mode 0600, replaced atomically;
// and per host (or organization prefix) the last failure, .failure.
// A file that is corrupt, foreign (another identity, another owner,
// readable by others), implausible or expired is a miss, never an error.
// One lock file per host serialises refreshes, store and erase.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "helper/upbound/registry_credential.h"
#include "helper/base/status.h"
#include "helper/system/file_system.h"

namespace dcu {

// Usable until expiry, less a margin for the pull about to use it: 30 s,
// or a quarter of the lifetime when that is shorter, so that even a
// credential that lives only seconds serves everyone waiting for it.
std::int64_t UsableUntil(const RegistryCredential& c);
bool IsUsable(const RegistryCredential& c, std::int64_t now);
// Time to refresh: less than 10% of the lifetime (at most 5 minutes) left,
// or no longer usable.
std::int64_t RefreshAt(const RegistryCredential& c);
bool NeedsRefresh(const RegistryCredential& c, std::int64_t now);

// A remembered answer about a token; holds no secret.
struct Verdict {
  enum Kind { kAccepted, kRejected, kRefused };
  Kind kind = kAccepted;
  std::string reason;  // for messages: who decided and why
  std::int64_t checked_at = 0;
  std::int64_t until = 0;  // Unix seconds; the verdict is a miss from then on
};

// The last time a get (or the kubelet) failed for a host or organization
// prefix, for status. The message is the one line the failure printed,
// which never holds a secret.
struct LastFailure {
  std::int64_t at = 0;  // Unix seconds
  std::string message;
};

// "accepted", "rejected", "refused": as the cache writes it, and status shows it.
const char* VerdictKindName(Verdict::Kind kind);

class TokenCache {
 public:
  TokenCache(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  // host: canonical registry key; identity: what the entry derives from
  // (exchange, endpoints, token source). Neither holds a secret.
  StatusOr<RegistryCredential> Load(const std::string& host, const std::string& identity);
  Status Save(const std::string& host, const std::string& identity, const RegistryCredential& c);
  StatusOr<Verdict> LoadVerdict(const std::string& host, const std::string& identity);
  Status SaveVerdict(const std::string& host, const std::string& identity, const Verdict& v);

  // The failure record of host (a registry key or an organization prefix):
  // one per host, whatever the identity. SaveFailure keeps the message's
  // first line, at most 512 bytes. LoadFailure: NotFound when there is none
  // (or it is corrupt, foreign or from the future). ClearFailure: OK when
  // there was none.
  Status SaveFailure(const std::string& host, const LastFailure& failure);
  StatusOr<LastFailure> LoadFailure(const std::string& host);
  Status ClearFailure(const std::string& host);

  // The host's lock: single-flight refreshes, and store/erase, which must
  // not interleave with a refresh of the token they replace. Unavailable
  // when another holder kept it past deadline; InvalidInput when the cache
  // directory or the lock file cannot be used at all.
  StatusOr<std::unique_ptr<FileLock>> Lock(const std::string& host,
                                           std::chrono::steady_clock::time_point deadline);
  // Drops every credential and verdict, and the failure record, for host
  // (store and erase, under the host's lock).
  Status Invalidate(const std::string& host);

 private:
  std::string Path(const std::string& host, const std::string& identity, const char* suffix) const;
  StatusOr<std::string> ReadEntry(const std::string& path);
  FileSystem& fs_;
  std::string dir_;
};

}  // namespace dcu
