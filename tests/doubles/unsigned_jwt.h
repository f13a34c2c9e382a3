// An unsigned JWT with the given claims, as tests need for tokens whose
// signature nobody checks (a kubelet's service-account token, a robot token).
#pragma once

#include <string>

#include "helper/base/encoding.h"

namespace dcu {

inline std::string UnsignedJwt(const std::string& claims) {
  auto url = [](std::string b64) {
    for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return b64;
  };
  return url(Base64Encode(R"({"alg":"RS256","kid":"test"})")) + "." + url(Base64Encode(claims)) + ".c2ln";
}

}  // namespace dcu
