#include "helper/cli.h"

#include <algorithm>
#include <istream>
#include <ostream>
#include <vector>

#include "helper/base/version.h"
#include "helper/docker/actions.h"
#include "helper/kubelet/provider.h"

namespace dcu {
namespace {

// A new front end or command is one row here: dispatch and help come from it.
struct Action {
  const char* name;
  const char* description;
  int (*run)(Context&);
};

int RunVersion(Context& ctx) {
  ctx.out << kProgramName << " (" << kPackage << ") " << kVersion << "\n";
  return 0;
}

constexpr Action kActions[] = {
    {"store", "save a credential read as JSON from stdin", RunStore},
    {"get", "print the credential for the server URL read from stdin", RunGet},
    {"erase", "remove the credential for the server URL read from stdin", RunErase},
    {"list", "print every stored server URL with its username", RunList},
    {"kubelet", "answer the kubelet's CredentialProviderRequest read from stdin", kubelet::RunKubelet},
    {"version", "print the version", RunVersion},
};

void PrintUsage(std::ostream& out) {
  std::string names;
  for (const Action& action : kActions) names += (names.empty() ? "" : "|") + std::string(action.name);
  out << "Usage: " << kProgramName << " <" << names << ">\n\n"
      << "A Docker credential helper for Upbound registries.\n\nActions:\n";
  for (const Action& action : kActions) {
    out << "  " << action.name << std::string(10 - std::string(action.name).size(), ' ')
        << action.description << "\n";
  }
}

// Levenshtein distance, for the "did you mean" hint.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const Action* Closest(const std::string& name) {
  const Action* best = nullptr;
  size_t best_distance = 3;  // further than this is no hint
  for (const Action& action : kActions) {
    size_t d = EditDistance(name, action.name);
    if (d < best_distance) {
      best = &action;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace

int Run(const std::vector<std::string>& args, const Env& env, std::istream& in, std::ostream& out,
        std::ostream& err, const System& system) {
  if (args.size() != 1) {
    PrintUsage(out);
    return 1;
  }
  const std::string& name = args[0];
  Context ctx(env, in, out, err, system);
  if (name == "-v" || name == "--version") return RunVersion(ctx);
  if (name == "-h" || name == "--help") {
    PrintUsage(out);
    return 0;
  }
  for (const Action& action : kActions) {
    if (name == action.name) {
      int code = action.run(ctx);
      out.flush();
      return code;
    }
  }
  out << kProgramName << ": unknown action: " << name << "\n";
  if (const Action* hint = Closest(name)) ctx.log.Say(std::string("did you mean '") + hint->name + "'?");
  return 1;
}

}  // namespace dcu
