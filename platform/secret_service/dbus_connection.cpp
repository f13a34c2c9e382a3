#include "platform/secret_service/dbus_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dcu::dbus {
namespace {

Status TimedOut() {
  return Status::Unavailable("keyring: the session bus did not answer in time");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Unescape(const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() + 0 && HexValue(value[i + 1]) >= 0 &&
        HexValue(value[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(value[i + 1]) * 16 + HexValue(value[i + 2])));
      i += 2;
    } else {
      out.push_back(value[i]);
    }
  }
  return out;
}

int MillisecondsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

}  // namespace

StatusOr<std::string> SocketPathOfAddress(const std::string& address) {
  std::size_t start = 0;
  while (start <= address.size()) {
    std::size_t end = address.find(';', start);
    std::string entry = address.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? address.size() + 1 : end + 1;
    if (entry.compare(0, 5, "unix:") != 0) continue;
    std::string params = entry.substr(5);
    std::size_t p = 0;
    while (p <= params.size()) {
      std::size_t comma = params.find(',', p);
      std::string kv = params.substr(p, comma == std::string::npos ? std::string::npos : comma - p);
      p = comma == std::string::npos ? params.size() + 1 : comma + 1;
      if (kv.compare(0, 5, "path=") == 0) return Unescape(kv.substr(5));
      if (kv.compare(0, 9, "abstract=") == 0) return std::string(1, '\0') + Unescape(kv.substr(9));
    }
  }
  return Status::Unavailable("keyring: unsupported D-Bus session bus address \"" + address +
                             "\" (only unix:path= and unix:abstract= are supported)");
}

StatusOr<std::string> SessionBusAddress(const SecretStoreOptions& options) {
  if (!options.session_bus_address.empty()) return options.session_bus_address;
  struct stat st;
  std::string bus = options.runtime_dir.empty() ? "" : options.runtime_dir + "/bus";
  if (bus.empty() || stat(bus.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return Status::Unavailable(
        "keyring: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no "
        "$XDG_RUNTIME_DIR/bus); the Secret Service needs a login session");
  }
  return "unix:path=" + bus;
}

StatusOr<std::unique_ptr<Connection>> Connection::OpenSessionBus(const SecretStoreOptions& options,
                                                                 Clock::time_point deadline) {
  StatusOr<std::string> bus_address = SessionBusAddress(options);
  if (!bus_address.ok()) return bus_address.status();
  const std::string& address = *bus_address;
  StatusOr<std::string> path = SocketPathOfAddress(address);
  if (!path.ok()) return path.status();

  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path->size() >= sizeof sa.sun_path) return Status::Unavailable("keyring: D-Bus socket path too long");
  std::memcpy(sa.sun_path, path->data(), path->size());
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path->size() +
                                       ((*path)[0] == '\0' ? 0 : 1));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Unavailable(std::string("keyring: socket: ") + std::strerror(errno));
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), length) != 0) {
    int saved = errno;
    close(fd);
    return Status::Unavailable("keyring: cannot connect to the D-Bus session bus (" + address +
                               "): " + std::strerror(saved));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::unique_ptr<Connection> conn(new Connection(fd, deadline));
  Status status = conn->Authenticate();
  if (!status.ok()) return status;
  return conn;
}

Connection::~Connection() { close(fd_); }

Status Connection::WriteAll(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::Unavailable(std::string("keyring: writing to the session bus: ") + std::strerror(errno));
    }
    pollfd pfd{fd_, POLLOUT, 0};
    if (poll(&pfd, 1, MillisecondsLeft(deadline_)) <= 0) return TimedOut();
  }
  return Status::Ok();
}

Status Connection::ReadExactly(std::size_t n, std::string* out) {
  while (buffered_.size() < n) {
    char chunk[4096];
    ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffered_.append(chunk, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0) return Status::Unavailable("keyring: the session bus closed the connection");
    if (errno != EAGAIN && errno != EINTR) {
      return Status::Unavailable(std::string("keyring: reading from the session bus: ") + std::strerror(errno));
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, MillisecondsLeft(deadline_)) <= 0) return TimedOut();
  }
  out->assign(buffered_, 0, n);
  buffered_.erase(0, n);
  return Status::Ok();
}

Status Connection::ReadLine(std::string* line) {
  line->clear();
  std::string byte;
  while (line->size() < 4096) {
    Status status = ReadExactly(1, &byte);
    if (!status.ok()) return status;
    if (byte[0] == '\n') {
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return Status::Ok();
    }
    line->push_back(byte[0]);
  }
  return Status::Unavailable("keyring: the session bus sent an overlong line");
}

Status Connection::Authenticate() {
  std::string uid = std::to_string(getuid()), hex;
  const char* digits = "0123456789abcdef";
  for (char c : uid) {
    hex.push_back(digits[(c >> 4) & 0xf]);
    hex.push_back(digits[c & 0xf]);
  }
  Status status = WriteAll(std::string(1, '\0') + "AUTH EXTERNAL " + hex + "\r\n");
  if (!status.ok()) return status;
  std::string line;
  status = ReadLine(&line);
  if (!status.ok()) return status;
  if (line.compare(0, 3, "OK ") != 0) {
    return Status::Unavailable("keyring: the session bus refused authentication");
  }
  status = WriteAll("BEGIN\r\n");
  if (!status.ok()) return status;
  Call hello{"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", "", {}};
  status = CallAll({&hello});
  if (!status.ok()) return status;
  if (hello.reply.type != MessageType::kMethodReturn) {
    return Status::Unavailable("keyring: the session bus refused Hello: " + hello.reply.error_name);
  }
  return Status::Ok();
}

Status Connection::CallAll(std::vector<Call*> calls) {
  // Call i goes out with serial first + i.
  const std::uint32_t first = next_serial_;
  std::vector<bool> answered(calls.size(), false);
  std::size_t sent = 0, pending = calls.size(), in_flight = 0;
  while (pending > 0) {
    std::string out;
    for (; sent < calls.size() && in_flight < kMaxCallsInFlight; ++sent, ++in_flight) {
      Call* call = calls[sent];
      out += BuildMethodCall(next_serial_++, call->destination, call->path, call->interface,
                             call->member, call->signature, call->body);
    }
    if (!out.empty()) {
      Status status = WriteAll(out);
      if (!status.ok()) return status;
    }
    std::string fixed, rest;
    Status status = ReadExactly(16, &fixed);
    if (!status.ok()) return status;
    std::size_t size = MessageSize(fixed);
    if (size < 16) return Status::Unavailable("keyring: the session bus sent a malformed message");
    status = ReadExactly(size - 16, &rest);
    if (!status.ok()) return status;
    StatusOr<Message> message = ParseMessage(fixed + rest);
    if (!message.ok()) return message.status();
    if (message->type != MessageType::kMethodReturn && message->type != MessageType::kError) continue;
    std::size_t i = message->reply_serial - first;  // wraps to a huge value below first
    if (i >= sent || answered[i]) continue;
    calls[i]->reply = std::move(*message);
    answered[i] = true;
    --pending;
    --in_flight;
  }
  return Status::Ok();
}

}  // namespace dcu::dbus
