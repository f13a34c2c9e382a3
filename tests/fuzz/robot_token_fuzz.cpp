// A robot token file ({"accessId","token"}) and the JWT claims read from
// tokens: parsed, never crashing.
#include <cstdint>
#include <string>

#include "helper/upbound/robot_token.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  dcu::StatusOr<dcu::RobotToken> robot = dcu::ParseRobotTokenJson(input, "fuzz");
  if (robot.ok()) (void)dcu::LoginId(*robot);
  (void)dcu::JwtClaims(input);
  dcu::RobotToken bare{"id", input, "fuzz"};
  (void)dcu::LoginId(bare);
  return 0;
}
