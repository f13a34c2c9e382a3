#include "helper/commands/commands.h"

namespace dcu {

int RunDoctor(Context& ctx, const Args&) {
  ctx.log.Error("doctor: not implemented yet");
  return 1;
}

}  // namespace dcu
