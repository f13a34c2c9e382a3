// Doctor's checks: what each one found, and what the later ones share.
// Each check is a function of the context and what earlier checks left in
// a DoctorState; none stores or changes anything.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "helper/context.h"
#include "helper/upbound/credential.h"
#include "helper/upbound/registry_credential.h"
#include "helper/upbound/robot_token.h"

namespace dcu::doctor {

enum class Verdict { kOk, kWarning, kSkipped, kFail };

// "ok", "warning", "skipped", "FAIL" (text) or "fail" (JSON).
const char* VerdictName(Verdict verdict, bool json);

struct Check {
  Check(int n, std::string title) : number(n), name(std::move(title)) {}
  int number = 0;
  std::string name;
  Verdict verdict = Verdict::kSkipped;
  std::string detail;  // one line; never a secret
  std::string fix;     // one line, for a failure or warning; "" when none

  // Adds one finding: the verdict becomes the worse of the two, detail and
  // fix are joined with "; ". The first finding replaces the initial
  // "skipped" with no detail.
  void Add(Verdict v, const std::string& what, const std::string& how = "");
  bool added = false;
};

// One robot token doctor looked at: a served host's, or an organization's.
struct ScopeToken {
  TokenScope scope;
  std::optional<RobotToken> robot;                 // found and readable
  std::optional<RegistryCredential> exchanged;     // check 7's result
};

// Which of Upbound's endpoints answered in check 6.
struct Reach {
  bool api = true;
  bool auth = true;
  bool registry = true;
};

struct DoctorState {
  DoctorState() = default;
  DoctorState(const DoctorState&) = delete;
  DoctorState& operator=(const DoctorState&) = delete;
  ~DoctorState();  // wipes every token and exchanged secret

  std::vector<ScopeToken> scopes;
  Reach reach;
  bool store_is_source = false;  // some scope's token comes from the secret store
  // Sessions doctor opened (their SIDs), ended before it exits.
  std::vector<std::string> sessions;
};

// A deadline for one network step: the settings' timeout from now.
std::chrono::steady_clock::time_point StepDeadline(Context& ctx);

// The fix for a robot token that Upbound or the registry rejected.
std::string NewTokenFix(const std::string& host);

}  // namespace dcu::doctor
