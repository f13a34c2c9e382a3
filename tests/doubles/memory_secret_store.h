// A SecretStore in process memory, the double every unit test uses.
#pragma once

#include <memory>

#include "helper/system/secret_store.h"

namespace dcu {

std::unique_ptr<SecretStore> NewMemorySecretStore();

}  // namespace dcu
