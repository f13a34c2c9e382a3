#include <catch2/catch.hpp>

#include <algorithm>

#include "helper/docker/wire.h"
#include "tests/doubles/harness.h"

namespace dcu {
namespace {

const char* kNotFound = "credentials not found in native keychain\n";

std::string StoreJson(const std::string& server, const std::string& user, const std::string& secret) {
  return "{\"ServerURL\":\"" + server + "\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret + "\"}\n";
}

TEST_CASE("actions: store, get, list, erase round trip", "[credential_actions]") {
  Harness h;
  RunResult stored = h.Run({"store"}, StoreJson("registry.example.com", "robot", "pw"));
  CHECK(stored.code == 0);
  CHECK(stored.out.empty());

  RunResult got = h.Run({"get"}, "registry.example.com");
  CHECK(got.code == 0);
  CHECK(got.out == "{\"ServerURL\":\"registry.example.com\",\"Username\":\"robot\",\"Secret\":\"pw\"}\n");

  RunResult listed = h.Run({"list"}, "unused");
  CHECK(listed.code == 0);
  CHECK(listed.out == "{\"registry.example.com\":\"robot\"}\n");

  CHECK(h.Run({"erase"}, "registry.example.com").code == 0);
  CHECK(h.Run({"get"}, "registry.example.com").out == kNotFound);
  CHECK(h.Run({"list"}).out == "{}\n");
}

TEST_CASE("actions: every client's spelling finds the same entry", "[credential_actions]") {
  Harness h;
  REQUIRE(h.Run({"store"}, StoreJson("registry.example.com", "robot", "pw")).code == 0);
  for (const char* url : {"registry.example.com", "registry.example.com:443", "https://registry.example.com:443",
                          "http://registry.example.com:443", "https://registry.example.com",
                          "http://registry.example.com", "https://registry.example.com/", "registry.example.com\n"}) {
    INFO(url);
    RunResult r = h.Run({"get"}, url);
    CHECK(r.code == 0);
    // get echoes the URL it was asked for, trimmed, as the Go helpers do.
    CHECK(r.out.find("\"ServerURL\":\"" + std::string(url).substr(0, std::string(url).find('\n')) + "\"") !=
          std::string::npos);
    CHECK(r.out.find("\"Secret\":\"pw\"") != std::string::npos);
  }
  // docker logout erases four spellings; the first one already removes it.
  for (const char* url : {"registry.example.com", "registry.example.com", "http://registry.example.com",
                          "https://registry.example.com"}) {
    CHECK(h.Run({"erase"}, url).code == 0);
  }
  CHECK(h.Run({"get"}, "registry.example.com").out == kNotFound);
}

TEST_CASE("actions: Docker Hub under its names", "[credential_actions]") {
  Harness h;
  REQUIRE(h.Run({"store"}, StoreJson("https://index.docker.io/v1/", "me", "pw")).code == 0);
  CHECK(h.Run({"get"}, "docker.io").code == 0);
  CHECK(h.Run({"get"}, "registry-1.docker.io").code == 0);
  RunResult listed = h.Run({"list"});
  CHECK(listed.out == "{\"https://index.docker.io/v1/\":\"me\"}\n");
}

TEST_CASE("actions: list keys are accepted by get", "[credential_actions]") {
  Harness h;
  for (const char* url : {"https://a.example:5000/v2/", "[::1]:5000", "docker.io", "B.example"}) {
    REQUIRE(h.Run({"store"}, StoreJson(url, "u", "s")).code == 0);
  }
  RunResult listed = h.Run({"list"});
  REQUIRE(listed.code == 0);
  CHECK(listed.out ==
        "{\"[::1]:5000\":\"u\",\"a.example:5000\":\"u\",\"b.example\":\"u\","
        "\"https://index.docker.io/v1/\":\"u\"}\n");
  for (const char* key : {"[::1]:5000", "a.example:5000", "b.example", "https://index.docker.io/v1/"}) {
    INFO(key);
    CHECK(h.Run({"get"}, key).code == 0);
  }
}

TEST_CASE("actions: empty secret and identity tokens round-trip", "[credential_actions]") {
  Harness h;
  REQUIRE(h.Run({"store"}, StoreJson("a.example", "u", "")).code == 0);
  CHECK(h.Run({"get"}, "a.example").out == "{\"ServerURL\":\"a.example\",\"Username\":\"u\",\"Secret\":\"\"}\n");
  REQUIRE(h.Run({"store"}, StoreJson("b.example", "<token>", "refresh-token")).code == 0);
  CHECK(h.Run({"get"}, "b.example").out ==
        "{\"ServerURL\":\"b.example\",\"Username\":\"<token>\",\"Secret\":\"refresh-token\"}\n");
}

TEST_CASE("actions: missing fields give the protocol's exact errors", "[credential_actions]") {
  Harness h;
  RunResult no_url = h.Run({"store"}, R"({"Username":"u","Secret":"s"})");
  CHECK(no_url.code == 1);
  CHECK(no_url.out == "no credentials server URL\n");
  RunResult no_user = h.Run({"store"}, R"({"ServerURL":"h","Secret":"s"})");
  CHECK(no_user.code == 1);
  CHECK(no_user.out == "no credentials username\n");
  for (const char* input : {"", "  \n", "\t"}) {
    CHECK(h.Run({"get"}, input).out == "no credentials server URL\n");
    CHECK(h.Run({"erase"}, input).out == "no credentials server URL\n");
  }
  CHECK(h.Run({"get"}, "absent.example").out == kNotFound);
  CHECK(h.Run({"get"}, "absent.example").code == 1);
  CHECK(h.Run({"erase"}, "absent.example").code == 0);
}

TEST_CASE("actions: bad input changes nothing and names the problem in one line", "[credential_actions]") {
  Harness h;
  REQUIRE(h.Run({"store"}, StoreJson("a.example", "u", "keep")).code == 0);
  const std::string bad[] = {
      "{not json",
      "[\"a.example\"]",
      R"({"ServerURL":"a.example","Username":"u","Secret":42})",
      StoreJson("ftp://a.example", "u", "replaced"),
      StoreJson("a.example:99999", "u", "replaced"),
      std::string(kMaxInputBytes + 1, ' '),
  };
  for (const std::string& input : bad) {
    RunResult r = h.Run({"store"}, input);
    CHECK(r.code == 1);
    CHECK(r.out.rfind("docker-credential-upbound: error: ", 0) == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(r.out.find("replaced") == std::string::npos);
  }
  CHECK(h.Run({"get"}, "a.example").out.find("\"Secret\":\"keep\"") != std::string::npos);
  CHECK(h.Run({"list"}).out == "{\"a.example\":\"u\"}\n");
}

TEST_CASE("actions: a URL that cannot be a registry is simply not found", "[credential_actions]") {
  Harness h;
  CHECK(h.Run({"get"}, "ftp://x").out == kNotFound);
  CHECK(h.Run({"erase"}, "ftp://x").code == 0);
}

TEST_CASE("actions: hostile store input is refused before the store is opened", "[credential_actions]") {
  Harness h;
  const std::string bad[] = {
      R"({"ServerURL":"a.example","Username":"u","Secret":"replaced","n":1e400})",
      R"({"ServerURL":"a.example","Username":"rob\u0000ot","Secret":"replaced"})",
      R"({"ServerURL":"a.example","Username":"robot\u001b[2J","Secret":"replaced"})",
      R"({"ServerURL":"a.example\u0000evil","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"a.example\nSECOND LINE","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"https://robot:PASSWORD@a.example","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"a.example#x@evil.example","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"a.example?x@evil.example","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"a..example","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":".a.example","Username":"u","Secret":"replaced"})",
      R"({"ServerURL":"a.example..","Username":"u","Secret":"replaced"})",
  };
  for (const std::string& input : bad) {
    INFO(input);
    RunResult r = h.Run({"store"}, input);
    CHECK(r.code == 1);
    CHECK(r.out.rfind("docker-credential-upbound: error: ", 0) == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(r.out.find('\0') == std::string::npos);
    CHECK(r.out.find("replaced") == std::string::npos);
    CHECK(r.out.find("PASSWORD") == std::string::npos);
    CHECK(r.out.find("SECOND LINE") == std::string::npos);
  }
  CHECK(h.opens() == 0);
}

TEST_CASE("actions: a NUL in the Secret is kept, byte for byte", "[credential_actions]") {
  // Secrets are opaque bytes (wire.h): stored and returned whole, never cut.
  Harness h;
  REQUIRE(h.Run({"store"}, R"({"ServerURL":"a.example","Username":"u","Secret":"pa\u0000ss"})").code == 0);
  CHECK(h.Run({"get"}, "a.example").out ==
        "{\"ServerURL\":\"a.example\",\"Username\":\"u\",\"Secret\":\"pa\\u0000ss\"}\n");
}

TEST_CASE("actions: an ambiguous host gets nothing and asks nobody", "[credential_actions]") {
  Harness h;
  h.env["OVERRIDE_REGISTRY_ENDPOINT"] = "xpkg.upbound.io";
  h.env["UP_ROBOT_TOKEN"] = "eyJhbGciOiJub25lIn0.eyJqdGkiOiIwMTIzLWFiY2QifQ.c2ln";
  for (const char* url : {"xpkg.upbound.io..", ".xpkg.upbound.io", "xpkg..upbound.io", "user@xpkg.upbound.io",
                          "https://user:pw@xpkg.upbound.io/", "evil.example@xpkg.upbound.io",
                          "xpkg.upbound.io#frag@evil.example", "xpkg.upbound.io?x@evil.example",
                          "https://xpkg.upbound.io#@evil.example/"}) {
    INFO(url);
    RunResult got = h.Run({"get"}, url);
    CHECK(got.code == 1);
    CHECK(got.out == kNotFound);
    CHECK(h.Run({"erase"}, url).code == 0);
  }
  CHECK(h.http.requests().empty());
  CHECK(h.opens() == 0);
}

TEST_CASE("actions: store errors are one line with context", "[credential_actions]") {
  Harness h;
  h.BreakStore(Status::Unavailable("keyring: the default collection is locked"));
  const char* line = "docker-credential-upbound: error: keyring: the default collection is locked\n";
  CHECK(h.Run({"get"}, "a.example").out == line);
  CHECK(h.Run({"store"}, StoreJson("a.example", "u", "s")).out == line);
  CHECK(h.Run({"erase"}, "a.example").out == line);
  RunResult listed = h.Run({"list"});
  CHECK(listed.out == line);
  CHECK(listed.code == 1);
}

}  // namespace
}  // namespace dcu
