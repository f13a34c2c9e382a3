// One invocation's world: its environment, streams, settings and services.
// Run() builds one Context and hands it to whichever action or command
// runs; every front end (the Docker protocol, the kubelet's) takes nothing
// else.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "helper/base/log.h"
#include "helper/base/status.h"
#include "helper/net/http_client.h"
#include "helper/net/retry.h"
#include "helper/settings.h"
#include "helper/system/file_system.h"
#include "helper/system/http_transport.h"
#include "helper/system/secret_store.h"

namespace dcu {

// What the core needs of the platform: main() passes the real factories
// (helper/system/), tests pass doubles. Each factory is called only when
// its service is first used, so a warm get opens neither.
struct System {
  std::function<std::unique_ptr<SecretStore>(const SecretStoreOptions&)> open_secret_store;
  std::function<std::unique_ptr<HttpTransport>(const HttpOptions&)> open_http;
  FileSystem* fs = nullptr;
  // ExitAfter (helper/system/process.h) in main; unset in tests, which run
  // in-process and must not be ended by an alarm.
  std::function<void(int seconds, const char* message)> exit_after;
};

class Context {
 public:
  // env was read once, by main; nothing else reads the process environment.
  Context(const Env& environment, std::istream& input, std::ostream& output, std::ostream& err,
          const System& system)
      : env(environment), in(input), out(output), log(err), fs(*system.fs), system_(system) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Env& env;
  std::istream& in;
  std::ostream& out;  // protocol output: clients read stdout
  Log log;            // every diagnostic
  FileSystem& fs;
  RetryPolicy retry;

  // Loads the settings (config file, environment, defaults) on the first
  // call and returns the same result afterwards; turns on debug lines when
  // they say so.
  Status LoadSettings();
  // Precondition: LoadSettings() succeeded.
  const Settings& settings() const { return *settings_; }

  // The secret store, opened on first use with the settings' keyring
  // options. Precondition: LoadSettings() succeeded.
  SecretStore& Store();

  // A client for requests to Upbound and registries: the URL policy, the
  // settings' CA bundle and retries. The transport is opened on its first
  // request. max_attempts > 0 overrides the retry policy's (a probe that
  // should fail fast). Precondition: LoadSettings() succeeded.
  HttpClient Http(int max_attempts = 0);

  // Bounds the whole invocation: after `seconds` the process writes message
  // (a string that lives until then) to stderr and exits 1, whatever it is
  // waiting for. Disarm before the answer is written.
  void ArmWatchdog(int seconds, const char* message) {
    if (system_.exit_after) system_.exit_after(seconds, message);
  }
  void DisarmWatchdog() {
    if (system_.exit_after) system_.exit_after(0, nullptr);
  }

 private:
  const System& system_;
  std::optional<StatusOr<Settings>> loaded_;
  const Settings* settings_ = nullptr;
  std::unique_ptr<SecretStore> store_;
};

}  // namespace dcu
