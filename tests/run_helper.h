// Drives dcu::Run in-process with a shared in-memory store.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "helper/cli.h"
#include "tests/fake_http.h"
#include "tests/temp_dir.h"

namespace dcu {

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

// A store whose every operation fails with `status`, e.g. no session bus.
class FailingSecretStore : public SecretStore {
 public:
  explicit FailingSecretStore(Status status) : status_(std::move(status)) {}
  StatusOr<Credential> Get(const std::string&) override { return status_; }
  Status Put(const Credential&) override { return status_; }
  Status Erase(const std::string&) override { return status_; }
  StatusOr<std::map<std::string, std::string>> List() override { return status_; }

 private:
  Status status_;
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
    env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = temp_dir_.path + "/cache";
  }
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
  // Every store opened from now on fails with status.
  void BreakStore(const Status& status) {
    platform_.open_secret_store = [status]() -> std::unique_ptr<SecretStore> {
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
  Platform platform_;
  TempDir temp_dir_;
  int opens_ = 0;
};

}  // namespace dcu
