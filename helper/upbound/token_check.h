// A robot token as login and status see it: one round trip that says
// whether it works, storing it with what that round trip learnt, and what
// the cache holds for a scope.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "helper/base/status.h"
#include "helper/context.h"
#include "helper/upbound/credential.h"
#include "helper/upbound/robot_token.h"
#include "helper/upbound/token_cache.h"

namespace dcu {

// What one round trip said of a robot token.
struct TokenCheck {
  enum Outcome {
    kAccepted,
    kRejected,     // by the token service or Upbound, or never sent (a realm not allowed)
    kUnreachable,  // nobody could be asked
  };
  Outcome outcome = kUnreachable;
  std::string reason;  // who accepted or rejected it, or why nobody could be asked; no secret
  // Accepted, direct: the registry's verdict, holding for the verify period
  // (until == checked_at when the settings never re-verify).
  Verdict verdict;
  // Accepted, session or org-token: what the exchange gave (a secret).
  RegistryCredential exchanged;
};

// Asks once whether robot works for scope: for direct the registry's
// token service, as docker login asks; else the settings' exchange. Reads
// and writes no cache, stores nothing.
TokenCheck CheckRobotToken(Context& ctx, const TokenScope& scope, const RobotToken& robot,
                           std::chrono::steady_clock::time_point deadline);

// Stores robot as host's token in the secret store through
// ChangeStoredCredential (the previous token's cache entries are dropped)
// and, when check (may be null) accepted it, puts what the check learnt in
// the cache under the same lock, so that the next get needs no round trip.
// A cache that cannot be written is no error; *seeded says whether it was.
Status StoreRobotToken(Context& ctx, const std::string& host, const RobotToken& robot, const TokenCheck* check,
                       bool* seeded);

// What the cache holds for scope (no lock, nothing written): the exchanged
// credential for scope's current token source, the current verdict (on
// robot's pair for direct, robot may then be null; on the token source for
// the exchanges) and the last failure.
struct CacheState {
  std::optional<RegistryCredential> credential;  // holds the secret: wipe it
  std::optional<Verdict> verdict;
  std::optional<LastFailure> failure;
};
CacheState InspectCache(Context& ctx, const TokenScope& scope, const RobotToken* robot);

}  // namespace dcu
