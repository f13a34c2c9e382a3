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

#include "helper/http.h"

namespace dcu {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct SeenRequest {
  std::string method, target, body;
  Headers headers;
  std::string Header(const std::string& name) const {
    HttpResponse r;
    r.headers = headers;
    return r.Header(name);
  }
};

// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1. `reply` gets the
// parsed request and the client socket (to stall on) and returns the raw
// bytes to send.
class LoopbackServer {
 public:
  using Reply = std::function<std::string(const SeenRequest&, int client)>;

  explicit LoopbackServer(Reply reply) : reply_(std::move(reply)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listener_, 8) == 0);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  std::vector<SeenRequest> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  // Waits up to `ms` for the client to send more or hang up: a stall that
  // ends as soon as curl gives up.
  static void Stall(int client, int ms) {
    pollfd p{client, POLLIN, 0};
    poll(&p, 1, ms);
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int client = accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      std::optional<SeenRequest> request = Read(client);
      if (request) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          seen_.push_back(*request);
        }
        std::string out = reply_(*request, client);
        size_t off = 0;
        while (off < out.size()) {
          ssize_t n = send(client, out.data() + off, out.size() - off, MSG_NOSIGNAL);
          if (n <= 0) break;
          off += static_cast<size_t>(n);
        }
      }
      close(client);
    }
  }

  static std::optional<SeenRequest> Read(int client) {
    std::string data;
    char buf[4096];
    size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      data.append(buf, static_cast<size_t>(n));
    }
    SeenRequest r;
    std::istringstream head(data.substr(0, end));
    std::string line;
    std::getline(head, line);
    std::istringstream first(line);
    first >> r.method >> r.target;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      size_t value = line.find_first_not_of(' ', colon + 1);
      r.headers.emplace_back(line.substr(0, colon),
                             value == std::string::npos ? "" : line.substr(value));
    }
    r.body = data.substr(end + 4);
    std::string length = r.Header("Content-Length");
    size_t want = length.empty() ? 0 : std::stoul(length);
    while (r.body.size() < want) {
      ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      r.body.append(buf, static_cast<size_t>(n));
    }
    return r;
  }

  Reply reply_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
  std::thread thread_;
};

std::string Http(int status, const std::string& reason, const std::string& headers,
                 const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

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
  static std::unique_ptr<HttpTransport> transport = NewCurlTransport(HttpOptions{});
  return *transport;
}

Clock::time_point In(int ms) { return Clock::now() + milliseconds(ms); }

bool LibcurlMapped() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libcurl") != std::string::npos) return true;
  }
  return false;
}

