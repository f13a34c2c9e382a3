// doctor: the numbered checks (helper/commands/doctor/), in order, then the
// report. Exit 0 when no check failed: warnings (a trap that does not break
// this setup) and skips (nothing to check) do not fail it.
#include <optional>

#include "helper/commands/commands.h"
#include "helper/commands/doctor/checks.h"
#include "helper/commands/doctor/report.h"
#include "helper/commands/doctor/repository_probe.h"

namespace dcu {

int RunDoctor(Context& ctx, const Args& args) {
  using namespace doctor;
  const std::string repository = args.Value("repository");
  if (args.Has("repository") && !ValidRepository(repository)) {
    ctx.log.Error("doctor: --repository takes ORG/NAME (lower-case letters, digits, '.', '_', '-'), not '" +
                  repository + "'");
    return 1;
  }
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) {
    ctx.log.Error("doctor: " + loaded.message());
    return 1;
  }
  DoctorState st;
  FindScopes(ctx, st);
  std::vector<Check> checks;
  checks.push_back(CheckBinaryOnPath(ctx));
  checks.push_back(CheckDockerConfig(ctx));
  checks.push_back(CheckContainersFiles(ctx));
  checks.push_back(CheckSecretStore(ctx, st));
  checks.push_back(CheckTokenSources(ctx, st));
  checks.push_back(CheckEndpoints(ctx, st));
  checks.push_back(CheckExchange(ctx, st));
  checks.push_back(CheckRegistry(ctx, st));
  std::optional<RepositoryReport> repo;
  if (args.Has("repository")) repo = ProbeRepository(ctx, st, repository);
  EndSessions(ctx, st);

  if (args.Has("json")) {
    PrintJson(ctx.out, checks, repo);
  } else {
    PrintText(ctx.out, checks, repo, ctx.settings().exchange);
  }
  return AllPass(checks) ? 0 : 1;
}

}  // namespace dcu
