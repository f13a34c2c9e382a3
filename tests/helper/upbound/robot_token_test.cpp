#include <catch2/catch.hpp>

#include "helper/upbound/robot_token.h"
#include "helper/system/file_system.h"
#include "tests/doubles/memory_secret_store.h"

namespace dcu {
namespace {

// {"alg":"none"} . {"jti":"0123-abcd","sub":"robot|ci"} . sig
const char* kJwt = "eyJhbGciOiJub25lIn0.eyJqdGkiOiIwMTIzLWFiY2QiLCJzdWIiOiJyb2JvdHxjaSJ9.c2ln";

TEST_CASE("robot token: the login id is the JWT's jti, else the access ID", "[robot_token]") {
  CHECK(JwtClaims(kJwt) == R"({"jti":"0123-abcd","sub":"robot|ci"})");
  CHECK(LoginId({"access", kJwt, ""}) == "0123-abcd");
  CHECK(LoginId({"access", "opaque-token", ""}) == "access");
  CHECK(JwtClaims("not.a-jwt!") == "");
}

TEST_CASE("robot token: the file format of up robot token create", "[robot_token]") {
  StatusOr<RobotToken> ok = ParseRobotTokenJson(R"({"accessId":"a1","token":"t1"})", "f");
  REQUIRE(ok.ok());
  CHECK(ok->access_id == "a1");
  CHECK(ok->token == "t1");
  CHECK(ParseRobotTokenJson(R"({"token":"t1"})", "f").status().message() == "f: \"accessId\" is missing");
  CHECK(ParseRobotTokenJson(R"({"accessId":"a1"})", "f").status().message() == "f: \"token\" is missing");
  StatusOr<RobotToken> bad = ParseRobotTokenJson("{", "f");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("not a JSON object") != std::string::npos);
}

TEST_CASE("robot token: sources in order file, environment, store", "[robot_token]") {
  std::unique_ptr<SecretStore> store = NewMemorySecretStore();
  REQUIRE(store->Put({"xpkg.upbound.io", "stored-id", "stored-token"}).ok());
  auto open = [&store]() -> SecretStore& { return *store; };

  Settings s;
  StatusOr<RobotToken> from_store = LoadRobotToken(s, "xpkg.upbound.io", *DefaultFileSystem(), open);
  REQUIRE(from_store.ok());
  CHECK(from_store->access_id == "stored-id");
  CHECK(LoadRobotToken(s, "other.example", *DefaultFileSystem(), open).status().IsNotFound());
  CHECK(*TokenSourceIdentity(s, *DefaultFileSystem()) == "keyring");

  s.robot_token = kJwt;
  StatusOr<RobotToken> from_env = LoadRobotToken(s, "xpkg.upbound.io", *DefaultFileSystem(), open);
  REQUIRE(from_env.ok());
  CHECK(from_env->access_id == "0123-abcd");  // from the jti
  CHECK(from_env->token == kJwt);
  std::string env_identity = *TokenSourceIdentity(s, *DefaultFileSystem());
  CHECK(env_identity.rfind("env:", 0) == 0);
  CHECK(env_identity.find(kJwt) == std::string::npos);
  s.robot_token = "another";
  s.robot_access_id = "x";
  CHECK(*TokenSourceIdentity(s, *DefaultFileSystem()) != env_identity);
  s.robot_access_id = "";
  CHECK(LoadRobotToken(s, "xpkg.upbound.io", *DefaultFileSystem(), open).status().message() ==
        "UP_ROBOT_TOKEN is not a JWT: set UP_ROBOT_ACCESS_ID too");

  s.robot_token_file = "/nonexistent/token.json";
  StatusOr<RobotToken> missing = LoadRobotToken(s, "xpkg.upbound.io", *DefaultFileSystem(), open);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() == "UP_ROBOT_TOKEN_FILE /nonexistent/token.json: cannot be read");
  CHECK_FALSE(TokenSourceIdentity(s, *DefaultFileSystem()).ok());
}

}  // namespace
}  // namespace dcu
