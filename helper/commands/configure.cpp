#include "helper/commands/commands.h"

namespace dcu {

int RunConfigure(Context& ctx, const Args&) {
  ctx.log.Error("configure: not implemented yet");
  return 1;
}

}  // namespace dcu
