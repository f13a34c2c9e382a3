// The credential-helper protocol's actions over a SecretStore.
#pragma once

#include <iosfwd>
#include <memory>

#include "helper/cli.h"
#include "helper/status.h"

namespace dcu {

struct ActionContext {
  const Env& env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  const Platform& platform;
  std::unique_ptr<SecretStore> store;  // opened on first use

  SecretStore& Store();
};

// Each returns the exit code, having printed the result or one error line.
int RunStore(ActionContext& ctx);
int RunGet(ActionContext& ctx);
int RunErase(ActionContext& ctx);
int RunList(ActionContext& ctx);

// Prints a failed Status as the one line clients show, and returns 1.
int ReportError(ActionContext& ctx, const Status& status);

}  // namespace dcu
