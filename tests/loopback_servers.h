// Loopback servers for transport tests: a small HTTP/1.1 server thread,
// child processes on a pipe, and `openssl s_server` for TLS. Nothing here
// touches the network. The HTTP server builds on Windows too (Winsock);
// the child processes and the TLS server are POSIX only.
#pragma once

#include <catch2/catch.hpp>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dcu::testing {

#ifdef _WIN32
using Socket = SOCKET;
using PollFd = WSAPOLLFD;
inline int PollSockets(PollFd* fds, unsigned long n, int ms) { return WSAPoll(fds, n, ms); }
inline void CloseSocket(Socket s) { closesocket(s); }
constexpr int kNoSignal = 0;  // Winsock raises no SIGPIPE
// Winsock must be started before the first socket; the count is the system's.
struct WinsockStarted {
  WinsockStarted() {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
  }
  ~WinsockStarted() { WSACleanup(); }
};
#else
using Socket = int;
using PollFd = pollfd;
inline int PollSockets(PollFd* fds, nfds_t n, int ms) { return poll(fds, n, ms); }
inline void CloseSocket(Socket s) { close(s); }
constexpr int kNoSignal = MSG_NOSIGNAL;
struct WinsockStarted {};
#endif

// A loopback TCP socket bound to a free port, listening or not.
inline Socket BoundSocket(int* port) {
  Socket s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return s;
}

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
  using Reply = std::function<std::string(const SeenRequest&, Socket client)>;

  explicit LoopbackServer(Reply reply) : reply_(std::move(reply)) {
    listener_ = BoundSocket(&port_);
    REQUIRE(listen(listener_, 8) == 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    CloseSocket(listener_);
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
  static void Stall(Socket client, int ms) {
    PollFd p{client, POLLIN, 0};
    PollSockets(&p, 1, ms);
  }

  // Sends all of `data`; false when the client has gone.
  static bool SendAll(Socket client, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      auto n = send(client, data.data() + off, static_cast<int>(data.size() - off), kNoSignal);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

 private:
  void Serve() {
    while (!stop_) {
      PollFd p{listener_, POLLIN, 0};
      if (PollSockets(&p, 1, 20) <= 0) continue;
      Socket client = accept(listener_, nullptr, nullptr);
#ifdef _WIN32
      if (client == INVALID_SOCKET) continue;
#else
      if (client < 0) continue;
#endif
      std::optional<SeenRequest> request = Read(client);
      if (request) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          seen_.push_back(*request);
        }
        SendAll(client, reply_(*request, client));
      }
      CloseSocket(client);
    }
  }

  static std::optional<SeenRequest> Read(Socket client) {
    std::string data;
    char buf[4096];
    size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
      auto n = recv(client, buf, static_cast<int>(sizeof buf), 0);
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
      auto n = recv(client, buf, static_cast<int>(sizeof buf), 0);
      if (n <= 0) return std::nullopt;
      r.body.append(buf, static_cast<size_t>(n));
    }
    return r;
  }

  WinsockStarted winsock_;
  Reply reply_;
  Socket listener_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
  std::thread thread_;
};

inline std::string Http(int status, const std::string& reason, const std::string& headers,
                        const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

#ifndef _WIN32
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

inline Child Spawn(const std::vector<std::string>& args) {
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
#endif  // _WIN32

}  // namespace dcu::testing
