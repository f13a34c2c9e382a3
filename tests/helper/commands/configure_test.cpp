#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/doubles/harness.h"
#include "tests/file_mode.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

bool Exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(std::filesystem::symlink_status(std::filesystem::u8path(path), error));
}

unsigned Mode(const std::string& path) { return ModeOf(path); }

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// A Docker config.json as a person's machine has it: unrelated keys of every
// kind, in an order no library would produce.
const char* const kBusyConfig =
    "{\n"
    "\t\"auths\": {\n"
    "\t\t\"ghcr.io\": {\n"
    "\t\t\t\"auth\": \"Z2g6cGF0\"\n"
    "\t\t}\n"
    "\t},\n"
    "\t\"psFormat\": \"table {{.ID}}\\t{{.Names}}\",\n"
    "\t\"zeta\": {\"nested\": {\"deeper\": [1, 2.50, -0.0, 1e3, {}]}},\n"
    "\t\"alpha\": 18446744073709551616123,\n"
    "\t\"float\": 3.141592653589793238462643383279,\n"
    "\t\"unicode\": \"caf\\u00e9 \xE2\x98\x83 \\ud83d\\ude00\",\n"
    "\t\"empty\": {},\n"
    "\t\"list\": [],\n"
    "\t\"flag\": false,\n"
    "\t\"none\": null,\n"
    "\t\"proxies\": {\"default\": {\"httpProxy\": \"http://proxy:3128\"}}\n"
    "}\n";

const char* const kBusyConfigAfter =
    "{\n"
    "\t\"auths\": {\n"
    "\t\t\"ghcr.io\": {\n"
    "\t\t\t\"auth\": \"Z2g6cGF0\"\n"
    "\t\t}\n"
    "\t},\n"
    "\t\"psFormat\": \"table {{.ID}}\\t{{.Names}}\",\n"
    "\t\"zeta\": {\"nested\": {\"deeper\": [1, 2.50, -0.0, 1e3, {}]}},\n"
    "\t\"alpha\": 18446744073709551616123,\n"
    "\t\"float\": 3.141592653589793238462643383279,\n"
    "\t\"unicode\": \"caf\\u00e9 \xE2\x98\x83 \\ud83d\\ude00\",\n"
    "\t\"empty\": {},\n"
    "\t\"list\": [],\n"
    "\t\"flag\": false,\n"
    "\t\"none\": null,\n"
    "\t\"proxies\": {\"default\": {\"httpProxy\": \"http://proxy:3128\"}},\n"
    "\t\"credHelpers\": {\n"
    "\t\t\"xpkg.upbound.io\": \"upbound\",\n"
    "\t\t\"registry.upbound.io\": \"upbound\"\n"
    "\t}\n"
    "}\n";

struct Fixture {
  Fixture() {
    path = dir.path + "/config.json";
    h.env["HOME"] = dir.path + "/home";
  }
  RunResult Docker(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"configure", "docker", "--file", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return h.Run(args);
  }
  TempDir dir;
  Harness h;
  std::string path;
};

TEST_CASE("configure docker: adds credHelpers and keeps every other key, value and byte", "[configure]") {
  Fixture f;
  Write(f.path, kBusyConfig);
  chmod(f.path.c_str(), 0644);
  RunResult r = f.Docker();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(Read(f.path) == kBusyConfigAfter);
  CHECK(Mode(f.path) == 0600);
  CHECK(Read(f.path + ".bak") == kBusyConfig);
  CHECK(Mode(f.path + ".bak") == 0600);
  CHECK(r.out.find("Updated " + f.path + " (mode 0600)") != std::string::npos);
  CHECK(r.out.find("added credHelpers \"xpkg.upbound.io\": \"upbound\"") != std::string::npos);
  CHECK(r.out.find("added credHelpers \"registry.upbound.io\": \"upbound\"") != std::string::npos);
  CHECK(r.out.find("backup of the previous content: " + f.path + ".bak") != std::string::npos);
  CHECK(r.out.find("Next: docker-credential-upbound login") != std::string::npos);
  // No temporary file left behind.
  CHECK(f.h.system().fs->ListDir(f.dir.path) == std::vector<std::string>{"config.json", "config.json.bak"});
}

