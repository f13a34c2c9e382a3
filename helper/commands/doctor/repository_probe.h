// doctor --repository ORG/NAME: asks the registry's token service for
// pull,push on one repository with each exchange kind and reads what the
// issued token grants, so that a person learns which exchange setting to
// use (UPBOUND.md: the documentation leaves it open).
#pragma once

#include <string>
#include <vector>

#include "helper/commands/doctor/check.h"

namespace dcu::doctor {

struct KindGrant {
  ExchangeKind kind = ExchangeKind::kDirect;
  bool asked = false;                // the token service answered with a token
  std::vector<std::string> actions;  // granted on the repository
  std::string error;                 // why nothing could be learned; "" when asked
};

struct RepositoryReport {
  std::string repository;  // ORG/NAME
  std::string host;        // the registry asked
  std::string access_id;   // whose robot token
  std::string error;       // why no kind could be tried at all
  std::vector<KindGrant> kinds;
  // The kind to configure for pulling and for pushing: the current one
  // when it is granted, else the first that is; "" when none is.
  std::string pull;
  std::string push;
};

// Whether repository looks like ORG/NAME (lower-case letters, digits and
// ._- in each part, at least two parts).
bool ValidRepository(const std::string& repository);

// Precondition: ValidRepository(repository); check 5 filled st.scopes.
RepositoryReport ProbeRepository(Context& ctx, DoctorState& st, const std::string& repository);

// The actions a registry token's `access` claim grants on repository
// (the JWT's payload, not verified). Exposed for tests.
std::vector<std::string> GrantedActions(const std::string& token, const std::string& repository, bool* is_jwt);

}  // namespace dcu::doctor
