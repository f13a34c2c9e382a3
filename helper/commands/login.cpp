#include "helper/commands/commands.h"

namespace dcu {

int RunLogin(Context& ctx, const Args&) {
  ctx.log.Error("login: not implemented yet");
  return 1;
}

}  // namespace dcu
