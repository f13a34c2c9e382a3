// The proxy choice, as pure rules: no request is sent here (the transport's
// test sends through a loopback proxy).
#include <catch2/catch.hpp>

#include "platform/windows/winhttp_proxy.h"

namespace dcu {
namespace {

TEST_CASE("winhttp proxy: the variables, NO_PROXY and loopback decide", "[windows]") {
  using win::ChooseProxy;
  using win::ProxyChoice;
  HttpOptions o;
  CHECK(ChooseProxy(o, true, "registry.example")->kind == ProxyChoice::kSystem);
  CHECK(ChooseProxy(o, true, "localhost")->kind == ProxyChoice::kDirect);
  o.https_proxy = "http://user:p%40ss@proxy.corp:3128/";
  o.all_proxy = "proxy.all";
  StatusOr<ProxyChoice> named = ChooseProxy(o, true, "registry.example");
  REQUIRE(named.ok());
  CHECK(named->kind == ProxyChoice::kNamed);
  CHECK(named->server == "proxy.corp:3128");
  CHECK(named->shown == "http://proxy.corp:3128");
  CHECK(named->username == "user");
  CHECK(named->password == "p@ss");
  CHECK(ChooseProxy(o, false, "registry.example")->server == "proxy.all:1080");  // ALL_PROXY, libcurl's port
  CHECK(ChooseProxy(o, true, "127.0.0.5")->kind == ProxyChoice::kDirect);
  CHECK(ChooseProxy(o, true, "[::1]")->kind == ProxyChoice::kDirect);
  o.no_proxy = "corp.example, .internal 10.0.0.0/8";
  CHECK(ChooseProxy(o, true, "xpkg.corp.example")->kind == ProxyChoice::kDirect);
  CHECK(ChooseProxy(o, true, "corp.example")->kind == ProxyChoice::kDirect);
  CHECK(ChooseProxy(o, true, "a.internal")->kind == ProxyChoice::kDirect);
  CHECK(ChooseProxy(o, true, "10.1.2.3")->kind == ProxyChoice::kDirect);
  CHECK(ChooseProxy(o, true, "11.1.2.3")->kind == ProxyChoice::kNamed);
  CHECK(ChooseProxy(o, true, "notcorp.example")->kind == ProxyChoice::kNamed);
  o.no_proxy = "*";
  CHECK(ChooseProxy(o, true, "registry.example")->kind == ProxyChoice::kDirect);
  o.no_proxy = "registry.example";
  o.https_proxy.clear();
  o.all_proxy.clear();
  CHECK(ChooseProxy(o, true, "registry.example")->kind == ProxyChoice::kDirect);  // the system's proxy bypassed
  o.no_proxy.clear();
  o.https_proxy = "socks5://proxy:1080";
  StatusOr<ProxyChoice> socks = ChooseProxy(o, true, "registry.example");
  REQUIRE_FALSE(socks.ok());
  CHECK(socks.status().code() == Code::kInvalidInput);
  CHECK(socks.status().message().find("HTTPS_PROXY") != std::string::npos);
  o.https_proxy = "http://u:SECRET@proxy:bad";
  StatusOr<ProxyChoice> bad = ChooseProxy(o, true, "registry.example");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("SECRET") == std::string::npos);
}

TEST_CASE("winhttp proxy: NO_PROXY entries as libcurl reads them", "[windows]") {
  using win::NoProxyMatches;
  CHECK(NoProxyMatches("*", "anything.example"));
  CHECK(NoProxyMatches(" example.com ,other", "EXAMPLE.com"));
  CHECK(NoProxyMatches(".example.com", "a.b.example.com"));
  CHECK(NoProxyMatches("example.com.", "example.com."));
  CHECK_FALSE(NoProxyMatches("example.com", "badexample.com"));
  CHECK_FALSE(NoProxyMatches("", "example.com"));
  CHECK_FALSE(NoProxyMatches("*.example.com", "a.example.com"));  // no wildcards but "*" alone, as libcurl
  CHECK(NoProxyMatches("192.168.0.0/16", "192.168.4.5"));
  CHECK_FALSE(NoProxyMatches("192.168.0.0/16", "192.169.0.1"));
  CHECK(NoProxyMatches("10.1.2.3", "10.1.2.3"));
  CHECK_FALSE(NoProxyMatches("10.1.2.3", "10.1.2.30"));
  CHECK(NoProxyMatches("::1,fd00::1", "[fd00::1]"));
  CHECK(win::IsLoopbackHost("LOCALHOST"));
  CHECK(win::IsLoopbackHost("app.localhost"));
  CHECK(win::IsLoopbackHost("127.255.0.1"));
  CHECK(win::IsLoopbackHost("[::1]"));
  CHECK_FALSE(win::IsLoopbackHost("128.0.0.1"));
  CHECK_FALSE(win::IsLoopbackHost("localhost.example"));
}

}  // namespace
}  // namespace dcu
