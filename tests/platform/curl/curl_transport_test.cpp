// The libcurl transport against real servers on loopback: a small HTTP/1.1
// server thread in this process, and `openssl s_server` for TLS. Nothing
// here touches the network.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "helper/base/log.h"
#include "helper/net/http_client.h"
#include "helper/system/http_transport.h"
#include "tests/loopback_servers.h"

namespace dcu {
namespace {

using testing::Child;
using testing::Http;
using testing::LoopbackServer;
using testing::SeenRequest;
using testing::Spawn;
using testing::TlsServer;

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The routes the tests use.
std::string Route(const SeenRequest& r, int client) {
  const std::string& t = r.target;
  if (r.method == "CONNECT") return Http(403, "Forbidden", "", "");
  if (t.rfind("/echo", 0) == 0) {
    return Http(200, "OK", "Content-Type: text/plain\r\nX-Reply: yes\r\n", "you sent: " + r.body);
  }
  if (t == "/cookies") return Http(200, "OK", "Set-Cookie: a=1\r\nset-cookie: b=2\r\n", "");
  if (t == "/500") return Http(500, "Internal Server Error", "", "oops");
  if (t == "/429") return Http(429, "Too Many Requests", "Retry-After: 7\r\n", "slow down");
  if (t == "/302") return Http(302, "Found", "Location: /echo\r\n", "");
  if (t == "/big") return Http(200, "OK", "", std::string(2 << 20, 'x'));
  if (t == "/interim") {
    return "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
           Http(200, "OK", "X-Final: 1\r\n", "done");
  }
  if (t == "/slow") {
    LoopbackServer::Stall(client, 10000);
    return Http(200, "OK", "", "too late");
  }
  return Http(404, "Not Found", "", "");
}

HttpTransport& Transport() {
  static std::unique_ptr<HttpTransport> transport = NewHttpTransport(HttpOptions{});
  return *transport;
}

Clock::time_point In(int ms) { return Clock::now() + milliseconds(ms); }

// The core's send path over the real transport, as the helper sends: the
// URL policy first, one attempt (no retry), diagnostics to log.
HttpClient ClientOver(HttpTransport& transport, Log& log) {
  RetryPolicy once;
  once.max_attempts = 1;
  struct Borrowed : HttpTransport {
    explicit Borrowed(HttpTransport& t) : target(t) {}
    StatusOr<HttpResponse> Send(const HttpRequest& r, Clock::time_point d) override { return target.Send(r, d); }
    HttpTransport& target;
  };
  return HttpClient(
      [&transport]() -> StatusOr<std::unique_ptr<HttpTransport>> {
        return std::unique_ptr<HttpTransport>(std::make_unique<Borrowed>(transport));
      },
      once, log);
}

bool LibcurlMapped() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libcurl") != std::string::npos) return true;
  }
  return false;
}

// Runs in a fresh process (see the next test): nothing else in it has sent.
TEST_CASE("curl transport: libcurl is loaded by the first send only", "[.curl-not-loaded]") {
  std::unique_ptr<HttpTransport> transport = NewHttpTransport(HttpOptions{});
  CHECK_FALSE(LibcurlMapped());
  // A refused URL is rejected before loading libcurl.
  std::ostringstream err;
  Log log(err);
  HttpClient client = ClientOver(*transport, log);
  CHECK_FALSE(client.Send(HttpRequest{"GET", "http://example.com/", {}, ""}, In(5000)).ok());
  CHECK_FALSE(LibcurlMapped());
  LoopbackServer server(Route);
  REQUIRE(transport->Send(HttpRequest{"GET", server.Url("/echo"), {}, ""}, In(5000)).ok());
  CHECK(LibcurlMapped());
}

TEST_CASE("curl transport: creating a transport does not load libcurl", "[curl]") {
  // /proc/self/maps of this process may already show libcurl (another test
  // sent), so the check runs in a child: this binary, one hidden test.
  Child child = Spawn({"/proc/self/exe", "[.curl-not-loaded]"});
  std::string output = child.ReadAll();
  INFO(output);
  CHECK(child.Wait() == 0);
  CHECK(output.find("All tests passed") != std::string::npos);
}

