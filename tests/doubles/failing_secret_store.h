// A SecretStore whose every operation fails with one Status, e.g. no
// session bus.
#pragma once

#include <map>
#include <string>

#include "helper/system/secret_store.h"

namespace dcu {

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

}  // namespace dcu
