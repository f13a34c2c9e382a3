#include "helper/commands/doctor/check.h"

#include "helper/base/wipe.h"

namespace dcu::doctor {

const char* VerdictName(Verdict verdict, bool json) {
  switch (verdict) {
    case Verdict::kOk: return "ok";
    case Verdict::kWarning: return "warning";
    case Verdict::kSkipped: return "skipped";
    case Verdict::kFail: return json ? "fail" : "FAIL";
  }
  return "?";
}

void Check::Add(Verdict v, const std::string& what, const std::string& how) {
  // A failure outweighs a warning, a warning an ok; skipped only when
  // nothing else was found.
  auto rank = [](Verdict x) { return x == Verdict::kFail ? 3 : x == Verdict::kWarning ? 2 : x == Verdict::kOk ? 1 : 0; };
  if (!added || rank(v) > rank(verdict)) verdict = v;
  added = true;
  if (!what.empty()) detail += (detail.empty() ? "" : "; ") + what;
  if (!how.empty() && fix.find(how) == std::string::npos) fix += (fix.empty() ? "" : "; ") + how;
}

DoctorState::~DoctorState() {
  for (ScopeToken& s : scopes) {
    Wipe(s.scope.settings.robot_token);
    if (s.robot) Wipe(s.robot->token);
    if (s.exchanged) Wipe(s.exchanged->secret);
  }
  for (std::string& sid : sessions) Wipe(sid);
}

std::chrono::steady_clock::time_point StepDeadline(Context& ctx) {
  return std::chrono::steady_clock::now() + std::chrono::seconds(ctx.settings().timeout_seconds);
}

std::string NewTokenFix(const std::string& host) {
  return "create a new robot token (up robot token create ROBOT NAME --file FILE), then "
         "docker-credential-upbound login --server " + host + " --token-file FILE";
}

}  // namespace dcu::doctor
