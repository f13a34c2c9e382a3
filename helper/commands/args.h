// A command's flags: the spec a command's table row declares, and what one
// command line gave. Flags are --name or --name VALUE (or --name=VALUE);
// "--" ends them. Secrets never come this way (argv is visible to every
// user through /proc): commands read them from files or stdin.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "helper/base/status.h"

namespace dcu {

struct FlagSpec {
  const char* name;   // without the dashes: "server"
  const char* value;  // what it takes, for help ("HOST"); nullptr for a switch
  const char* help;
};

class Args {
 public:
  bool Has(const std::string& flag) const { return values_.count(flag) != 0; }
  // The flag's value; "" when absent or a switch.
  std::string Value(const std::string& flag) const {
    auto it = values_.find(flag);
    return it == values_.end() ? "" : it->second;
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend StatusOr<Args> ParseArgs(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// InvalidInput with one sentence for an unknown flag (with the closest
// known one), a missing value, a value given to a switch, or a flag given
// twice.
StatusOr<Args> ParseArgs(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags);

// Levenshtein distance, for "did you mean".
std::size_t EditDistance(const std::string& a, const std::string& b);

// The candidate closest to name within two edits, or "".
std::string Closest(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace dcu
