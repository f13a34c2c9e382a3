// Drives dcu::Run in-process with a shared in-memory store and a scripted
// HTTP transport.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "helper/cli.h"
#include "tests/doubles/failing_secret_store.h"
#include "tests/doubles/fake_http.h"
#include "tests/doubles/memory_secret_store.h"
#include "tests/temp_dir.h"

namespace dcu {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

class Harness {
 public:
  Harness() : backing_(NewMemorySecretStore()) {
    system_.open_secret_store = [this](const SecretStoreOptions& options) -> std::unique_ptr<SecretStore> {
      ++opens_;
      keyring_options_ = options;
      return std::make_unique<Borrowed>(backing_.get());
    };
    system_.open_http = [this](const HttpOptions& options) {
      http_options_ = options;
      return http.NewTransport();
    };
    system_.fs = DefaultFileSystem();
    env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = temp_dir_.path + "/cache";
  }
  FakeHttp http;

  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    int code = dcu::Run(args, env, in, out, err, system_);
    return {code, out.str(), err.str()};
  }

  SecretStore& store() { return *backing_; }
  int opens() const { return opens_; }
  System& system() { return system_; }
  // What the last store and transport opened were given.
  const SecretStoreOptions& keyring_options() const { return keyring_options_; }
  const HttpOptions& http_options() const { return http_options_; }
  // Every store opened from now on fails with status.
  void BreakStore(const Status& status) {
    system_.open_secret_store = [status](const SecretStoreOptions&) -> std::unique_ptr<SecretStore> {
      return std::make_unique<FailingSecretStore>(status);
    };
  }
  Env env;

 private:
  // Forwards to the harness' store so state outlives one Run.
  class Borrowed : public SecretStore {
   public:
    explicit Borrowed(SecretStore* target) : target_(target) {}
    StatusOr<Credential> Get(const std::string& s) override { return target_->Get(s); }
    Status Put(const Credential& c) override { return target_->Put(c); }
    Status Erase(const std::string& s) override { return target_->Erase(s); }
    StatusOr<std::map<std::string, std::string>> List() override { return target_->List(); }

   private:
    SecretStore* target_;
  };

  std::unique_ptr<SecretStore> backing_;
  System system_;
  SecretStoreOptions keyring_options_;
  HttpOptions http_options_;
  TempDir temp_dir_;
  int opens_ = 0;
};

}  // namespace dcu
