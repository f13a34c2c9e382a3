#include <catch2/catch.hpp>

#include "helper/commands/client_files.h"

namespace dcu {
namespace {

std::vector<std::string> Paths(const std::vector<ClientFile>& files) {
  std::vector<std::string> paths;
  for (const ClientFile& f : files) paths.push_back(f.path);
  return paths;
}

TEST_CASE("client files: Docker's config.json honours DOCKER_CONFIG", "[client_files]") {
  CHECK(DockerConfigFile({{"HOME", "/home/u"}}).path == "/home/u/.docker/config.json");
  CHECK(DockerConfigFile({{"HOME", "/home/u"}, {"DOCKER_CONFIG", "/d"}}).path == "/d/config.json");
  CHECK(DockerConfigFile({}).path.empty());
  CHECK(DockerConfigFile({}).why == "Docker's config.json (none of DOCKER_CONFIG, USERPROFILE and HOME is set)");
}

TEST_CASE("client files: the home directory is USERPROFILE where it is set, as Docker's on Windows",
          "[client_files]") {
  // Go's os.UserHomeDir, which Docker and containers/image use: USERPROFILE
  // on Windows, where a HOME (from MSYS, Cygwin) is not Docker's.
  Env env = {{"HOME", "/home/u"}, {"USERPROFILE", "C:\\Users\\u"}};
  CHECK(DockerConfigFile(env).path == "C:\\Users\\u/.docker/config.json");
  CHECK(DockerConfigFile({{"USERPROFILE", "C:\\Users\\u"}}).path == "C:\\Users\\u/.docker/config.json");
  env["DOCKER_CONFIG"] = "D:\\docker";
  CHECK(DockerConfigFile(env).path == "D:\\docker/config.json");
  env.erase("DOCKER_CONFIG");
  CHECK(Paths(ContainersReadFiles(env, "S-1-5-21-1")) ==
        std::vector<std::string>{"/run/containers/S-1-5-21-1/auth.json", "C:\\Users\\u/.config/containers/auth.json",
                                 "C:\\Users\\u/.docker/config.json", "C:\\Users\\u/.dockercfg"});
}

TEST_CASE("client files: containers' auth file and read order", "[client_files]") {
  Env env = {{"HOME", "/home/u"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}};
  CHECK(ContainersAuthFile(env, "1000").path == "/run/user/1000/containers/auth.json");
  CHECK(ContainersAuthFile({{"HOME", "/root"}}, "0").path == "/run/containers/0/auth.json");
  CHECK(Paths(ContainersReadFiles(env, "1000")) ==
        std::vector<std::string>{"/run/user/1000/containers/auth.json", "/home/u/.config/containers/auth.json",
                                 "/home/u/.docker/config.json", "/home/u/.dockercfg"});
  env["XDG_CONFIG_HOME"] = "/cfg";
  env["DOCKER_CONFIG"] = "/d";
  CHECK(Paths(ContainersReadFiles(env, "1000")) ==
        std::vector<std::string>{"/run/user/1000/containers/auth.json", "/cfg/containers/auth.json",
                                 "/d/config.json", "/home/u/.dockercfg"});
  env["REGISTRY_AUTH_FILE"] = "/a.json";
  CHECK(Paths(ContainersReadFiles(env, "1000")) == std::vector<std::string>{"/a.json"});
}

}  // namespace
}  // namespace dcu
