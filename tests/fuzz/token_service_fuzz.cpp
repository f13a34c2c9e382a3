// A registry's answers to the pair check, through AskTokenService as get
// and login send it: GET /v2/ (status, WWW-Authenticate challenge), then
// the token realm (status, the token in its JSON body). The first byte
// picks the registry (Upbound's, or a loopback one that may speak plain
// http), whether a scope is asked, and whether the access ID holds bytes
// that are not UTF-8 (UP_ROBOT_ACCESS_ID can be any bytes); the rest is the scripted answers
// (tests/fuzz/scripted_http.h).
//
// Properties: the Basic pair goes only to the registry's own host name or
// a realmHosts entry; nothing is sent before the challenge; the reason
// never quotes the pair's secret or the issued token; a refused realm is
// never asked; and the verdict made of the reason is cached and read back
// equal, as get caches it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "helper/base/host_port.h"
#include "helper/commands/doctor/repository_probe.h"
#include "helper/docker/registry_key.h"
#include "helper/upbound/token_cache.h"
#include "helper/upbound/verify.h"
#include "tests/fuzz/memory_file_system.h"
#include "tests/fuzz/scripted_http.h"
#include "tests/fuzz/utf8.h"

namespace {

const char* const kSecret = "robot-token-secret";

std::string HostName(const std::string& key) {
  dcu::StatusOr<dcu::HostPort> parsed = dcu::ParseHostPort(key);
  return parsed.ok() ? parsed->host : key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  dcu::Settings settings;
  bool loopback = (data[0] & 1) != 0;
  settings.registry_endpoint = loopback ? "https://127.0.0.1:5000" : "https://xpkg.upbound.io";
  settings.realm_hosts = {"auth.example.com", "127.0.0.2:8443"};
  const std::string host = loopback ? "127.0.0.1:5000" : "xpkg.upbound.io";
  const std::string id = (data[0] & 4) != 0 ? "robot-\xff-id" : "robot-id";
  dcu::TokenRequest request{id, kSecret, "robot " + id, (data[0] & 2) != 0 ? "repository:acme/x:pull" : ""};

  dcu::FakeHttp fake;
  dcu::QueueScriptedAnswers(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), fake);
  dcu::NullLog log;
  dcu::HttpClient http = dcu::ScriptedClient(fake, log.log);
  dcu::HttpClient probe = dcu::ScriptedClient(fake, log.log, 1);
  std::string issued;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  dcu::PairCheck check = dcu::AskTokenService(settings, host, request, http, probe, deadline, &issued);

  bool asked_elsewhere = false;
  for (std::size_t i = 0; i < fake.requests().size(); ++i) {
    const dcu::HttpRequest& sent = fake.requests()[i];
    bool authorized = false;
    for (const auto& [name, value] : sent.headers) authorized = authorized || name == "Authorization";
    if (!authorized) continue;
    // The URL's scheme and authority only: a query may follow the host directly.
    std::size_t authority = sent.url.find("://");
    if (authority == std::string::npos) std::abort();
    dcu::StatusOr<std::string> to =
        dcu::NormalizeRegistryKey(sent.url.substr(0, sent.url.find_first_of("/?#", authority + 3)));
    if (!to.ok()) std::abort();
    bool allowed = HostName(*to) == HostName(host);
    for (const std::string& realm_host : settings.realm_hosts) allowed = allowed || *to == realm_host;
    if (!allowed) std::abort();  // the pair went to a host nobody configured
    std::string host_part = sent.url.substr(authority + 3, sent.url.find_first_of("/?#", authority + 3) - authority - 3);
    if (host_part.find('@') != std::string::npos) std::abort();  // user info in the authority
    asked_elsewhere = asked_elsewhere || HostName(*to) != HostName(host);
  }
  if (!fake.requests().empty() && !fake.requests()[0].headers.empty()) std::abort();  // before the challenge
  if (check.outcome == dcu::PairCheck::kRefused && asked_elsewhere) std::abort();
  // (Unless the registry named it itself: the reason quotes the realm.)
  const std::string answers(reinterpret_cast<const char*>(data), size);
  if (answers.find(kSecret) == std::string::npos && check.reason.find(kSecret) != std::string::npos) std::abort();
  // (A token of a few bytes can be a word of any sentence: "t-" is in "robot-id".)
  if (issued.size() >= 12 && check.reason.find(issued) != std::string::npos) std::abort();
  if (check.outcome != dcu::PairCheck::kAccepted && !issued.empty()) std::abort();
  if (!issued.empty()) {
    // doctor reads the access an issued token grants from its claims.
    bool is_jwt = false;
    for (const std::string& action : dcu::doctor::GrantedActions(issued, "acme/x", &is_jwt)) {
      if (!is_jwt) std::abort();
      (void)action;
    }
  }

  if (check.outcome == dcu::PairCheck::kUnknown) return 0;
  dcu::MemoryFileSystem fs;
  dcu::TokenCache cache(fs, "/cache");
  dcu::Verdict v{check.outcome == dcu::PairCheck::kAccepted   ? dcu::Verdict::kAccepted
                 : check.outcome == dcu::PairCheck::kRejected ? dcu::Verdict::kRejected
                                                              : dcu::Verdict::kRefused,
                 check.reason, fs.Now(), fs.Now() + 600};
  if (!cache.SaveVerdict(host, "identity", v).ok()) std::abort();
  dcu::StatusOr<dcu::Verdict> back = cache.LoadVerdict(host, "identity");
  // A reason that is not UTF-8 (it quotes the access ID) is kept with
  // its bad bytes replaced.
  if (!back.ok() || back->kind != v.kind || (dcu::IsUtf8(v.reason) && back->reason != v.reason)) std::abort();
  return 0;
}
