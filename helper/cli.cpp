#include "helper/cli.h"

#include <istream>
#include <ostream>
#include <vector>

#include "helper/base/version.h"
#include "helper/commands/args.h"
#include "helper/commands/commands.h"
#include "helper/docker/actions.h"
#include "helper/kubelet/provider.h"

namespace dcu {
namespace {

// A new front end or command is one row here: dispatch, flags, usage and
// every --help come from it.
struct Command {
  const char* name;
  const char* synopsis;  // what follows the name in the usage line
  const char* summary;   // one line, for the list
  const char* details;   // paragraphs for --help
  std::vector<FlagSpec> flags;
  std::size_t min_positional;
  std::size_t max_positional;
  // A protocol action (run by container tools and the kubelet): input on
  // stdin, errors on stdout where clients read them, no flags.
  bool protocol;
  int (*run)(Context&, const Args&);
};

int RunVersion(Context& ctx, const Args&) {
  ctx.out << kProgramName << " (" << kPackage << ") " << kVersion << "\n";
  return 0;
}

template <int (*Action)(Context&)>
int Protocol(Context& ctx, const Args&) {
  return Action(ctx);
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"login", "[--server HOST] [--token-file FILE | --token-stdin [--access-id ID]] [--no-verify]",
       "check a robot token and keep it in the secret store",
       "Reads the file `up robot token create <robot> <name> --file FILE` writes\n"
       "({\"accessId\",\"token\"}), or the token on stdin, checks it with one round trip\n"
       "(the registry's token service for the direct pair, else the configured\n"
       "exchange) and stores it for HOST (default: the Upbound registry). A token\n"
       "that is rejected is not stored. The token never goes in argv.",
       {{"server", "HOST", "the registry to log in to (default: the Upbound registry)"},
        {"token-file", "FILE", "a robot token file as `up robot token create --file` writes it"},
        {"token-stdin", nullptr, "read the token from stdin (a token file's JSON, or the bare token)"},
        {"access-id", "ID", "the access ID, with --token-stdin and a bare token"},
        {"no-verify", nullptr, "store without asking Upbound or the registry"}},
       0, 0, false, RunLogin},
      {"logout", "[--server HOST | --all]", "remove a stored token and what was derived from it",
       "Removes the token stored for HOST and its cached credentials, and first\n"
       "ends the Upbound session when the exchange is `session` (a failure there\n"
       "is a warning; the token is removed all the same). Nothing stored: says so\n"
       "and exits 0.\n\n"
       "--all removes every credential this helper stores (every key `list`\n"
       "shows, Upbound registry or not) and drops the cached credentials of every\n"
       "served registry and organization, ending their sessions.",
       {{"server", "HOST", "the registry to log out of (default: the Upbound registry)"},
        {"all", nullptr, "every stored credential and every cached one"}},
       0, 0, false, RunLogout},
      {"status", "[--json]", "show where each registry's token comes from and what is cached",
       "One block per served registry, organization prefix and other stored\n"
       "registry: the token's source, its access ID, the exchange, the cached\n"
       "credential or verdict and its expiry, and the last failure of a get.\n"
       "Local only: nothing is sent. Never a secret. Exits 0 unless the settings\n"
       "cannot be loaded. --json: {\"hosts\":[{\"key\",\"kind\",\"source\",\n"
       "\"access_id\",\"exchange\",\"credential\",\"verdict\",\"last_failure\",...}]},\n"
       "times as RFC 3339 UTC with *_unix seconds beside them.",
       {{"json", nullptr, "print JSON instead of a table"}},
       0, 0, false, RunStatus},
      {"doctor", "[--json] [--repository ORG/NAME]", "check the whole setup and say how to fix what fails",
       "Numbered checks, each with a verdict and, when it fails, the fix: the\n"
       "binary on PATH, Docker's and containers' configuration, the secret store,\n"
       "the token, Upbound's endpoints, the exchange and the registry. Exits 0\n"
       "when no check fails (warnings and skipped checks do not fail it), 1\n"
       "otherwise. Never prints a secret, never stores or changes anything.",
       {{"json", nullptr, "print JSON instead of text"},
        {"repository", "ORG/NAME", "also ask which exchange gets pull and push on this repository"}},
       0, 0, false, RunDoctor},
      {"configure", "docker|containers|kubelet [--dry-run] [--file PATH] [--remove]",
       "point Docker, podman/skopeo/buildah or the kubelet at this helper",
       "docker: adds credHelpers entries for the served registries to Docker's\n"
       "config.json ($DOCKER_CONFIG honoured). containers: the same in the\n"
       "auth.json podman, skopeo and buildah read ($REGISTRY_AUTH_FILE honoured).\n"
       "Every other key, value and byte is kept; the file is replaced atomically\n"
       "with mode 0600 (through a symbolic link), its previous content kept in\n"
       "FILE.bak; nothing is written when nothing changes. kubelet: prints the\n"
       "kubelet's CredentialProviderConfig, or writes it with --file. --remove\n"
       "takes the helper out again (install/uninstall.sh runs it): an entry naming\n"
       "a helper that is not installed makes every pull from that registry fail.",
       {{"dry-run", nullptr, "print the change as a diff and write nothing"},
        {"file", "PATH", "the file to change or write instead of the default"},
        {"remove", nullptr, "docker, containers: remove the credHelpers entries (and a credsStore) naming this helper"}},
       1, 1, false, RunConfigure},
      {"store", "", "save a credential read as JSON from stdin", "", {}, 0, 0, true, Protocol<RunStore>},
      {"get", "", "print the credential for the server URL read from stdin", "", {}, 0, 0, true,
       Protocol<RunGet>},
      {"erase", "", "remove the credential for the server URL read from stdin", "", {}, 0, 0, true,
       Protocol<RunErase>},
      {"list", "", "print every stored server URL with its username", "", {}, 0, 0, true, Protocol<RunList>},
      {"kubelet", "", "answer the kubelet's CredentialProviderRequest read from stdin", "", {}, 0, 0, true,
       Protocol<kubelet::RunKubelet>},
      {"version", "", "print the version", "", {}, 0, 0, true, RunVersion},
  };
  return commands;
}

