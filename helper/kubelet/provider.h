// The kubelet's image credential provider (exec plugin): one
// CredentialProviderRequest on stdin, one CredentialProviderResponse on
// stdout, the same credential `get` would give (exchanges, token sources,
// cache, single flight, verification), and per organization its own robot
// token, limited to the namespaces it lists in service-account token mode.
//
// Exit 0 with a response whenever the kubelet should go on: with the
// credential, or with an empty auth (an image on another registry, no
// token, a namespace not allowed). Exit 1 with one line on stderr (the
// kubelet attaches it to its error) and nothing on stdout for a request it
// cannot answer: malformed JSON, a wrong kind, an unknown apiVersion, a
// missing or unparsable image, broken settings, an Upbound that cannot be
// reached.
#pragma once

#include <cstdint>
#include <optional>

#include "helper/context.h"
#include "helper/upbound/registry_credential.h"

namespace dcu::kubelet {

// The whole call answers within this many seconds, whatever the settings'
// timeout says (the kubelet kills a plugin after one minute).
inline constexpr int kMaxSeconds = 30;
// A last resort: the process ends with one line after this many seconds.
inline constexpr int kWatchdogSeconds = 45;

int RunKubelet(Context& ctx);

// How long the kubelet may cache cred, at Unix time now: an exchanged
// credential until the helper would refresh it (then until it stops being
// usable); a verified direct pair for what is left of its verification
// period; an unverified pair not at all (0); nullopt (the provider
// config's defaultCacheDuration) for a pair never verified by choice
// (verify_period 0). Never negative.
std::optional<std::int64_t> CacheSeconds(const RegistryCredential& cred, int verify_period, std::int64_t now);

}  // namespace dcu::kubelet
