// The container tools' files doctor reads (Docker's config.json, podman's
// auth.json), on any bytes: checks 2 and 3 report on them, never crash or
// throw. Their edit by configure is cred_helpers_fuzz.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "helper/commands/client_files.h"
#include "helper/commands/doctor/checks.h"
#include "helper/context.h"
#include "tests/fuzz/memory_file_system.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dcu::Env env = {{"HOME", "/home/fuzz"},
                  {"DOCKER_CONFIG", "/home/fuzz/.docker"},
                  {"REGISTRY_AUTH_FILE", "/home/fuzz/auth.json"},
                  {"DOCKER_CREDENTIAL_UPBOUND_CONFIG", "/home/fuzz/dcu.json"},
                  {"PATH", "/nonexistent"}};
  dcu::MemoryFileSystem fs;
  fs.files["/home/fuzz/dcu.json"] = R"({"registries": ["registry.example.com:5000"]})";
  fs.files[dcu::DockerConfigFile(env).path] = text;
  fs.files["/home/fuzz/auth.json"] = text;
  dcu::System system;
  system.fs = &fs;
  std::istringstream in;
  std::ostringstream out, err;
  dcu::Context ctx(env, in, out, err, system);
  if (!ctx.LoadSettings().ok()) std::abort();
  (void)dcu::doctor::CheckDockerConfig(ctx);
  (void)dcu::doctor::CheckContainersFiles(ctx);
  return 0;
}
