// Upbound's answers to the two exchanges, through ExchangeRobotToken as a
// get sends them: the session login (POST /v1/login: its status, Set-Cookie
// values and body) and the org-scoped token exchange (its JSON body). The
// first byte picks the exchange (bit 0) and whether the robot token is one
// with bytes that are not UTF-8 (bit 1: UP_ROBOT_TOKEN and a legacy
// keyring item's secret can be any bytes); the rest is the scripted
// answers (tests/fuzz/scripted_http.h), retried as the real client retries.
//
// Properties: nothing is sent but to the configured endpoint; a failure
// never quotes the robot token; a credential has a secret and a lifetime
// of at most 30 days from now, can be cached (Save, then Load gives it back
// equal) and is printed to Docker byte for byte.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "helper/docker/wire.h"
#include "helper/upbound/exchange.h"
#include "helper/upbound/token_cache.h"
#include "tests/fuzz/memory_file_system.h"
#include "tests/fuzz/scripted_http.h"

namespace {

const char* const kSecret = "robot-token-secret";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  dcu::Settings settings;
  settings.api_endpoint = "https://api.upbound.io";
  settings.auth_endpoint = "https://auth.upbound.io";
  settings.exchange = (data[0] & 1) != 0 ? dcu::ExchangeKind::kOrgToken : dcu::ExchangeKind::kSession;
  settings.organization = "acme";
  const std::string endpoint =
      settings.exchange == dcu::ExchangeKind::kOrgToken ? settings.auth_endpoint : settings.api_endpoint;

  dcu::FakeHttp http;
  dcu::QueueScriptedAnswers(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), http);
  dcu::NullLog log;
  dcu::HttpClient client = dcu::ScriptedClient(http, log.log);
  dcu::RobotToken robot{"robot-id", kSecret, "fuzz"};
  if ((data[0] & 2) != 0) {
    robot.access_id += "\xff";
    robot.token += "\xc3";
  }
  const std::int64_t now = 1'800'000'000;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  dcu::StatusOr<dcu::RegistryCredential> cred = dcu::ExchangeRobotToken(settings, robot, client, now, deadline);

  for (const dcu::HttpRequest& request : http.requests()) {
    if (request.url.compare(0, endpoint.size() + 1, endpoint + "/") != 0) std::abort();  // sent elsewhere
  }
  if (!cred.ok()) {
    const std::string answers(reinterpret_cast<const char*>(data), size);
    if (answers.find(kSecret) == std::string::npos && cred.status().message().find(kSecret) != std::string::npos) {
      std::abort();  // quoted the robot token (unless Upbound sent it back)
    }
    dcu::Code code = cred.status().code();
    bool bad_token = (data[0] & 2) != 0 && code == dcu::Code::kInvalidInput && http.requests().empty();
    if (code != dcu::Code::kUnavailable && code != dcu::Code::kUnauthenticated && !bad_token) std::abort();
    return 0;
  }
  if (cred->username != "_token" || cred->secret.empty() || cred->obtained_at != now ||
      cred->expires_at <= now || cred->expires_at - now > dcu::kMaxLifetimeSeconds) {
    std::abort();
  }
  // Docker gets exactly the secret Upbound issued.
  nlohmann::json printed =
      nlohmann::json::parse(dcu::FormatGetResponse("xpkg.upbound.io", cred->username, cred->secret));
  if (printed.at("Secret").get<std::string>() != cred->secret) std::abort();
  // The cache keeps it as it is.
  dcu::MemoryFileSystem fs;
  fs.now = now;
  dcu::TokenCache cache(fs, "/cache");
  if (!cache.Save("xpkg.upbound.io", "identity", *cred).ok()) std::abort();
  dcu::StatusOr<dcu::RegistryCredential> back = cache.Load("xpkg.upbound.io", "identity");
  if (!back.ok() || back->secret != cred->secret || back->expires_at != cred->expires_at) std::abort();
  return 0;
}
