// One invocation's Context: settings loaded once, services opened on first
// use with what the settings say.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "helper/context.h"
#include "tests/doubles/fake_http.h"
#include "tests/doubles/memory_secret_store.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

struct Fixture {
  Fixture() {
    system.open_secret_store = [this](const SecretStoreOptions& options) {
      ++store_opens;
      keyring = options;
      return NewMemorySecretStore();
    };
    system.open_http = [this](const HttpOptions& options) {
      ++http_opens;
      http_options = options;
      return http.NewTransport();
    };
    system.fs = DefaultFileSystem();
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir.path + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  StatusOr<HttpResponse> Send(Context& ctx) {
    return ctx.Http().Send(HttpRequest{"GET", "https://api.upbound.io/", {}, ""},
                           std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }

  TempDir dir;
  FakeHttp http;
  System system;
  int store_opens = 0;
  int http_opens = 0;
  SecretStoreOptions keyring;
  HttpOptions http_options;
  std::istringstream in;
  std::ostringstream out, err;
};

TEST_CASE("context: settings load once; a bad one is reported every time", "[context]") {
  Fixture f;
  Env env{{"UP_DEBUG", "1"}};
  Context ctx(env, f.in, f.out, f.err, f.system);
  REQUIRE(ctx.LoadSettings().ok());
  CHECK(ctx.log.debug());
  CHECK(&ctx.settings() == &ctx.settings());

  Env bad{{"DOCKER_CREDENTIAL_UPBOUND_TIMEOUT", "x"}};
  Context broken(bad, f.in, f.out, f.err, f.system);
  CHECK(broken.LoadSettings().message().find("DOCKER_CREDENTIAL_UPBOUND_TIMEOUT") != std::string::npos);
  CHECK_FALSE(broken.LoadSettings().ok());
}

TEST_CASE("context: the store opens once, with the keyring settings", "[context]") {
  Fixture f;
  Env env{{"DOCKER_CREDENTIAL_UPBOUND_KEYRING_TIMEOUT", "9"}, {"DBUS_SESSION_BUS_ADDRESS", "unix:path=/x"}};
  Context ctx(env, f.in, f.out, f.err, f.system);
  REQUIRE(ctx.LoadSettings().ok());
  CHECK(f.store_opens == 0);
  REQUIRE(ctx.Store().Put({"h.io", "u", "s"}).ok());
  CHECK(ctx.Store().Get("h.io")->secret == "s");
  CHECK(f.store_opens == 1);
  CHECK(f.keyring.timeout_seconds == 9);
  CHECK(f.keyring.session_bus_address == "unix:path=/x");
}

TEST_CASE("context: the CA bundle is read through the file system and handed over as text", "[context]") {
  Fixture f;
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  Env env{{"UP_CA_BUNDLE", f.Write("ca.pem", pem)}};
  Context ctx(env, f.in, f.out, f.err, f.system);
  REQUIRE(ctx.LoadSettings().ok());
  CHECK(f.http_opens == 0);  // nothing is opened before a request
  f.http.Respond(200);
  REQUIRE(f.Send(ctx).ok());
  CHECK(f.http_opens == 1);
  CHECK(f.http_options.extra_ca_pem == pem);
}

TEST_CASE("context: an unreadable or empty CA bundle fails the request, naming the file", "[context]") {
  Fixture f;
  for (const std::string& path : {std::string("/nonexistent/ca.pem"), f.Write("empty.pem", "not a certificate")}) {
    INFO(path);
    Env env{{"UP_CA_BUNDLE", path}};
    Context ctx(env, f.in, f.out, f.err, f.system);
    REQUIRE(ctx.LoadSettings().ok());
    StatusOr<HttpResponse> r = f.Send(ctx);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidInput);
    CHECK(r.status().message().find(path) != std::string::npos);
  }
  CHECK(f.http_opens == 0);
}

TEST_CASE("context: the proxy variables are handed over, lower case first", "[context]") {
  Fixture f;
  Env env{{"HTTP_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:2"}, {"HTTPS_PROXY", "http://upper:2"},
          {"ALL_PROXY", "http://all:3"}, {"no_proxy", ""}, {"NO_PROXY", "example.com"}};
  Context ctx(env, f.in, f.out, f.err, f.system);
  REQUIRE(ctx.LoadSettings().ok());
  f.http.Respond(200);
  REQUIRE(f.Send(ctx).ok());
  CHECK(f.http_options.http_proxy == "http://upper:1");
  CHECK(f.http_options.https_proxy == "http://lower:2");
  CHECK(f.http_options.all_proxy == "http://all:3");
  CHECK(f.http_options.no_proxy == "example.com");  // an empty lower-case one counts as unset
}

}  // namespace
}  // namespace dcu
