// The kubelet's CredentialProviderRequest and CredentialProviderResponse as
// JSON text. Pure functions over strings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "helper/base/status.h"

namespace dcu::kubelet {

struct ProviderRequest {
  std::string api_version;  // one of kApiVersions
  std::string image;
  // The pod's service-account token (KEP-4412), "" when none: a secret,
  // never printed, never sent anywhere, never returned.
  std::string service_account_token;
};

// One JSON object with apiVersion (a known version), kind
// CredentialProviderRequest and a string image; serviceAccountToken and
// serviceAccountAnnotations are optional; unknown fields are ignored, so a
// newer kubelet's additions do not break the plugin. InvalidInput with one
// line that never quotes the token, for anything else.
StatusOr<ProviderRequest> ParseProviderRequest(const std::string& input);

struct AuthEntry {
  std::string username;
  std::string password;
};

struct ProviderResponse {
  std::string api_version;      // the request's, exactly
  std::string cache_key_type;   // kCacheByImage or kCacheByRegistry
  // How long the kubelet may cache the answer; nullopt leaves the field out,
  // so the provider config's defaultCacheDuration applies; 0: not at all.
  std::optional<std::int64_t> cache_seconds;
  std::map<std::string, AuthEntry> auth;  // key: registry host or image prefix
};

// The response as one line of JSON and a newline, with exactly the fields
// the kubelet's types define (apiVersion, kind, cacheKeyType, cacheDuration,
// auth with username and password), in that order; auth is {} when empty.
std::string FormatProviderResponse(const ProviderResponse& response);

// seconds as Go's time.Duration prints it (metav1.Duration's JSON form):
// "0s", "45s", "1m5s", "59m58s", "1h0m0s", "720h0m0s". Negative gives "0s".
std::string GoDuration(std::int64_t seconds);

}  // namespace dcu::kubelet