TEST_CASE("configure docker: the default file honours DOCKER_CONFIG, then HOME", "[configure]") {
  Fixture f;
  RunResult r = f.h.Run({"configure", "docker"});
  CHECK(r.code == 0);
  std::string home_file = f.dir.path + "/home/.docker/config.json";
  CHECK(Read(home_file) ==
        "{\n\t\"credHelpers\": {\n\t\t\"xpkg.upbound.io\": \"upbound\",\n\t\t\"registry.upbound.io\": \"upbound\"\n\t}\n}\n");
  f.h.env["DOCKER_CONFIG"] = f.dir.path + "/dc";
  r = f.h.Run({"configure", "docker"});
  CHECK(r.code == 0);
  CHECK(Exists(f.dir.path + "/dc/config.json"));
  f.h.env.erase("DOCKER_CONFIG");
  f.h.env.erase("HOME");
  r = f.h.Run({"configure", "docker"});
  CHECK(r.code == 1);
  CHECK(r.err.find("use --file PATH") != std::string::npos);
  CHECK(Lines(r.err) == 1);
}

TEST_CASE("configure docker: a missing file and directory are created private", "[configure]") {
  Fixture f;
  std::string path = f.dir.path + "/new/sub/config.json";
  RunResult r = f.h.Run({"configure", "docker", "--file", path});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Mode(path) == 0600);
  CHECK(Mode(f.dir.path + "/new/sub") == 0700);
  CHECK(!Exists(path + ".bak"));
  CHECK(r.out.find("Created " + path + " (mode 0600, in a new directory with mode 0700)") != std::string::npos);
  CHECK(r.out.find("backup") == std::string::npos);
  // An existing directory keeps its permissions.
#ifndef _WIN32
  chmod(f.dir.path.c_str(), 0755);
#endif
  unsigned before = Mode(f.dir.path);
  std::string second = f.dir.path + "/other.json";
  CHECK(f.h.Run({"configure", "docker", "--file", second}).code == 0);
  CHECK(Mode(f.dir.path) == before);
  CHECK(Mode(second) == 0600);
}

TEST_CASE("configure docker: an existing credsStore is kept and explained", "[configure]") {
  Fixture f;
  Write(f.path, "{\"credsStore\": \"desktop\"}");
  RunResult r = f.Docker();
  CHECK(r.code == 0);
  CHECK(Read(f.path) ==
        "{\"credsStore\": \"desktop\", \"credHelpers\": {\"xpkg.upbound.io\": \"upbound\", \"registry.upbound.io\": "
        "\"upbound\"}}");
  CHECK(r.out.find("credsStore \"desktop\" is kept: credHelpers takes precedence for xpkg.upbound.io and "
                   "registry.upbound.io") != std::string::npos);
}

TEST_CASE("configure docker: existing credHelpers: ours kept, another helper replaced, other hosts untouched",
          "[configure]") {
  Fixture f;
  const std::string before =
      "{\n  \"credHelpers\": {\n    \"gcr.io\": \"gcloud\",\n    \"xpkg.upbound.io\": \"upbound\",\n"
      "    \"registry.upbound.io\": \"up\"\n  }\n}\n";
  Write(f.path, before);
  RunResult r = f.Docker();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Read(f.path) ==
        "{\n  \"credHelpers\": {\n    \"gcr.io\": \"gcloud\",\n    \"xpkg.upbound.io\": \"upbound\",\n"
        "    \"registry.upbound.io\": \"upbound\"\n  }\n}\n");
  CHECK(r.out.find("replaced credHelpers \"registry.upbound.io\": \"up\" with \"upbound\"") != std::string::npos);
  CHECK(r.out.find("added") == std::string::npos);
  CHECK(Read(f.path + ".bak") == before);
}

