// The Docker credential-helper protocol's actions (store, get, erase, list),
// as docker-credential-helpers' credentials.go defines them.
#pragma once

#include "helper/base/status.h"
#include "helper/context.h"

namespace dcu {

// Each reads its input from ctx.in, prints the result or one error line on
// ctx.out, and returns the exit code.
int RunStore(Context& ctx);
int RunGet(Context& ctx);
int RunErase(Context& ctx);
int RunList(Context& ctx);

// Prints a failed Status as the one line clients show, and returns 1.
int ReportError(Context& ctx, const Status& status);

}  // namespace dcu