TEST_CASE("curl transport: GET and POST round-trip headers and body", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> get = Transport().Send(
      HttpRequest{"GET", server.Url("/echo?q=1"), {{"Accept", "application/json"}, {"X-Empty", ""}}, ""},
      In(5000));
  REQUIRE(get.ok());
  CHECK(get->status == 200);
  CHECK(get->Header("x-reply") == "yes");
  CHECK(get->Header("Content-Type") == "text/plain");
  CHECK(get->body == "you sent: ");

  StatusOr<HttpResponse> post = Transport().Send(
      HttpRequest{"POST", server.Url("/echo"),
                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer t0k"}},
                  R"({"token":"s3cret"})"},
      In(5000));
  REQUIRE(post.ok());
  CHECK(post->status == 200);
  CHECK(post->body == R"(you sent: {"token":"s3cret"})");

  std::vector<SeenRequest> seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/echo?q=1");
  CHECK(seen[0].Header("Accept") == "application/json");
  CHECK(seen[0].Header("X-Empty").empty());
  CHECK(seen[0].body.empty());
  CHECK(seen[1].method == "POST");
  CHECK(seen[1].Header("Authorization") == "Bearer t0k");
  CHECK(seen[1].Header("Content-Type") == "application/json");
  CHECK(seen[1].Header("Expect").empty());
  CHECK(seen[1].body == R"({"token":"s3cret"})");
}

TEST_CASE("curl transport: every Set-Cookie is returned", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", server.Url("/cookies"), {}, ""}, In(5000));
  REQUIRE(r.ok());
  CHECK(r->AllHeaders("Set-Cookie") == std::vector<std::string>{"a=1", "b=2"});
}

TEST_CASE("curl transport: only the final response's headers are kept", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", server.Url("/interim"), {}, ""}, In(5000));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->Header("X-Final") == "1");
  CHECK(r->Header("Link").empty());
  CHECK(r->body == "done");
}

TEST_CASE("curl transport: error statuses are responses, not errors", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r500 = Transport().Send(HttpRequest{"GET", server.Url("/500"), {}, ""}, In(5000));
  REQUIRE(r500.ok());
  CHECK(r500->status == 500);
  CHECK(r500->body == "oops");
  StatusOr<HttpResponse> r429 = Transport().Send(HttpRequest{"GET", server.Url("/429"), {}, ""}, In(5000));
  REQUIRE(r429.ok());
  CHECK(r429->status == 429);
  CHECK(r429->Header("Retry-After") == "7");
}

TEST_CASE("curl transport: redirects are returned, not followed", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r = Transport().Send(
      HttpRequest{"POST", server.Url("/302"), {{"Authorization", "Bearer x"}}, "{}"}, In(5000));
  REQUIRE(r.ok());
  CHECK(r->status == 302);
  CHECK(r->Header("Location") == "/echo");
  CHECK(server.seen().size() == 1);
}

TEST_CASE("curl transport: a response over 1 MiB is refused", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", server.Url("/big"), {}, ""}, In(5000));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message().find("response too large") != std::string::npos);
}

TEST_CASE("curl transport: connection refused is Unavailable", "[curl]") {
  // A bound socket that does not listen: connecting to it is refused, and
  // no other process can take the port meanwhile.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x?token=SECRET";
  StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", url, {}, ""}, In(5000));
  close(fd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message().rfind("GET http://127.0.0.1:", 0) == 0);
  CHECK(r.status().message().find("/x: ") != std::string::npos);
  CHECK(r.status().message().find("SECRET") == std::string::npos);
}

TEST_CASE("curl transport: a stalled server times out at the deadline", "[curl]") {
  LoopbackServer server(Route);
  Clock::time_point start = Clock::now();
  StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", server.Url("/slow"), {}, ""}, In(1000));
  milliseconds took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message().find("timed out") != std::string::npos);
  CHECK(took >= milliseconds(900));
  CHECK(took < milliseconds(1000 + 2000));
}

TEST_CASE("curl transport: a deadline already past sends nothing", "[curl]") {
  LoopbackServer server(Route);
  StatusOr<HttpResponse> r =
      Transport().Send(HttpRequest{"GET", server.Url("/echo"), {}, ""}, Clock::now() - milliseconds(1));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kUnavailable);
  CHECK(r.status().message().find("timed out") != std::string::npos);
  CHECK(server.seen().empty());
}

TEST_CASE("curl transport: refused URLs and headers fail before connecting", "[curl]") {
  std::ostringstream err;
  Log log(err);
  StatusOr<HttpResponse> r = ClientOver(Transport(), log)
                                 .Send(HttpRequest{"GET", "http://example.com/x?token=SECRET", {}, ""}, In(5000));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidInput);
  CHECK(r.status().message().find("SECRET") == std::string::npos);

  LoopbackServer server(Route);
  r = Transport().Send(HttpRequest{"GET", server.Url("/echo"), {{"X-Bad", "a\r\nHost: evil"}}, ""},
                       In(5000));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidInput);
  CHECK(r.status().message().find("evil") == std::string::npos);
  r = Transport().Send(HttpRequest{"PUT", server.Url("/echo"), {}, ""}, In(5000));
  CHECK(r.status().code() == Code::kInvalidInput);
  CHECK(server.seen().empty());
}

