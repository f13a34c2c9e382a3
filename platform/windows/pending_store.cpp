// TEMPORARY (issue 11 in progress): replaced by the Credential Manager store.
#include "helper/system/secret_store.h"

namespace dcu {
namespace {
class PendingStore : public SecretStore {
 public:
  StatusOr<Credential> Get(const std::string&) override { return Status::Unavailable("pending"); }
  Status Put(const Credential&) override { return Status::Unavailable("pending"); }
  Status Erase(const std::string&) override { return Status::Unavailable("pending"); }
  StatusOr<std::map<std::string, std::string>> List() override { return Status::Unavailable("pending"); }
};
}  // namespace
std::unique_ptr<SecretStore> NewSystemSecretStore(const SecretStoreOptions&) {
  return std::make_unique<PendingStore>();
}
}  // namespace dcu
