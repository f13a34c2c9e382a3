// configure docker|containers|kubelet: points a client at this helper by
// editing the file it reads (cred_helpers.h, json_edit.h), or writes the
// kubelet's provider config (kubelet_config.h); file_update.h keeps the
// previous content, text_diff.h shows a dry run.
#include <functional>
#include <string>
#include <vector>

#include "helper/commands/client_files.h"
#include "helper/commands/commands.h"
#include "helper/commands/cred_helpers.h"
#include "helper/commands/file_update.h"
#include "helper/commands/kubelet_config.h"
#include "helper/commands/text_diff.h"
#include "helper/system/process.h"

namespace dcu {
namespace {

const std::vector<std::string> kTargets = {"docker", "containers", "kubelet"};

std::string Join(const std::vector<std::string>& items, const std::string& last_sep = " and ") {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += i + 1 == items.size() ? last_sep : ", ";
    s += items[i];
  }
  return s;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// Prints the dry run's diff, or writes and says where; false (after one
// error line) when the write failed.
bool Apply(Context& ctx, const Args& args, const std::string& what, const FileUpdate& file,
           const std::string& new_text, Written* written) {
  if (args.Has("dry-run")) {
    ctx.out << UnifiedDiff(file.old_text, new_text, file.exists ? file.target : "/dev/null", file.target);
    ctx.out << "Dry run: " << file.path << " not " << (file.exists ? "changed" : "created")
            << "; run without --dry-run to write it.\n";
    return true;
  }
  StatusOr<Written> done = WriteUpdate(ctx.fs, file, new_text);
  if (!done.ok()) {
    ctx.log.Error(what + ": " + done.status().message());
    return false;
  }
  *written = *done;
  ctx.out << (file.exists ? "Updated " : "Created ") << file.path << " (mode 0600"
          << (done->created_dir ? ", in a new directory with mode 0700" : "") << ")";
  if (file.through_link) ctx.out << ", through a symbolic link: wrote " << file.target << ", the link is kept";
  ctx.out << "\n";
  return true;
}

void SayBackup(Context& ctx, const Written& written) {
  if (!written.backup.empty()) ctx.out << "  backup of the previous content: " << written.backup << "\n";
}

// The file, "" (after one error line) when none is known.
std::string PathFor(Context& ctx, const Args& args, const std::string& what, const ClientFile& file) {
  if (args.Has("file")) {
    if (args.Value("file").empty()) ctx.log.Error(what + ": --file needs a path");
    return args.Value("file");
  }
  if (file.path.empty()) ctx.log.Error(what + ": no " + file.why + " (HOME is not set): use --file PATH");
  return file.path;
}

// How to remove a saved password from the file without deleting it for
// the user behind their back.
std::string LogoutHint(bool docker, const std::string& path, const std::string& key) {
  std::string host = AuthsKeyHost(key);
  // "https://host/v1/" is a URL (Docker's own form); "host/org" a
  // namespace only containers/image knows.
  bool namespaced = key.find("://") == std::string::npos && key.find('/') != std::string::npos;
  if (docker && !namespaced) return "docker logout " + host;
  return "podman logout --authfile " + path + " " + (namespaced ? key : host);
}

int ConfigureClient(Context& ctx, const Args& args, bool docker) {
  std::string what = docker ? "configure docker" : "configure containers";
  ClientFile where = docker ? DockerConfigFile(ctx.env) : ContainersAuthFile(ctx.env, ProcessUserId());
  std::string path = PathFor(ctx, args, what, where);
  if (path.empty()) return 1;
  const std::vector<std::string>& hosts = ctx.settings().registry_hosts;

  StatusOr<FileUpdate> file = ReadForUpdate(ctx.fs, path);
  if (!file.ok()) {
    ctx.log.Error(what + ": " + file.status().message() + "; nothing changed");
    return 1;
  }
  StatusOr<CredHelpersChange> change = AddCredHelpers(file->old_text, hosts);
  if (!change.ok()) {
    ctx.log.Error(what + ": " + file->target + ": " + change.status().message() + "; the file is left as it is");
    return 1;
  }

  for (const std::string& key : change->saved_auths) {
    ctx.log.Warning(file->target + ": auths[" + Quoted(key) +
                    "] holds a saved password, a plain copy of a credential that podman and skopeo use "
                    "instead of the helper once credHelpers is gone (podman logout --all); remove it with `" +
                    LogoutHint(docker, file->target, key) +
                    "` (which also asks the helper to erase its token: run login again after)");
  }
  std::string clients = docker ? "Docker (and skopeo, podman, buildah reading this file)"
                               : "podman, skopeo and buildah";
  if (!change->changed()) {
    ctx.out << file->path << " is already configured: " << clients << " ask docker-credential-"
            << kCredHelperName << " for " << Join(hosts) << ". Nothing written.\n";
  } else {
    Written written;
    if (!Apply(ctx, args, what, *file, change->text, &written)) return 1;
    if (args.Has("dry-run")) return 0;
    for (const std::string& host : change->added) {
      ctx.out << "  added credHelpers " << Quoted(host) << ": " << Quoted(kCredHelperName) << "\n";
    }
    for (const auto& [host, old] : change->replaced) {
      ctx.out << "  replaced credHelpers " << Quoted(host) << ": " << old << " with " << Quoted(kCredHelperName)
              << "\n";
    }
    if (file->exists) ctx.out << "  every other key and value kept as it was\n";
    SayBackup(ctx, written);
    ctx.out << clients << " now run docker-credential-" << kCredHelperName << " (from PATH) for " << Join(hosts)
            << ".\n";
  }
  if (!change->creds_store.empty()) {
    ctx.out << "Note: credsStore " << Quoted(change->creds_store)
            << " is kept: credHelpers takes precedence for " << Join(hosts)
            << ", and credsStore still serves every other registry (podman and skopeo ignore it).\n";
  }
  if (!docker) {
    ctx.out << "Note: `podman logout --all` rewrites this file without credHelpers: run `"
            << "docker-credential-upbound configure containers` again after it.\n";
  }
  if (!args.Has("dry-run")) {
    ctx.out << "Next: docker-credential-upbound login --token-file ROBOT-TOKEN.json (unless a token is stored "
               "already), then docker-credential-upbound doctor.\n";
  }
  return 0;
}

// configure docker|containers --remove: the helper out of the file again.
int UnconfigureClient(Context& ctx, const Args& args, bool docker) {
  std::string what = docker ? "configure docker --remove" : "configure containers --remove";
  ClientFile where = docker ? DockerConfigFile(ctx.env) : ContainersAuthFile(ctx.env, ProcessUserId());
  std::string path = PathFor(ctx, args, what, where);
  if (path.empty()) return 1;
  StatusOr<FileUpdate> file = ReadForUpdate(ctx.fs, path);
  if (!file.ok()) {
    ctx.log.Error(what + ": " + file.status().message() + "; nothing changed");
    return 1;
  }
  if (!file->exists) {
    ctx.out << file->path << " does not exist: nothing names docker-credential-" << kCredHelperName << ".\n";
    return 0;
  }
  StatusOr<CredHelpersRemoval> removal = RemoveCredHelpers(file->old_text);
  if (!removal.ok()) {
    ctx.log.Error(what + ": " + file->target + ": " + removal.status().message() + "; the file is left as it is");
    return 1;
  }
  if (!removal->changed()) {
    ctx.out << file->path << " names no docker-credential-" << kCredHelperName << ". Nothing written.\n";
    return 0;
  }
  Written written;
  if (!Apply(ctx, args, what, *file, removal->text, &written)) return 1;
  if (args.Has("dry-run")) return 0;
  for (const std::string& host : removal->removed) {
    ctx.out << "  removed credHelpers " << Quoted(host) << ": " << Quoted(kCredHelperName) << "\n";
  }
  if (removal->creds_store) ctx.out << "  removed credsStore " << Quoted(kCredHelperName) << "\n";
  ctx.out << "  every other key and value kept as it was\n";
  SayBackup(ctx, written);
  return 0;
}

int ConfigureKubelet(Context& ctx, const Args& args) {
  KubeletConfig config = MakeKubeletConfig(ctx.settings(), ctx.env);
  for (const std::string& warning : config.warnings) ctx.log.Warning("configure kubelet: " + warning);
  if (!args.Has("file")) {
    ctx.out << config.yaml;
    return 0;
  }
  std::string path = args.Value("file");
  if (path.empty()) {
    ctx.log.Error("configure kubelet: --file needs a path");
    return 1;
  }
  StatusOr<FileUpdate> file = ReadForUpdate(ctx.fs, path);
  if (!file.ok()) {
    ctx.log.Error("configure kubelet: " + file.status().message() + "; nothing changed");
    return 1;
  }
  if (file->exists && file->old_text == config.yaml) {
    ctx.out << file->path << " already holds this config. Nothing written.\n";
    return 0;
  }
  Written written;
  if (!Apply(ctx, args, "configure kubelet", *file, config.yaml, &written)) return 1;
  if (args.Has("dry-run")) return 0;
  SayBackup(ctx, written);
  ctx.out << "Next: start the kubelet with --image-credential-provider-config=" << file->path
          << " and --image-credential-provider-bin-dir=<the directory holding docker-credential-upbound>.\n";
  return 0;
}

}  // namespace

int RunConfigure(Context& ctx, const Args& args) {
  const std::string& target = args.positional().at(0);
  if (target != "docker" && target != "containers" && target != "kubelet") {
    std::string closest = Closest(target, kTargets);
    ctx.log.Error("configure: unknown target '" + target + "'" +
                  (closest.empty() ? "" : " (did you mean '" + closest + "'?)") +
                  "; use docker, containers or kubelet");
    return 1;
  }
  Status loaded = ctx.LoadSettings();
  if (!loaded.ok()) {
    ctx.log.Error("configure " + target + ": " + loaded.message());
    return 1;
  }
  if (target == "kubelet") {
    if (args.Has("remove")) {
      ctx.log.Error("configure kubelet: --remove is for docker and containers; delete the provider config file");
      return 1;
    }
    return ConfigureKubelet(ctx, args);
  }
  if (args.Has("remove")) return UnconfigureClient(ctx, args, target == "docker");
  return ConfigureClient(ctx, args, target == "docker");
}

}  // namespace dcu