TEST_CASE("configure docker: a saved password in auths for a served host is warned about, not deleted",
          "[configure]") {
  Fixture f;
  const std::string before =
      "{\"auths\": {\"xpkg.upbound.io\": {\"auth\": \"cm9ib3Q6c2VjcmV0LXRva2Vu\"},"
      " \"https://registry.upbound.io/v1/\": {\"auth\": \"eDp5\"},"
      " \"xpkg.upbound.io/acme\": {\"auth\": \"eDp6\"},"
      " \"XPKG.UPBOUND.IO:5000\": {\"auth\": \"eDp6\"},"
      " \"ghcr.io\": {\"auth\": \"eDp6\"},"
      " \"registry.upbound.io\": {}}}";
  Write(f.path, before);
  RunResult r = f.Docker();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Lines(r.err) == 3);
  CHECK(r.err.find("auths[\"xpkg.upbound.io\"] holds a saved password") != std::string::npos);
  CHECK(r.err.find("`docker logout xpkg.upbound.io`") != std::string::npos);
  CHECK(r.err.find("auths[\"https://registry.upbound.io/v1/\"]") != std::string::npos);
  CHECK(r.err.find("`docker logout registry.upbound.io`") != std::string::npos);
  CHECK(r.err.find("`podman logout --authfile " + f.path + " xpkg.upbound.io/acme`") != std::string::npos);
  CHECK(r.err.find("ghcr.io") == std::string::npos);
  CHECK(r.err.find("5000") == std::string::npos);
  // Never the saved value itself.
  CHECK((r.out + r.err).find("cm9ib3Q6") == std::string::npos);
  // auths untouched, credHelpers added.
  CHECK(Read(f.path).rfind(before.substr(0, before.size() - 1), 0) == 0);
}

TEST_CASE("configure containers: REGISTRY_AUTH_FILE, and podman logout --all explained", "[configure]") {
  Fixture f;
  f.h.env["REGISTRY_AUTH_FILE"] = f.dir.path + "/auth.json";
  Write(f.dir.path + "/auth.json", "{\n\t\"auths\": {\n\t\t\"xpkg.upbound.io\": {\n\t\t\t\"auth\": \"eDp5\"\n\t\t}\n\t}\n}");
  RunResult r = f.h.Run({"configure", "containers"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Read(f.dir.path + "/auth.json").find("\"credHelpers\": {\n\t\t\"xpkg.upbound.io\": \"upbound\"") !=
        std::string::npos);
  CHECK(r.out.find("podman logout --all") != std::string::npos);
  CHECK(r.err.find("`podman logout --authfile " + f.dir.path + "/auth.json xpkg.upbound.io`") != std::string::npos);
  // Without REGISTRY_AUTH_FILE: $XDG_RUNTIME_DIR/containers/auth.json.
  f.h.env.erase("REGISTRY_AUTH_FILE");
  f.h.env["XDG_RUNTIME_DIR"] = f.dir.path + "/run";
  CHECK(f.h.Run({"configure", "containers"}).code == 0);
  CHECK(Mode(f.dir.path + "/run/containers/auth.json") == 0600);
}

TEST_CASE("configure docker: idempotent: a second run writes nothing and keeps no backup", "[configure]") {
  Fixture f;
  REQUIRE(f.Docker().code == 0);
  StatusOr<std::string> before = f.h.system().fs->Fingerprint(f.path);
  RunResult r = f.Docker();
  CHECK(r.code == 0);
  CHECK(r.out.find(f.path + " is already configured") != std::string::npos);
  CHECK(r.out.find("Nothing written.") != std::string::npos);
  CHECK(!Exists(f.path + ".bak"));
  CHECK(*f.h.system().fs->Fingerprint(f.path) == *before);
}

TEST_CASE("configure docker: --dry-run prints the diff and writes nothing", "[configure]") {
  Fixture f;
  RunResult r = f.Docker({"--dry-run"});
  CHECK(r.code == 0);
  CHECK(!Exists(f.path));
  CHECK(r.out.rfind("--- /dev/null\n+++ " + f.path + "\n@@ -0,0 +1,6 @@\n+{\n+\t\"credHelpers\": {\n", 0) == 0);
  CHECK(r.out.find("Dry run: " + f.path + " not created") != std::string::npos);
  CHECK(!Exists(f.dir.path + "/missing"));
  CHECK(f.h.Run({"configure", "docker", "--dry-run", "--file", f.dir.path + "/missing/c.json"}).code == 0);
  CHECK(!Exists(f.dir.path + "/missing"));

  Write(f.path, "{\n\t\"credHelpers\": {\n\t\t\"xpkg.upbound.io\": \"up\"\n\t}\n}\n");
  r = f.Docker({"--dry-run"});
  CHECK(r.code == 0);
  CHECK(r.out.rfind("--- " + f.path + "\n+++ " + f.path +
                        "\n@@ -1,5 +1,6 @@\n {\n \t\"credHelpers\": {\n-\t\t\"xpkg.upbound.io\": \"up\"\n"
                        "+\t\t\"xpkg.upbound.io\": \"upbound\",\n+\t\t\"registry.upbound.io\": \"upbound\"\n \t}\n }\n",
                    0) == 0);
  CHECK(Read(f.path) == "{\n\t\"credHelpers\": {\n\t\t\"xpkg.upbound.io\": \"up\"\n\t}\n}\n");
  CHECK(!Exists(f.path + ".bak"));
}

TEST_CASE("configure docker: a file that is not a JSON object is left untouched", "[configure]") {
  Fixture f;
  for (auto [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"{\n\t\"auths\": {\n\t\t\"h\": {\"auth\": \"c2VjcmV0\"}\n\t,\n}\n", "not valid JSON (line 5, column 1)"},
           {"[{\"credHelpers\": {}}]\n", "a JSON array, not an object"},
           {"{\"credHelpers\": \"upbound\"}", "\"credHelpers\" is a JSON string, not an object"},
           {"{\"credHelpers\": null}", "\"credHelpers\" is a JSON null, not an object"},
           {"{\"credHelpers\": {}, \"credHelpers\": {}}", "\"credHelpers\" appears twice"}}) {
    Write(f.path, text);
    RunResult r = f.Docker();
    INFO(text);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    CHECK(r.err == "docker-credential-upbound: error: configure docker: " + f.path + ": " + why +
                       "; the file is left as it is\n");
    CHECK(Read(f.path) == text);
    CHECK(!Exists(f.path + ".bak"));
  }
}

