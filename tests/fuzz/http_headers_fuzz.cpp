// What servers send in headers: Set-Cookie (session lifetime, cookie
// values), HTTP dates, and the registry's WWW-Authenticate challenge.
// Retry-After (delta-seconds or a date; at most a day, negative when
// unreadable) and the case-insensitive header lookups.
// Input: header values separated by newlines.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "helper/net/http_date.h"
#include "helper/net/retry.h"
#include "helper/system/http_transport.h"
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
  if (dcu::ParseBearerChallenge(values, &realm, &service) && realm.empty()) __builtin_trap();
  dcu::HttpResponse response;
  for (const std::string& value : values) {
    auto wait = dcu::ParseRetryAfter(value, now);
    if (wait > std::chrono::hours(24)) __builtin_trap();  // must be bounded
    std::size_t colon = value.find(':');
    response.headers.emplace_back(value.substr(0, colon), colon == std::string::npos ? "" : value.substr(colon + 1));
  }
  if (!values.empty() && !values[0].empty()) {
    std::string name = values[0].substr(0, values[0].find(':'));
    std::vector<std::string> all = response.AllHeaders(name);
    if (all.empty() || response.Header(name) != all.front()) __builtin_trap();
  }
  return 0;
}
