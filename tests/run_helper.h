// Drives dcu::Run in-process with a shared in-memory store.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <cstdlib>

#include "helper/cli.h"
#include "tests/fake_http.h"

namespace dcu {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

class Harness {
 public:
  Harness() : backing_(NewMemorySecretStore()) {
    platform_.open_secret_store = [this]() -> std::unique_ptr<SecretStore> {
      ++opens_;
      return std::make_unique<Borrowed>(backing_.get());
    };
    platform_.open_http = [this](const HttpOptions&) { return http.NewTransport(); };
    platform_.fs = DefaultFileSystem();
    char dir[] = "/tmp/dcu-test-XXXXXX";
    temp_dir_ = mkdtemp(dir);
    env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = temp_dir_ + "/cache";
  }
  ~Harness() { std::system(("rm -rf '" + temp_dir_ + "'").c_str()); }

  const std::string& temp_dir() const { return temp_dir_; }
  FakeHttp http;

  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    int code = dcu::Run(args, env, in, out, err, platform_);
    return {code, out.str(), err.str()};
  }

  SecretStore& store() { return *backing_; }
  int opens() const { return opens_; }
  Platform& platform() { return platform_; }
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
  Platform platform_;
  std::string temp_dir_;
  int opens_ = 0;
};

}  // namespace dcu
