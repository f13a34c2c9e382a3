#include "helper/upbound/cache_identity.h"

#include "helper/base/sha256.h"

namespace dcu {

std::string ExchangeIdentity(const Settings& s, const std::string& source) {
  std::string endpoint = s.exchange == ExchangeKind::kOrgToken ? s.auth_endpoint : s.api_endpoint;
  return std::string(ExchangeKindName(s.exchange)) + "\n" + endpoint + "\n" + s.organization + "\n" + source;
}

std::string VerdictIdentity(const Settings& s, const RobotToken& robot) {
  return "verify\n" + s.registry_endpoint + "\n" + Sha256Hex(robot.access_id + "\n" + robot.token);
}

}  // namespace dcu
