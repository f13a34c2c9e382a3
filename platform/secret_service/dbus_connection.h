// A blocking D-Bus client connection to the session bus, bounded by a
// deadline: every read and write waits at most until then.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "helper/base/status.h"
#include "helper/system/secret_store.h"
#include "platform/secret_service/dbus_message.h"

namespace dcu::dbus {

using Clock = std::chrono::steady_clock;

struct Call {
  std::string destination;
  std::string path;
  std::string interface;
  std::string member;
  std::string signature;  // of body
  std::string body;       // marshalled with Writer

  // Filled in by CallAll.
  Message reply;  // kMethodReturn or kError
};

// What the Secret Service clients need of a bus: the seam where tests put
// a fake Secret Service (tests/platform/secret_service/fake_secret_service.h).
class Bus {
 public:
  virtual ~Bus() = default;

  // Sends every call and waits for all their replies, in order of the
  // calls; a D-Bus error reply is not a failure here, it is left in
  // call.reply for the caller to interpret. Any number of calls is fine: an
  // implementation keeps no more of them unanswered than the bus allows.
  virtual Status CallAll(std::vector<Call*> calls) = 0;
};

// dbus-daemon refuses a method call with LimitsExceeded while a connection
// has max_replies_per_connection calls unanswered (128 unless the bus
// configuration raises it; a session.conf raises it, a private bus may not).
inline constexpr std::size_t kMaxCallsInFlight = 64;

class Connection : public Bus {
 public:
  // Connects to the session bus SessionBusAddress(options) names,
  // authenticates and says Hello. Unavailable with a one-line reason when
  // there is no bus or it does not answer in time.
  static StatusOr<std::unique_ptr<Connection>> OpenSessionBus(const SecretStoreOptions& options,
                                                             Clock::time_point deadline);

  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Pipelined: up to kMaxCallsInFlight calls are on the wire at once, the
  // next sent as each reply arrives, so a batch costs one round trip per
  // kMaxCallsInFlight calls at most and never hits the bus's limit.
  Status CallAll(std::vector<Call*> calls) override;

  // Moves the deadline every later read and write waits for.
  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

 private:
  Connection(int fd, Clock::time_point deadline) : fd_(fd), deadline_(deadline) {}
  Status WriteAll(const std::string& bytes);
  Status ReadExactly(std::size_t n, std::string* out);
  Status ReadLine(std::string* line);
  Status Authenticate();

  int fd_;
  Clock::time_point deadline_;
  std::uint32_t next_serial_ = 1;
  std::string buffered_;  // bytes read past what was consumed
};

// The session bus address: DBUS_SESSION_BUS_ADDRESS, else a socket at
// $XDG_RUNTIME_DIR/bus (as options carry them); Unavailable with a one-line
// reason when neither.
StatusOr<std::string> SessionBusAddress(const SecretStoreOptions& options);

// The unix socket path in a D-Bus address ("unix:path=..." or
// "unix:abstract=...", first usable entry); abstract names start with '\0'.
StatusOr<std::string> SocketPathOfAddress(const std::string& address);

}  // namespace dcu::dbus
