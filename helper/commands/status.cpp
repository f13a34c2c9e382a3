#include "helper/commands/commands.h"

namespace dcu {

int RunStatus(Context& ctx, const Args&) {
  ctx.log.Error("status: not implemented yet");
  return 1;
}

}  // namespace dcu