TEST_CASE("configure docker: an unwritable place loses nothing", "[configure]") {
  Fixture f;
  // Root may write anywhere; these fail for root too. A directory that
  // cannot be created: its parent is a regular file.
  Write(f.dir.path + "/file", "x");
  std::string under_file = f.dir.path + "/file/sub/config.json";
  RunResult r = f.h.Run({"configure", "docker", "--file", under_file});
  CHECK(r.code == 1);
  CHECK(Lines(r.err) == 1);
  CHECK(r.err.find("cannot create the directory " + f.dir.path + "/file/sub") != std::string::npos);
  CHECK(Read(f.dir.path + "/file") == "x");

  // The replace fails (the temporary file's name is taken by a directory):
  // the original stays, no temporary file is left.
  Write(f.path, kBusyConfig);
  std::string temp = f.path + ".tmp." + std::to_string(getpid());
  REQUIRE(std::filesystem::create_directory(temp));
  r = f.Docker();
  CHECK(r.code == 1);
  CHECK(Lines(r.err) == 1);
  CHECK(r.err.find("cannot write " + f.path) != std::string::npos);
  CHECK(r.err.find(f.path + " is unchanged") != std::string::npos);
  CHECK(Read(f.path) == kBusyConfig);
  CHECK(Read(f.path + ".bak") == kBusyConfig);  // the backup is written first, and is right
  rmdir(temp.c_str());
  unlink((f.path + ".bak").c_str());

  // The backup cannot be written: nothing is replaced.
  std::string backup_temp = f.path + ".bak.tmp." + std::to_string(getpid());
  REQUIRE(std::filesystem::create_directory(backup_temp));
  r = f.Docker();
  CHECK(r.code == 1);
  CHECK(r.err.find("cannot write the backup " + f.path + ".bak") != std::string::npos);
  CHECK(Read(f.path) == kBusyConfig);
  CHECK(!Exists(f.path + ".bak"));
  rmdir(backup_temp.c_str());
  CHECK(f.h.system().fs->ListDir(f.dir.path).size() == 2);  // config.json, file
}

// Windows: symbolic links need a privilege most users lack; no FIFOs.
#ifndef _WIN32
TEST_CASE("configure docker: a symbolic link is written through, a dangling one refused", "[configure]") {
  Fixture f;
  Write(f.path, "{}\n");
  std::string link = f.dir.path + "/link.json";
  REQUIRE(symlink("config.json", link.c_str()) == 0);
  RunResult r = f.h.Run({"configure", "docker", "--file", link});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("through a symbolic link: wrote " + f.path + ", the link is kept") != std::string::npos);
  char target[256] = {};
  CHECK(readlink(link.c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == "config.json");
  CHECK(Read(f.path).find("credHelpers") != std::string::npos);
  CHECK(Read(f.path + ".bak") == "{}\n");

  std::string dangling = f.dir.path + "/dangling.json";
  REQUIRE(symlink("nowhere/config.json", dangling.c_str()) == 0);
  r = f.h.Run({"configure", "docker", "--file", dangling});
  CHECK(r.code == 1);
  CHECK(r.err == "docker-credential-upbound: error: configure docker: " + dangling +
                     ": a symbolic link to a missing file; nothing changed\n");
  CHECK(!Exists(f.dir.path + "/nowhere"));
}

