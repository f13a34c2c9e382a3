// Diagnostics: every line the helper writes for a person goes through one
// Log, to one stream (stderr in main), with one prefix. Clients show none
// of it (Docker discards a helper's stderr), so it is for debugging and
// for the kubelet, which attaches stderr to its errors. Never a secret.
#pragma once

#include <ostream>
#include <string>

#include "helper/base/version.h"

namespace dcu {

class Log {
 public:
  explicit Log(std::ostream& err) : err_(err) {}

  // "docker-credential-upbound: <text>"
  void Say(const std::string& text) { err_ << kProgramName << ": " << text << "\n"; }
  void Warning(const std::string& text) { Say("warning: " + text); }
  // A command's failure: the one line a person reads, then exit 1.
  void Error(const std::string& text) { Say("error: " + text); }
  // Only when debugging is on (UP_DEBUG).
  void Debug(const std::string& text) {
    if (debug_) Say("debug: " + text);
  }

  bool debug() const { return debug_; }
  void set_debug(bool on) { debug_ = on; }

 private:
  std::ostream& err_;
  bool debug_ = false;
};

}  // namespace dcu
