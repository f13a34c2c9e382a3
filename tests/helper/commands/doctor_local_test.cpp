// doctor's checks 1 to 5 (the binary, Docker's and containers' files, the
// secret store, the robot token): a good setup, then each broken alone.
#include "tests/helper/commands/doctor_fixture.h"

namespace dcu {
namespace {

using F = DoctorFixture;

TEST_CASE("doctor: a good setup passes every check", "[doctor]") {
  F f;
  RunResult r = f.Run();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  for (int n : {1, 2, 3, 4, 5, 6, 8}) CHECK(F::Verdict(r.out, n) == "ok");
  CHECK(F::Verdict(r.out, 7) == "skipped");
  CHECK(F::Line(r.out, 1).find(f.Path("bin/docker-credential-upbound")) != std::string::npos);
  CHECK(F::Line(r.out, 5).find("access ID robot-id") != std::string::npos);
  CHECK(F::Line(r.out, 7).find("direct: nothing to exchange") != std::string::npos);
  CHECK(F::Line(r.out, 8).find("accepted robot robot-id") != std::string::npos);
  CHECK(r.out.find("fix:") == std::string::npos);
  CHECK(r.out.find("8 checks: 7 ok, 0 failed, 0 warnings, 1 skipped") != std::string::npos);
}

TEST_CASE("doctor 1: the binary missing from PATH, or not executable", "[doctor]") {
  F f;
  f.h.env["PATH"] = f.Path("nowhere") + ":" + f.Path("empty");
  RunResult r = f.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 1) == "FAIL");
  CHECK(F::Line(r.out, 1).find("no executable docker-credential-upbound in any PATH directory") != std::string::npos);
#ifdef _WIN32
  CHECK(F::Fix(r.out, 1) == "copy docker-credential-upbound.exe into a directory on PATH (or add its directory to PATH)");
#else
  CHECK(F::Fix(r.out, 1).find("install -m 0755 docker-credential-upbound /usr/local/bin/") != std::string::npos);
#endif
  CHECK(F::Verdict(r.out, 2) == "ok");  // the others are untouched

#ifdef _WIN32
  // Found as Docker's exec.LookPath finds it: PATH split at ';', PATHEXT's
  // extensions tried in turn, in any case.
  F g;
  g.h.env["PATH"] = g.Path("nowhere") + ";" + g.Path("cmd");
  g.h.env["PATHEXT"] = ".COM;.Exe;.BAT";
  g.Write("cmd/docker-credential-upbound.bat", "@echo off\r\n");
  r = g.Run();
  CHECK(F::Verdict(r.out, 1) == "ok");
  CHECK(F::Line(r.out, 1).find(g.Path("cmd/docker-credential-upbound.bat")) != std::string::npos);
#else
  F g;
  g.Write("bin/docker-credential-upbound", "#!/bin/sh\n", 0644);
  r = g.Run();
  CHECK(r.code == 1);
  CHECK(F::Line(r.out, 1).find("is not executable") != std::string::npos);
  CHECK(F::Fix(r.out, 1) == "chmod 755 " + g.Path("bin/docker-credential-upbound"));
#endif
}

TEST_CASE("doctor 2: Docker's config.json missing, not JSON, without credHelpers", "[doctor]") {
  F missing;
  REQUIRE(std::remove(missing.Path("docker/config.json").c_str()) == 0);
  RunResult r = missing.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 2) == "FAIL");
  CHECK(F::Line(r.out, 2).find("config.json does not exist") != std::string::npos);
  CHECK(F::Fix(r.out, 2) == "docker-credential-upbound configure docker");

  F invalid;
  invalid.Write("docker/config.json", R"({"credHelpers":)");
  r = invalid.Run();
  CHECK(F::Verdict(r.out, 2) == "FAIL");
  CHECK(F::Line(r.out, 2).find("not a JSON object") != std::string::npos);
  CHECK(F::Fix(r.out, 2).find("repair the JSON in " + invalid.Path("docker/config.json")) != std::string::npos);
  CHECK(F::Verdict(r.out, 3) == "ok");  // REGISTRY_AUTH_FILE: containers/image reads no other file

  F none;
  none.Write("docker/config.json", R"({"auths":{}})");
  r = none.Run();
  CHECK(F::Verdict(r.out, 2) == "FAIL");
  CHECK(F::Line(r.out, 2).find("no credHelpers entry for xpkg.example.test") != std::string::npos);
  CHECK(F::Fix(r.out, 2) == "docker-credential-upbound configure docker");

  F other;
  other.Write("docker/config.json", R"({"credHelpers":{"xpkg.example.test":"up"}})");
  r = other.Run();
  CHECK(F::Line(r.out, 2).find("is \"up\", so Docker runs docker-credential-up") != std::string::npos);

  // What a file holds reaches the terminal without control characters.
  F escape;
  escape.Write("docker/config.json", R"({"credHelpers":{"xpkg.example.test":"x\u001b]0;owned\u0007"}})");
  r = escape.Run();
  CHECK(F::Line(r.out, 2).find("is \"x?]0;owned?\"") != std::string::npos);
  CHECK(r.out.find('\x1b') == std::string::npos);
}