TEST_CASE("configure docker: a FIFO or a huge file is refused without reading it", "[configure]") {
  Fixture f;
  std::string fifo = f.dir.path + "/fifo.json";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  RunResult r = f.h.Run({"configure", "docker", "--file", fifo});
  CHECK(r.code == 1);
  CHECK(r.err.find(fifo + ": not a regular file") != std::string::npos);
#else
TEST_CASE("configure docker: a huge file is refused without reading it", "[configure]") {
  Fixture f;
  RunResult r;
#endif
  Write(f.path, "{\"pad\": \"" + std::string(2 << 20, 'x') + "\"}");
  r = f.Docker();
  CHECK(r.code == 1);
  CHECK(r.err.find(f.path + ": larger than 1048576 bytes") != std::string::npos);
  CHECK(!Exists(f.path + ".bak"));
}

TEST_CASE("configure: an unknown target gets a suggestion", "[configure]") {
  Harness h;
  RunResult r = h.Run({"configure", "dokcer"});
  CHECK(r.code == 1);
  CHECK(r.err == "docker-credential-upbound: error: configure: unknown target 'dokcer' (did you mean 'docker'?); "
                 "use docker, containers or kubelet\n");
  r = h.Run({"configure", "kube"});
  CHECK(r.err.find("unknown target 'kube';") != std::string::npos);
}

TEST_CASE("configure kubelet: the provider config for the served hosts", "[configure]") {
  TempDir dir;
  Harness h;
  Write(dir.path + "/robot.json", "{}");
  h.env["UP_ROBOT_TOKEN_FILE"] = "/etc/upbound/robot-token.json";
  h.env["UP_ROBOT_TOKEN"] = "robot-secret-in-env-Zq8";
  RunResult r = h.Run({"configure", "kubelet"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n"
                   "  - name: docker-credential-upbound\n    matchImages:\n      - \"xpkg.upbound.io\"\n"
                   "      - \"registry.upbound.io\"\n    defaultCacheDuration: \"10m\"\n"
                   "    apiVersion: credentialprovider.kubelet.k8s.io/v1\n    args: [\"kubelet\"]\n    env:\n"
                   "      - name: UP_ROBOT_TOKEN_FILE\n        value: \"/etc/upbound/robot-token.json\"\n"
                   "      - name: DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR\n"
                   "        value: \"/run/docker-credential-upbound\"\n") != std::string::npos);
  CHECK((r.out + r.err).find("robot-secret-in-env-Zq8") == std::string::npos);
  CHECK(r.err.find("UP_ROBOT_TOKEN is not written into the config") != std::string::npos);

  // A self-hosted registry with a port, another exchange; no token file: a warning.
  h.env.erase("UP_ROBOT_TOKEN_FILE");
  h.env.erase("UP_ROBOT_TOKEN");
  h.env["OVERRIDE_REGISTRY_ENDPOINT"] = "https://registry.example.com:5443";
  h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  r = h.Run({"configure", "kubelet"});
  CHECK(r.code == 0);
  CHECK(r.out.find("    matchImages:\n      - \"registry.example.com:5443\"\n    default") != std::string::npos);
  CHECK(r.out.find("name: OVERRIDE_REGISTRY_ENDPOINT\n        value: \"https://registry.example.com:5443\"") !=
        std::string::npos);
  CHECK(r.out.find("name: DOCKER_CREDENTIAL_UPBOUND_EXCHANGE\n        value: \"session\"") != std::string::npos);
  CHECK(r.out.find("UP_ROBOT_TOKEN_FILE") == std::string::npos);
  CHECK(r.err.find("no robot token file") != std::string::npos);
}

TEST_CASE("configure kubelet --file: written, idempotent, dry run, backup", "[configure]") {
  TempDir dir;
  Harness h;
  h.env["UP_ROBOT_TOKEN_FILE"] = "/etc/upbound/robot-token.json";
  std::string path = dir.path + "/k/credential-provider-config.yaml";
  RunResult shown = h.Run({"configure", "kubelet"});
  RunResult dry = h.Run({"configure", "kubelet", "--file", path, "--dry-run"});
  CHECK(dry.code == 0);
  CHECK(dry.out.rfind("--- /dev/null\n+++ " + path + "\n@@ -0,0 ", 0) == 0);
  CHECK(!Exists(path));
  RunResult r = h.Run({"configure", "kubelet", "--file", path});
  CHECK(r.code == 0);
  CHECK(Read(path) == shown.out);
  CHECK(Mode(path) == 0600);
  CHECK(r.out.find("--image-credential-provider-config=" + path) != std::string::npos);
  r = h.Run({"configure", "kubelet", "--file", path});
  CHECK(r.out.find("already holds this config") != std::string::npos);
  CHECK(!Exists(path + ".bak"));
  Write(path, "# old\n");
  r = h.Run({"configure", "kubelet", "--file", path});
  CHECK(r.code == 0);
  CHECK(Read(path + ".bak") == "# old\n");
  CHECK(Read(path) == shown.out);
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("configure docker --remove: takes out exactly what configure added", "[configure]") {
  Fixture f;
  Write(f.path, kBusyConfigAfter);
  RunResult r = f.Docker({"--remove"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  // The busy file back, byte for byte, but for an empty credHelpers.
  std::string expected = kBusyConfig;
  expected.replace(expected.rfind("}}\n}\n"), 5, "}},\n\t\"credHelpers\": {}\n}\n");
  CHECK(Read(f.path) == expected);
  CHECK(Read(f.path + ".bak") == kBusyConfigAfter);
  CHECK(r.out.find("removed credHelpers \"xpkg.upbound.io\": \"upbound\"") != std::string::npos);
  CHECK(r.out.find("removed credHelpers \"registry.upbound.io\": \"upbound\"") != std::string::npos);
  RunResult again = f.Docker({"--remove"});
  CHECK(again.code == 0);
  CHECK(again.out.find("names no docker-credential-upbound. Nothing written.") != std::string::npos);
}

TEST_CASE("configure docker --remove: other helpers and keys stay; credsStore naming it goes", "[configure]") {
  Fixture f;
  Write(f.path,
        "{\n  \"credsStore\": \"upbound\",\n  \"credHelpers\": {\n    \"ghcr.io\": \"gh\",\n"
        "    \"xpkg.upbound.io\": \"upbound\",\n    \"old.example\": \"upbound\",\n    \"gcr.io\": \"gcloud\"\n  },\n"
        "  \"x\": 1.50\n}\n");
  RunResult r = f.Docker({"--remove"});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(Read(f.path) ==
        "{\n  \"credHelpers\": {\n    \"ghcr.io\": \"gh\",\n    \"gcr.io\": \"gcloud\"\n  },\n  \"x\": 1.50\n}\n");
  CHECK(r.out.find("removed credsStore \"upbound\"") != std::string::npos);
  CHECK(r.out.find("removed credHelpers \"old.example\"") != std::string::npos);
}

TEST_CASE("configure --remove: a missing file, a dry run, invalid JSON, the kubelet", "[configure]") {
  Fixture f;
  RunResult missing = f.Docker({"--remove"});
  CHECK(missing.code == 0);
  CHECK(missing.out.find("does not exist") != std::string::npos);
  CHECK_FALSE(Exists(f.path));

  Write(f.path, "{\"credHelpers\":{\"xpkg.upbound.io\":\"upbound\"}}");
  RunResult dry = f.Docker({"--remove", "--dry-run"});
  CHECK(dry.code == 0);
  CHECK(dry.out.find("-{\"credHelpers\":{\"xpkg.upbound.io\":\"upbound\"}}") != std::string::npos);
  CHECK(dry.out.find("+{\"credHelpers\":{}}") != std::string::npos);
  CHECK(Read(f.path) == "{\"credHelpers\":{\"xpkg.upbound.io\":\"upbound\"}}");

  Write(f.path, "{\"credHelpers\": ");
  RunResult invalid = f.Docker({"--remove"});
  CHECK(invalid.code == 1);
  CHECK(invalid.err.rfind("docker-credential-upbound: error: configure docker --remove: ", 0) == 0);
  CHECK(Lines(invalid.err) == 1);
  CHECK(Read(f.path) == "{\"credHelpers\": ");

  RunResult kubelet = f.h.Run({"configure", "kubelet", "--remove"});
  CHECK(kubelet.code == 1);
  CHECK(Lines(kubelet.err) == 1);
}

}  // namespace
}  // namespace dcu
