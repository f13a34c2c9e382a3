#include "helper/commands/client_files.h"

namespace dcu {
namespace {

std::string Get(const Env& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// The home directory as Go's os.UserHomeDir finds it, which Docker and
// containers/image use: %USERPROFILE% on Windows (where HOME, if set at
// all, is often a Unix tool's idea), $HOME elsewhere (where USERPROFILE is
// not set).
std::string Home(const Env& env) {
  std::string profile = Get(env, "USERPROFILE");
  return profile.empty() ? Get(env, "HOME") : profile;
}

}  // namespace

ClientFile DockerConfigFile(const Env& env) {
  std::string dir = Get(env, "DOCKER_CONFIG");
  if (!dir.empty()) return {dir + "/config.json", "$DOCKER_CONFIG/config.json"};
  std::string home = Home(env);
  if (!home.empty()) return {home + "/.docker/config.json", "~/.docker/config.json"};
  return {"", "Docker's config.json (none of DOCKER_CONFIG, USERPROFILE and HOME is set)"};
}

ClientFile ContainersAuthFile(const Env& env, const std::string& uid) {
  std::string explicit_file = Get(env, "REGISTRY_AUTH_FILE");
  if (!explicit_file.empty()) return {explicit_file, "$REGISTRY_AUTH_FILE"};
  std::string runtime = Get(env, "XDG_RUNTIME_DIR");
  if (!runtime.empty()) return {runtime + "/containers/auth.json", "$XDG_RUNTIME_DIR/containers/auth.json"};
  std::string dir = "/run/containers/" + uid;
  return {dir + "/auth.json", dir + "/auth.json"};
}

std::vector<ClientFile> ContainersReadFiles(const Env& env, const std::string& uid) {
  std::vector<ClientFile> files = {ContainersAuthFile(env, uid)};
  if (!Get(env, "REGISTRY_AUTH_FILE").empty()) return files;
  std::string config = Get(env, "XDG_CONFIG_HOME");
  std::string home = Home(env);
  if (!config.empty()) {
    files.push_back({config + "/containers/auth.json", "$XDG_CONFIG_HOME/containers/auth.json"});
  } else if (!home.empty()) {
    files.push_back({home + "/.config/containers/auth.json", "~/.config/containers/auth.json"});
  }
  ClientFile docker = DockerConfigFile(env);
  if (!docker.path.empty()) files.push_back(docker);
  if (!home.empty()) files.push_back({home + "/.dockercfg", "~/.dockercfg"});
  return files;
}

}  // namespace dcu
