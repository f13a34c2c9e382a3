// Runs against the real Secret Service on the session bus; tests/run.sh
// starts a private bus and gnome-keyring for it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>

#include "helper/system/secret_store.h"
#include "tests/secret_store_contract.h"

namespace dcu {
namespace {

// What main() would hand the store: the bus that tests/run.sh started.
SecretStoreOptions FromEnvironment() {
  SecretStoreOptions options;
  const char* bus = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  options.session_bus_address = bus != nullptr ? bus : "";
  options.runtime_dir = runtime != nullptr ? runtime : "";
  return options;
}

TEST_CASE("libsecret store: the SecretStore contract", "[libsecret_store]") {
  std::unique_ptr<SecretStore> store = NewSystemSecretStore(FromEnvironment());
  CheckSecretStoreContract(*store, "contract-" + std::to_string(getpid()) + ".");
}

TEST_CASE("libsecret store: a large secret survives", "[libsecret_store]") {
  std::unique_ptr<SecretStore> store = NewSystemSecretStore(FromEnvironment());
  std::string secret;
  for (int i = 0; i < 65536; ++i) secret.push_back(static_cast<char>(i % 256));
  const std::string server = "large-" + std::to_string(getpid()) + ".example";
  REQUIRE(store->Put({server, "robot", secret}).ok());
  StatusOr<Credential> got = NewSystemSecretStore(FromEnvironment())->Get(server);
  REQUIRE(got.ok());
  CHECK(got->secret == secret);
  REQUIRE(store->Erase(server).ok());
}

}  // namespace
}  // namespace dcu
