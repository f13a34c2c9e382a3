// The commands a person runs (the protocol actions are in helper/docker/
// and helper/kubelet/). Each is one row of the table in helper/cli.cpp,
// which parses its flags before it runs. A command prints its result on
// ctx.out, its failures with ctx.log.Error (one line each), and returns
// the exit code.
#pragma once

#include "helper/commands/args.h"
#include "helper/context.h"

namespace dcu {

int RunLogin(Context& ctx, const Args& args);
int RunLogout(Context& ctx, const Args& args);
int RunStatus(Context& ctx, const Args& args);
int RunDoctor(Context& ctx, const Args& args);
int RunConfigure(Context& ctx, const Args& args);

}  // namespace dcu
