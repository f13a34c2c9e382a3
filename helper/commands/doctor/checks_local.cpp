// Checks 1, 4 and 5: what is on this machine (the binary, the secret store,
// the robot tokens), no network.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "helper/base/wipe.h"
#include "helper/commands/doctor/checks.h"

namespace dcu::doctor {
namespace {

std::string EnvValue(const Env& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

std::string Octal(unsigned mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777);
  return buffer;
}

constexpr const char* kStoreFix =
    "start or unlock the Secret Service keyring (e.g. gnome-keyring in this session; DBUS_SESSION_BUS_ADDRESS "
    "must reach it), or give the token as a file: UP_ROBOT_TOKEN_FILE";

}  // namespace

namespace {

// Where Docker looks for the helper. PATHEXT is set on Windows only: there
// PATH is split at ';' and each of its extensions is tried, as Go's
// exec.LookPath does (Docker finds docker-credential-upbound.exe).
struct Lookup {
  char separator = ':';
  std::vector<std::string> names;
};

Lookup LookupFor(const Env& env) {
  Lookup lookup;
  std::string exts = EnvValue(env, "PATHEXT");
  if (exts.empty()) {
    lookup.names.push_back(kBinaryName);
    return lookup;
  }
  lookup.separator = ';';
  std::size_t start = 0;
  while (start <= exts.size()) {
    std::size_t end = std::min(exts.find(';', start), exts.size());
    std::string ext = exts.substr(start, end - start);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!ext.empty()) lookup.names.push_back(kBinaryName + ext);
    start = end + 1;
  }
  return lookup;
}

}  // namespace

Check CheckBinaryOnPath(Context& ctx) {
  Check c{1, std::string(kBinaryName) + " on PATH"};
  std::string path = EnvValue(ctx.env, "PATH");
  Lookup lookup = LookupFor(ctx.env);
  const std::string install_fix =
      lookup.separator == ';'
          ? std::string("copy ") + kBinaryName + ".exe into a directory on PATH (or add its directory to PATH)"
          : std::string("install it where PATH leads: sudo install -m 0755 ") + kBinaryName +
                " /usr/local/bin/ (or add its directory to PATH)";
  if (path.empty()) {
    c.Add(Verdict::kFail, "PATH is not set, so Docker cannot run " + std::string(kBinaryName), install_fix);
    return c;
  }
  std::string not_executable;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(lookup.separator, start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";  // an empty PATH element is the current directory
    for (const std::string& name : lookup.names) {
      std::string candidate = dir + "/" + name;
      StatusOr<FileInfo> info = ctx.fs.Stat(candidate);
      if (info.ok() && info->executable) {
        c.Add(Verdict::kOk, candidate);
        return c;
      }
      if (info.ok() && info->regular && not_executable.empty()) not_executable = candidate;
    }
    start = end + 1;
  }
  if (!not_executable.empty()) {
    c.Add(Verdict::kFail, not_executable + " is not executable", "chmod 755 " + not_executable);
  } else {
    c.Add(Verdict::kFail,
          std::string("no executable ") + kBinaryName + " in any PATH directory (credHelpers \"" + kHelperValue +
              "\" makes Docker run " + kBinaryName + ")",
          install_fix);
  }
  return c;
}

void FindScopes(Context& ctx, DoctorState& st) {
  const Settings& s = ctx.settings();
  for (const std::string& host : s.registry_hosts) st.scopes.push_back({HostScope(s, host), {}, {}});
  for (const Organization& org : s.organizations) st.scopes.push_back({OrganizationScope(s, org), {}, {}});
  st.store_is_source = s.robot_token_file.empty() && s.robot_token.empty() && !s.registry_hosts.empty();
}

Check CheckSecretStore(Context& ctx, const DoctorState& st) {
  Check c{4, "secret store reachable and unlocked"};
  StatusOr<std::map<std::string, std::string>> listed = ctx.Store().List();
  if (listed.ok()) {
    c.Add(Verdict::kOk, "it answered (" + std::to_string(listed->size()) + " item(s))");
    return c;
  }
  if (st.store_is_source) {
    c.Add(Verdict::kFail, listed.status().message(), kStoreFix);
  } else {
    c.Add(Verdict::kWarning, listed.status().message() + " (not needed now: the robot token comes from elsewhere)",
          kStoreFix);
  }
  return c;
}

Check CheckTokenSources(Context& ctx, DoctorState& st) {
  Check c{5, "robot token found"};
  if (st.scopes.empty()) {
    c.Add(Verdict::kFail, "no registry is served", "set UP_DOMAIN or OVERRIDE_REGISTRY_ENDPOINT");
    return c;
  }
  for (ScopeToken& scope : st.scopes) {
    const Settings& s = scope.scope.settings;
    const std::string& key = scope.scope.key;
    StatusOr<RobotToken> robot =
        LoadRobotToken(s, scope.scope.host, ctx.fs, [&ctx]() -> SecretStore& { return ctx.Store(); });
    if (!robot.ok()) {
      if (robot.status().IsNotFound()) {
        c.Add(Verdict::kFail, key + ": no robot token (no UP_ROBOT_TOKEN_FILE, no UP_ROBOT_TOKEN, none stored)",
              "docker-credential-upbound login --server " + scope.scope.host + " --token-file FILE");
      } else if (robot.status().code() == Code::kUnavailable) {
        c.Add(Verdict::kFail, key + ": the secret store, where its token would be, cannot be read (check 4)",
              kStoreFix);
      } else {
        c.Add(Verdict::kFail, key + ": " + robot.status().message(),
              "write the file `up robot token create` writes ({\"accessId\":..,\"token\":..}) and check " +
                  s.robot_token_file_label);
      }
      continue;
    }
    scope.robot = std::move(*robot);
    Wipe(robot->token);
    std::string found = key + ": " + scope.robot->origin + ", access ID " + scope.robot->access_id;
    if (!s.robot_token_file.empty()) {
      StatusOr<FileInfo> info = ctx.fs.Stat(s.robot_token_file);
      if (info.ok() && (info->permissions & 077) != 0) {
        c.Add(Verdict::kFail,
              found + ", but the file is open to other users (mode " + Octal(info->permissions) + ")",
              "chmod 600 " + s.robot_token_file);
        continue;
      }
    }
    c.Add(Verdict::kOk, found);
  }
  return c;
}

}  // namespace dcu::doctor
