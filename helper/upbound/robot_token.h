// Robot tokens: where they come from and what identifies them.
//
// Sources, first match wins: UP_ROBOT_TOKEN_FILE (a file as `up robot
// token create` writes it), UP_ROBOT_TOKEN (+ UP_ROBOT_ACCESS_ID), then the
// secret store entry for the registry (what `docker login -u <accessId>
// -p <token>` stored).
#pragma once

#include <functional>
#include <string>

#include "helper/settings.h"
#include "helper/base/status.h"
#include "helper/system/file_system.h"
#include "helper/system/secret_store.h"

namespace dcu {

struct RobotToken {
  std::string access_id;
  std::string token;   // the secret
  std::string origin;  // for messages, e.g. "UP_ROBOT_TOKEN_FILE /etc/upbound/token.json"
};

// What the cached credential derives from, with no secret in it: a digest
// of an environment token, the token file's fingerprint (no read), or
// "keyring" (store and erase invalidate the cache for that source).
StatusOr<std::string> TokenSourceIdentity(const Settings& settings, FileSystem& fs);

// The robot token for registry key `host`, a token file read through fs;
// store() is called only when the secret store is the source. NotFound when
// no source has one.
StatusOr<RobotToken> LoadRobotToken(const Settings& settings, const std::string& host, FileSystem& fs,
                                    const std::function<SecretStore&()>& store);

// Parses {"accessId":..,"token":..}; `origin` names the source in errors.
StatusOr<RobotToken> ParseRobotTokenJson(const std::string& text, const std::string& origin);

// The id Upbound's login takes: the token's jti when it is a JWT, else the
// access ID.
std::string LoginId(const RobotToken& robot);

// The claims of a JWT as JSON text (not verified), or "" if not a JWT.
std::string JwtClaims(const std::string& token);

}  // namespace dcu
