// The protocol actions and the kubelet front end, run in-process exactly as
// main() runs them, on any stdin: the first byte picks the action. A store
// stays in the (memory) store for the later gets of the same run, so a get
// can meet whatever a store put there. No network: verification is off.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "helper/cli.h"
#include "tests/doubles/fake_http.h"
#include "tests/doubles/memory_secret_store.h"
#include "tests/temp_dir.h"

namespace {

const char* const kActions[] = {"store", "get", "erase", "list", "kubelet", "store"};

struct World {
  dcu::TempDir dir;
  dcu::FakeHttp http;
  std::unique_ptr<dcu::SecretStore> store = dcu::NewMemorySecretStore();
  dcu::System system;
  dcu::Env env;
  World() {
    system.open_secret_store = [this](const dcu::SecretStoreOptions&) -> std::unique_ptr<dcu::SecretStore> {
      return std::make_unique<Borrowed>(store.get());
    };
    system.open_http = [this](const dcu::HttpOptions&) { return http.NewTransport(); };
    system.fs = dcu::DefaultFileSystem();
    env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = dir.path + "/cache";
    env["DOCKER_CREDENTIAL_UPBOUND_VERIFY"] = "0";
  }
  class Borrowed : public dcu::SecretStore {
   public:
    explicit Borrowed(dcu::SecretStore* target) : target_(target) {}
    dcu::StatusOr<dcu::Credential> Get(const std::string& s) override { return target_->Get(s); }
    dcu::Status Put(const dcu::Credential& c) override { return target_->Put(c); }
    dcu::Status Erase(const std::string& s) override { return target_->Erase(s); }
    dcu::StatusOr<std::map<std::string, std::string>> List() override { return target_->List(); }

   private:
    dcu::SecretStore* target_;
  };
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World* world = new World();
  static int runs = 0;
  if (++runs % 10000 == 0) world->store = dcu::NewMemorySecretStore();  // bounded memory
  if (size == 0) return 0;
  const char* action = kActions[data[0] % (sizeof(kActions) / sizeof(kActions[0]))];
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::ostringstream out, err;
  (void)dcu::Run({action}, world->env, in, out, err, world->system);
  // Whatever the input, the answer is at most one line of error or one JSON document.
  return 0;
}
