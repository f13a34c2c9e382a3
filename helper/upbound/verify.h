// Asks a registry's token service whether it accepts a robot pair, exactly
// as `docker login` does (UPBOUND.md, "Registry token service"): GET /v2/,
// read the Bearer challenge, then GET realm?service=... with Basic
// credentials and no scope. The pair goes only to a realm on the
// registry's own host name (any port) or on one of settings.realm_hosts.
#pragma once

#include <chrono>
#include <string>

#include "helper/net/http_client.h"
#include "helper/settings.h"
#include "helper/upbound/robot_token.h"

namespace dcu {

struct PairCheck {
  enum Outcome {
    kAccepted,  // the token service (or a registry without one) took it
    kRejected,  // 401/403 from the token service
    kRefused,   // the challenge named a realm the pair may not be sent to
    kUnknown,   // the registry or its realm could not be asked
  };
  Outcome outcome = kUnknown;
  std::string reason;  // a sentence for messages; never a secret
};

// What to ask a registry's token service, and as whom.
struct TokenRequest {
  std::string username;
  std::string password;  // a secret
  std::string who;       // for messages: "robot <access ID>", "the session"
  std::string scope;     // "" asks with no scope, as docker login does
};

// The /v2/ challenge, then the token realm with request's Basic
// credentials (and scope), under the same realm rules as VerifyPair.
// When accepted and issued is given, *issued is the token the service
// returned (a secret; "" when the registry asked for no credentials or
// answered without one).
PairCheck AskTokenService(const Settings& settings, const std::string& host, const TokenRequest& request,
                          HttpClient& http, HttpClient& probe, std::chrono::steady_clock::time_point deadline,
                          std::string* issued = nullptr);

// Whether a credential may be sent to realm, a token realm the registry
// `host` named: on the registry's own host name or on settings.realm_hosts.
bool TokenRealmAllowed(const Settings& settings, const std::string& host, const std::string& realm);

// host: the canonical registry key. http sends with the usual retries;
// probe (one attempt) tries https first on a loopback registry, which
// may serve plain http, as Docker treats loopback registries.
PairCheck VerifyPair(const Settings& settings, const std::string& host, const RobotToken& robot,
                     HttpClient& http, HttpClient& probe, std::chrono::steady_clock::time_point deadline);

// The parameters of the Bearer challenge among WWW-Authenticate values:
// false when there is none. Exposed for tests.
bool ParseBearerChallenge(const std::vector<std::string>& headers, std::string* realm, std::string* service);

}  // namespace dcu
