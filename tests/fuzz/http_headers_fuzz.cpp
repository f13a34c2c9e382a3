// What servers send in headers: Set-Cookie (session lifetime, cookie
// values), HTTP dates, and the registry's WWW-Authenticate challenge.
// Input: header values separated by newlines.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "helper/net/http_date.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/registry_credential.h"
#include "helper/upbound/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> values;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    values.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  (void)dcu::ParseHttpDate(input);
  auto now = std::chrono::system_clock::now();
  for (const std::string& value : values) {
    std::int64_t lifetime = dcu::SessionLifetime(value, 3600, now);
    if (lifetime > dcu::kMaxLifetimeSeconds) __builtin_trap();  // must be clamped
  }
  std::string whole;
  (void)dcu::CookieValue(values, "SID", &whole);
  std::string realm, service;
  (void)dcu::ParseBearerChallenge(values, &realm, &service);
  return 0;
}