TEST_CASE("doctor 2: the credsStore and auths traps", "[doctor]") {
  F store;
  store.Write("docker/config.json", R"({"credsStore":"desktop","credHelpers":{"xpkg.example.test":"upbound"}})");
  RunResult r = store.Run();
  CHECK(r.code == 0);  // a warning: Docker itself still asks the helper
  CHECK(F::Verdict(r.out, 2) == "warning");
  CHECK(F::Line(r.out, 2).find("podman, skopeo and buildah ignore credsStore") != std::string::npos);
  CHECK(F::Line(r.out, 2).find("nerdctl asks it for HOST:443") != std::string::npos);
  CHECK(!F::Fix(r.out, 2).empty());

  F store_only;
  store_only.Write("docker/config.json", R"({"credsStore":"upbound"})");
  r = store_only.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 2) == "FAIL");
  CHECK(F::Line(r.out, 2).find("credsStore \"upbound\"") != std::string::npos);

  for (const char* key : {"xpkg.example.test", "https://xpkg.example.test", "xpkg.example.test/acme",
                          "https://xpkg.example.test/v1/", "XPKG.example.test:443"}) {
    INFO(key);
    F auths;
    auths.Write("docker/config.json", std::string(R"({"auths":{")") + key +
                                          R"(":{"auth":"cm9ib3QtaWQ6c2VjcmV0"}},"credHelpers":{"xpkg.example.test":"upbound"}})");
    r = auths.Run();
    CHECK(r.code == 1);
    CHECK(F::Verdict(r.out, 2) == "FAIL");
    CHECK(F::Line(r.out, 2).find(std::string("\"auths\" entry \"") + key + "\" holds a stored token") != std::string::npos);
    CHECK(F::Fix(r.out, 2).find(std::string("delete \"auths\".\"") + key + "\" from " + auths.Path("docker/config.json")) !=
          std::string::npos);
    CHECK(r.out.find("cm9ib3QtaWQ6c2VjcmV0") == std::string::npos);
  }
  // An entry without a credential, or for another registry, is no trap.
  F harmless;
  harmless.Write("docker/config.json", R"({"auths":{"xpkg.example.test":{},"ghcr.io":{"auth":"eA=="}},)"
                                        R"("credHelpers":{"xpkg.example.test":"upbound"}})");
  CHECK(harmless.Run().code == 0);
}

TEST_CASE("doctor 3: containers' files, in the order containers/image reads them", "[doctor]") {
  // Without REGISTRY_AUTH_FILE: $XDG_RUNTIME_DIR/containers/auth.json comes first.
  auto runtime = [](F& f) {
    f.h.env.erase("REGISTRY_AUTH_FILE");
    f.h.env["XDG_RUNTIME_DIR"] = f.Path("run");
  };
  F wins;
  runtime(wins);
  wins.Write("run/containers/auth.json", R"({"auths":{"xpkg.example.test":{"auth":"eDp5"}}})");
  RunResult r = wins.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 3) == "FAIL");
  CHECK(F::Line(r.out, 3).find("\"auths\" entry \"xpkg.example.test\" in " + wins.Path("run/containers/auth.json")) !=
        std::string::npos);
  CHECK(F::Fix(r.out, 3) == "podman logout xpkg.example.test");

  F ns;
  runtime(ns);
  ns.Write("run/containers/auth.json", R"({"auths":{"xpkg.example.test/acme":{"auth":"eDp5"}}})");
  r = ns.Run();
  CHECK(F::Verdict(r.out, 3) == "FAIL");
  CHECK(F::Line(r.out, 3).find("for images under it") != std::string::npos);
  CHECK(F::Fix(r.out, 3) == "podman logout xpkg.example.test/acme");

  // After `podman logout --all` the auth file has no credHelpers; Docker's
  // config.json, read later, still names the helper.
  F caught;
  runtime(caught);
  caught.Write("run/containers/auth.json", R"({"auths":{}})");
  r = caught.Run();
  CHECK(r.code == 0);
  CHECK(F::Line(r.out, 3).find("credHelpers in " + caught.Path("docker/config.json")) != std::string::npos);

  F lost;
  lost.Write("auth.json", R"({"auths":{}})");
  r = lost.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 3) == "FAIL");
  CHECK(F::Line(r.out, 3).find("podman logout --all removes them") != std::string::npos);
  CHECK(F::Fix(r.out, 3) == "docker-credential-upbound configure containers");

  F invalid;
  invalid.Write("auth.json", "not json");
  r = invalid.Run();
  CHECK(F::Verdict(r.out, 3) == "FAIL");
  CHECK(F::Fix(r.out, 3) == "repair the JSON in " + invalid.Path("auth.json") + " by hand");
}