// Sets (or unsets, for nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST_CASE("curl transport: proxies from the environment", "[curl]") {
  LoopbackServer proxy(Route);
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv no_lower_https("https_proxy", nullptr);
  ScopedEnv no_lower_http("http_proxy", nullptr);
  ScopedEnv no_all("all_proxy", nullptr), no_all_upper("ALL_PROXY", nullptr);
  ScopedEnv no_no_proxy("no_proxy", nullptr);

  SECTION("HTTPS_PROXY is used") {
    ScopedEnv https("HTTPS_PROXY", proxy_url.c_str());
    ScopedEnv no_proxy("NO_PROXY", nullptr);
    StatusOr<HttpResponse> r =
        Transport().Send(HttpRequest{"GET", "https://localhost:1/x", {}, ""}, In(5000));
    CHECK_FALSE(r.ok());  // the proxy refuses the tunnel
    std::vector<SeenRequest> seen = proxy.seen();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "CONNECT");
    CHECK(seen[0].target == "localhost:1");
  }
  SECTION("NO_PROXY is honoured") {
    ScopedEnv https("HTTPS_PROXY", proxy_url.c_str());
    ScopedEnv no_proxy("NO_PROXY", "localhost");
    StatusOr<HttpResponse> r =
        Transport().Send(HttpRequest{"GET", "https://localhost:1/x", {}, ""}, In(5000));
    CHECK_FALSE(r.ok());  // port 1 refuses
    CHECK(proxy.seen().empty());
  }
  SECTION("upper-case HTTP_PROXY is ignored, as libcurl means it to be") {
    // Under CGI, HTTP_PROXY is set by a request's "Proxy:" header.
    ScopedEnv http("HTTP_PROXY", proxy_url.c_str());
    LoopbackServer target(Route);
    StatusOr<HttpResponse> r = Transport().Send(HttpRequest{"GET", target.Url("/echo"), {}, ""}, In(5000));
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(proxy.seen().empty());
  }
}

TEST_CASE("curl transport: debug prints one line per request, without secrets", "[curl]") {
  LoopbackServer server(Route);
  std::unique_ptr<HttpTransport> transport = NewHttpTransport(HttpOptions{});
  std::ostringstream err;
  Log debug(err);
  debug.set_debug(true);
  HttpClient client = ClientOver(*transport, debug);
  StatusOr<HttpResponse> r = client.Send(
      HttpRequest{"POST", server.Url("/echo?token=SECRET"), {{"Authorization", "Bearer SECRET"}}, "SECRET"},
      In(5000));
  StatusOr<HttpResponse> refused =
      client.Send(HttpRequest{"GET", "http://admin:SECRET@evil.com/", {}, ""}, In(5000));
  std::string log = err.str();
  REQUIRE(r.ok());
  INFO(log);
  CHECK(log.find("POST " + server.Url("/echo") + " -> 200 (") != std::string::npos);
  CHECK(log.find("SECRET") == std::string::npos);
  CHECK(log.find("GET http://evil.com/ -> failed (") != std::string::npos);
  CHECK(std::count(log.begin(), log.end(), '\n') == 2);
}

TEST_CASE("curl transport: TLS is verified; ca_bundle adds a CA", "[curl]") {
  if (access("/usr/bin/openssl", X_OK) != 0) {
    WARN("skipped: /usr/bin/openssl is not installed");
    return;
  }
  TlsServer server;
  // Generous deadlines: under valgrind (tests/memcheck.sh) a handshake
  // takes seconds, and this test is about trust, not time.
  StatusOr<HttpResponse> untrusted = Transport().Send(HttpRequest{"GET", server.Url(), {}, ""}, In(30000));
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.status().code() == Code::kUnavailable);
  INFO(untrusted.status().message());
  CHECK(untrusted.status().message().find("certificate") != std::string::npos);

  // The core reads the CA bundle (helper/context.cpp) and hands over its text.
  std::ifstream cert(server.cert());
  std::string pem((std::istreambuf_iterator<char>(cert)), std::istreambuf_iterator<char>());
  REQUIRE(pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos);
  HttpOptions options;
  options.extra_ca_pem = pem;
  options.connect_timeout = milliseconds(30000);
  std::unique_ptr<HttpTransport> trusting = NewHttpTransport(options);
  StatusOr<HttpResponse> trusted = trusting->Send(HttpRequest{"GET", server.Url(), {}, ""}, In(30000));
  INFO((trusted.ok() ? "" : trusted.status().message()));
  REQUIRE(trusted.ok());
  CHECK(trusted->status == 200);
}

}  // namespace
}  // namespace dcu