void PrintRows(std::ostream& out, bool protocol) {
  for (const Command& c : Commands()) {
    if (c.protocol != protocol) continue;
    std::string name = c.name;
    out << "  " << name << std::string(name.size() < 11 ? 11 - name.size() : 1, ' ') << c.summary << "\n";
  }
}

void PrintUsage(std::ostream& out) {
  out << "Usage: " << kProgramName << " <command> [flags]\n\n"
      << "Credentials for Upbound's package registry, for Docker, podman, skopeo,\n"
      << "buildah, nerdctl and the kubelet.\n\nCommands:\n";
  PrintRows(out, false);
  out << "\nCredential-helper protocol (run by container tools; input on stdin):\n";
  PrintRows(out, true);
  out << "\nGlobal flags:\n"
      << "  --debug    a redacted trace on stderr (also UP_DEBUG=1)\n"
      << "  --help     this text (COMMAND --help: that command's flags)\n"
      << "\nRun '" << kProgramName << " COMMAND --help' for more about a command.\n";
}

void PrintCommandHelp(std::ostream& out, const Command& c) {
  out << "Usage: " << kProgramName << " " << c.name << (*c.synopsis ? " " : "") << c.synopsis << "\n\n"
      << c.summary << ".\n";
  if (*c.details) out << "\n" << c.details << "\n";
  if (c.protocol) {
    out << "\nA credential-helper protocol action: container tools run it with its\n"
        << "input on stdin and read its answer, or its one error line, on stdout.\n";
  }
  if (!c.flags.empty()) {
    out << "\nFlags:\n";
    for (const FlagSpec& f : c.flags) {
      std::string left = std::string("--") + f.name + (f.value ? std::string(" ") + f.value : "");
      out << "  " << left << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << f.help << "\n";
    }
  }
  out << "  --debug" << std::string(17, ' ') << "a redacted trace on stderr (also UP_DEBUG=1)\n";
}

const Command* Find(const std::string& name) {
  for (const Command& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string Hint(const std::string& name) {
  std::vector<std::string> names;
  for (const Command& c : Commands()) names.push_back(c.name);
  std::string closest = Closest(name, names);
  return closest.empty() ? "" : " (did you mean '" + closest + "'?)";
}

bool IsHelp(const std::string& arg) { return arg == "-h" || arg == "--help"; }

}  // namespace

int Run(const std::vector<std::string>& raw_args, const Env& env, std::istream& in, std::ostream& out,
        std::ostream& err, const System& system) {
  // --debug is global: anywhere before "--", and the same as UP_DEBUG=1.
  std::vector<std::string> args;
  bool debug = false;
  bool flags_done = false;
  for (const std::string& arg : raw_args) {
    if (!flags_done && arg == "--debug") {
      debug = true;
      continue;
    }
    if (arg == "--") flags_done = true;
    args.push_back(arg);
  }
  Env debug_env;
  if (debug) {
    debug_env = env;
    debug_env["UP_DEBUG"] = "1";
  }
  Context ctx(debug ? debug_env : env, in, out, err, system);
  if (debug) ctx.log.set_debug(true);

  if (args.empty()) {
    // Like the protocol's own errors, on stdout: a client that runs the
    // helper wrongly reads stdout.
    out << kProgramName << ": error: no command given (run '" << kProgramName << " --help')\n";
    return 1;
  }
  const std::string& name = args[0];
  if (name == "-v" || name == "--version") return RunVersion(ctx, Args());
  if (IsHelp(name) || name == "help") {
    if (args.size() > 1 && name == "help") {
      if (const Command* c = Find(args[1])) {
        PrintCommandHelp(out, *c);
        return 0;
      }
      out << kProgramName << ": error: unknown command '" << args[1] << "'" << Hint(args[1]) << "\n";
      return 1;
    }
    PrintUsage(out);
    return 0;
  }
  const Command* command = Find(name);
  if (command == nullptr) {
    out << kProgramName << ": error: unknown command '" << name << "'" << Hint(name) << " (run '"
        << kProgramName << " --help')\n";
    return 1;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (IsHelp(arg)) {
      PrintCommandHelp(out, *command);
      return 0;
    }
  }
  // Protocol actions answer on stdout; a person's command says on stderr.
  auto usage_error = [&](const std::string& message) {
    std::string line = message + " (run '" + kProgramName + " " + name + " --help')";
    if (command->protocol) {
      out << kProgramName << ": error: " << line << "\n";
    } else {
      ctx.log.Error(line);
    }
    return 1;
  };
  StatusOr<Args> parsed = ParseArgs(rest, command->flags);
  if (!parsed.ok()) return usage_error(name + ": " + parsed.status().message());
  std::size_t count = parsed->positional().size();
  if (count > command->max_positional) {
    return usage_error(name + ": unexpected argument '" + parsed->positional()[command->max_positional] + "'");
  }
  if (count < command->min_positional) return usage_error(name + ": missing argument: " + command->synopsis);
  int code = command->run(ctx, *parsed);
  out.flush();
  return code;
}

}  // namespace dcu
