// configure's edit of a client's auth file, on any file: never an internal
// error or a crash, and what it writes is valid JSON that says what was
// meant (AddCredHelpers checks that itself; Internal would mean it failed).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "helper/commands/cred_helpers.h"
#include "helper/commands/json_edit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  dcu::StatusOr<dcu::CredHelpersChange> added = dcu::AddCredHelpers(text, {"xpkg.upbound.io", "127.0.0.1:5000"});
  if (!added.ok() && added.status().code() == dcu::Code::kInternal) std::abort();
  if (added.ok()) {
    if (!dcu::CheckJsonObject(added->text).ok()) std::abort();
    dcu::StatusOr<dcu::CredHelpersRemoval> removed = dcu::RemoveCredHelpers(added->text);
    if (!removed.ok()) std::abort();
    dcu::StatusOr<dcu::CredHelpersChange> again = dcu::AddCredHelpers(added->text, {"xpkg.upbound.io", "127.0.0.1:5000"});
    if (!again.ok() || again->changed()) std::abort();  // not idempotent
  }
  dcu::StatusOr<dcu::CredHelpersRemoval> removed = dcu::RemoveCredHelpers(text);
  if (!removed.ok() && removed.status().code() == dcu::Code::kInternal) std::abort();
  return 0;
}
