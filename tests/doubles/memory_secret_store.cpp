#include <map>
#include <memory>
#include <string>

#include "helper/base/wipe.h"
#include "tests/doubles/memory_secret_store.h"

namespace dcu {
namespace {

class MemorySecretStore : public SecretStore {
 public:
  ~MemorySecretStore() override {
    for (auto& entry : entries_) Wipe(entry.second.secret);
  }

  StatusOr<Credential> Get(const std::string& server) override {
    auto it = entries_.find(server);
    if (it == entries_.end()) return Status::NotFound("memory store: " + server);
    return it->second;
  }

  Status Put(const Credential& cred) override {
    Erase(cred.server).ok();
    entries_[cred.server] = cred;
    return Status::Ok();
  }

  Status Erase(const std::string& server) override {
    auto it = entries_.find(server);
    if (it != entries_.end()) {
      Wipe(it->second.secret);
      entries_.erase(it);
    }
    return Status::Ok();
  }

  StatusOr<std::map<std::string, std::string>> List() override {
    std::map<std::string, std::string> out;
    for (const auto& entry : entries_) out[entry.first] = entry.second.username;
    return out;
  }

 private:
  std::map<std::string, Credential> entries_;
};

}  // namespace

std::unique_ptr<SecretStore> NewMemorySecretStore() {
  return std::make_unique<MemorySecretStore>();
}

}  // namespace dcu