TEST_CASE("doctor 4: the secret store unavailable", "[doctor]") {
  // The token comes from a file: a warning only.
  F file;
  file.h.BreakStore(Status::Unavailable("keyring: the collection is locked"));
  RunResult r = file.Run();
  CHECK(r.code == 0);
  CHECK(F::Verdict(r.out, 4) == "warning");
  CHECK(F::Line(r.out, 4).find("keyring: the collection is locked (not needed now") != std::string::npos);

  // The store is where the token is: both 4 and 5 fail.
  F stored;
  stored.h.env.erase("UP_ROBOT_TOKEN_FILE");
  stored.h.BreakStore(Status::Unavailable("keyring: the collection is locked"));
  r = stored.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 4) == "FAIL");
  CHECK(F::Fix(r.out, 4).find("unlock the Secret Service keyring") != std::string::npos);
  CHECK(F::Verdict(r.out, 5) == "FAIL");
  CHECK(F::Verdict(r.out, 8) == "skipped");
}

TEST_CASE("doctor 5: no token, a stored token, a loose token file", "[doctor]") {
  F none;
  none.h.env.erase("UP_ROBOT_TOKEN_FILE");
  RunResult r = none.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 5) == "FAIL");
  CHECK(F::Line(r.out, 5).find("xpkg.example.test: no robot token") != std::string::npos);
  CHECK(F::Fix(r.out, 5) == "docker-credential-upbound login --server xpkg.example.test --token-file FILE");
  CHECK(F::Line(r.out, 8) .find("skipped: xpkg.example.test: no robot token (check 5)") != std::string::npos);

  F stored;
  stored.h.env.erase("UP_ROBOT_TOKEN_FILE");
  REQUIRE(stored.h.store().Put({kHost, "robot-id", kRobotSecret}).ok());
  r = stored.Run();
  CHECK(r.code == 0);
  CHECK(F::Line(r.out, 5).find("the robot token stored for xpkg.example.test, access ID robot-id") != std::string::npos);

#ifndef _WIN32  // modes; access lists: windows_file_system_test.cpp
  F loose;
  REQUIRE(chmod(loose.Path("token.json").c_str(), 0644) == 0);
  r = loose.Run();
  CHECK(r.code == 1);
  CHECK(F::Verdict(r.out, 5) == "FAIL");
  CHECK(F::Line(r.out, 5).find("open to other users (mode 0644)") != std::string::npos);
  CHECK(F::Fix(r.out, 5) == "chmod 600 " + loose.Path("token.json"));
#endif

  F malformed;
  malformed.Write("token.json", R"({"accessId":"robot-id"})", 0600);
  r = malformed.Run();
  CHECK(F::Verdict(r.out, 5) == "FAIL");
  CHECK(F::Line(r.out, 5).find("\"token\" is missing") != std::string::npos);
}

}  // namespace
}  // namespace dcu

namespace dcu {
namespace {

TEST_CASE("doctor 5 and 8: each organization's token file too", "[doctor]") {
  DoctorFixture f;
  f.Write("beta.json", std::string(R"({"accessId":"robot-id","token":")") + kRobotSecret + "\"}", 0600);
  f.Write("helper.json", R"({"organizations":[{"name":"beta","prefix":"xpkg.example.test/beta","robotTokenFile":")" +
                             f.Path("beta.json") + "\"}]}");
  f.h.env["DOCKER_CREDENTIAL_UPBOUND_CONFIG"] = f.Path("helper.json");
  RunResult r = f.Run();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(DoctorFixture::Line(r.out, 5).find("xpkg.example.test/beta: organization beta's robotTokenFile " +
                                           f.Path("beta.json") + ", access ID robot-id") != std::string::npos);
  CHECK(DoctorFixture::Line(r.out, 8).find("xpkg.example.test/beta: xpkg.example.test accepted robot robot-id") !=
        std::string::npos);

#ifndef _WIN32
  REQUIRE(chmod(f.Path("beta.json").c_str(), 0640) == 0);
  r = f.Run();
  CHECK(r.code == 1);
  CHECK(DoctorFixture::Fix(r.out, 5) == "chmod 600 " + f.Path("beta.json"));
#endif
}

}  // namespace
}  // namespace dcu
