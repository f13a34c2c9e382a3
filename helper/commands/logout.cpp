#include "helper/commands/commands.h"

namespace dcu {

int RunLogout(Context& ctx, const Args&) {
  ctx.log.Error("logout: not implemented yet");
  return 1;
}

}  // namespace dcu