// A child process running argv with stdout and stderr on a pipe.
struct Child {
  pid_t pid = -1;
  int out = -1;
  // A line of output, or "" after `ms` of silence.
  std::string ReadLine(int ms) {
    std::string line;
    char c;
    pollfd p{out, POLLIN, 0};
    while (poll(&p, 1, ms) == 1 && read(out, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  std::string ReadAll() {
    std::string all;
    char buf[4096];
    ssize_t n;
    while ((n = read(out, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
    return all;
  }
  int Wait() {
    int status = 0;
    waitpid(pid, &status, 0);
    close(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void Kill() {
    if (pid <= 0) return;  // kill(-1) would signal every process we may
    kill(pid, SIGTERM);
    Wait();
    pid = -1;
  }
};

Child Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  Child child;
  child.pid = fork();
  REQUIRE(child.pid >= 0);
  if (child.pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  child.out = fds[0];
  return child;
}

// Runs in a fresh process (see the next test): nothing else in it has sent.
TEST_CASE("curl transport: libcurl is loaded by the first send only", "[.curl-not-loaded]") {
  std::unique_ptr<HttpTransport> transport = NewCurlTransport(HttpOptions{});
  CHECK_FALSE(LibcurlMapped());
  // A refused URL is rejected before loading libcurl.
  CHECK_FALSE(transport->Send(HttpRequest{"GET", "http://example.com/", {}, ""}, In(5000)).ok());
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
  StatusOr<HttpResponse> r =
      Transport().Send(HttpRequest{"GET", "http://example.com/x?token=SECRET", {}, ""}, In(5000));
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
  std::unique_ptr<HttpTransport> transport = NewCurlTransport(HttpOptions{"", true, milliseconds(5000)});
  char path[] = "/tmp/dcu-curl-debug-XXXXXX";
  int file = mkstemp(path);
  REQUIRE(file >= 0);
  fflush(stderr);
  int saved = dup(2);
  dup2(file, 2);
  StatusOr<HttpResponse> r = transport->Send(
      HttpRequest{"POST", server.Url("/echo?token=SECRET"), {{"Authorization", "Bearer SECRET"}}, "SECRET"},
      In(5000));
  StatusOr<HttpResponse> refused =
      transport->Send(HttpRequest{"GET", "http://admin:SECRET@evil.com/", {}, ""}, In(5000));
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(file);
  std::ifstream in(path);
  std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unlink(path);
  REQUIRE(r.ok());
  INFO(log);
  CHECK(log.find("POST " + server.Url("/echo") + " -> 200 (") != std::string::npos);
  CHECK(log.find("SECRET") == std::string::npos);
  CHECK(log.find("GET http://evil.com/ -> failed (") != std::string::npos);
  CHECK(std::count(log.begin(), log.end(), '\n') == 2);
}

TEST_CASE("curl transport: an unreadable ca_bundle is InvalidInput", "[curl]") {
  std::unique_ptr<HttpTransport> transport =
      NewCurlTransport(HttpOptions{"/nonexistent/ca.pem", false, milliseconds(5000)});
  StatusOr<HttpResponse> r =
      transport->Send(HttpRequest{"GET", "https://localhost:1/", {}, ""}, In(5000));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidInput);
  CHECK(r.status().message().find("/nonexistent/ca.pem") != std::string::npos);
}

// A TLS server (openssl s_server) with a fresh self-signed certificate for
// localhost and 127.0.0.1.
class TlsServer {
 public:
  TlsServer() {
    char dir[] = "/tmp/dcu-tls-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    dir_ = dir;
    Child gen = Spawn({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                       "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_ + "/key.pem",
                       "-out", cert(), "-subj", "/CN=localhost", "-addext",
                       "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1"});
    gen.ReadAll();
    REQUIRE(gen.Wait() == 0);
    server_ = Spawn({"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", cert(),
                     "-key", dir_ + "/key.pem", "-www"});
    // "ACCEPT 127.0.0.1:PORT" says it listens, and where.
    for (int i = 0; i < 10 && port_.empty(); ++i) {
      std::string line = server_.ReadLine(5000);
      if (line.rfind("ACCEPT 127.0.0.1:", 0) == 0) port_ = line.substr(17);
    }
    if (port_.empty()) Cleanup();
    REQUIRE_FALSE(port_.empty());
  }
  ~TlsServer() { Cleanup(); }
  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string Url() const { return "https://localhost:" + port_ + "/"; }

 private:
  void Cleanup() {
    server_.Kill();
    unlink(cert().c_str());
    unlink((dir_ + "/key.pem").c_str());
    rmdir(dir_.c_str());
  }

  std::string dir_, port_;
  Child server_;
};

TEST_CASE("curl transport: TLS is verified; ca_bundle adds a CA", "[curl]") {
  if (access("/usr/bin/openssl", X_OK) != 0) {
    WARN("skipped: /usr/bin/openssl is not installed");
    return;
  }
  TlsServer server;
  StatusOr<HttpResponse> untrusted = Transport().Send(HttpRequest{"GET", server.Url(), {}, ""}, In(5000));
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.status().code() == Code::kUnavailable);
  INFO(untrusted.status().message());
  CHECK(untrusted.status().message().find("certificate") != std::string::npos);

  std::unique_ptr<HttpTransport> trusting =
      NewCurlTransport(HttpOptions{server.cert(), false, milliseconds(5000)});
  StatusOr<HttpResponse> trusted = trusting->Send(HttpRequest{"GET", server.Url(), {}, ""}, In(5000));
  INFO((trusted.ok() ? "" : trusted.status().message()));
  REQUIRE(trusted.ok());
  CHECK(trusted->status == 200);
}

}  // namespace
}  // namespace dcu
