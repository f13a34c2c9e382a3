#include <catch2/catch.hpp>

#include "tests/doubles/memory_secret_store.h"
#include "tests/secret_store_contract.h"

namespace dcu {
namespace {

TEST_CASE("memory store: the SecretStore contract", "[memory_secret_store]") {
  std::unique_ptr<SecretStore> store = NewMemorySecretStore();
  CheckSecretStoreContract(*store, "");
}

}  // namespace
}  // namespace dcu
