#include "helper/commands/args.h"

#include <algorithm>

namespace dcu {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Closest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;  // further than this is no hint
  for (const std::string& candidate : candidates) {
    std::size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

StatusOr<Args> ParseArgs(const std::vector<std::string>& args, const std::vector<FlagSpec>& flags) {
  Args parsed;
  bool flags_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg.size() < 2 || arg.compare(0, 1, "-") != 0) {
      parsed.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string name = arg.substr(arg.compare(0, 2, "--") == 0 ? 2 : 1);
    std::string value;
    bool inline_value = false;
    if (std::size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    const FlagSpec* spec = nullptr;
    std::vector<std::string> names;
    for (const FlagSpec& flag : flags) {
      names.push_back(std::string("--") + flag.name);
      if (name == flag.name) spec = &flag;
    }
    if (spec == nullptr) {
      std::string shown = inline_value ? arg.substr(0, arg.find('=')) : arg;
      std::string hint = Closest("--" + name, names);
      return Status::InvalidInput("unknown flag " + shown + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
    if (parsed.Has(name)) return Status::InvalidInput("--" + name + " given twice");
    if (spec->value == nullptr) {
      if (inline_value) return Status::InvalidInput("--" + name + " takes no value");
    } else if (!inline_value) {
      if (i + 1 >= args.size()) return Status::InvalidInput("--" + name + " needs a value (" + spec->value + ")");
      value = args[++i];
    }
    if (spec->value != nullptr && value.empty()) {
      return Status::InvalidInput("--" + name + " needs a value (" + spec->value + ")");
    }
    parsed.values_[name] = value;
  }
  return parsed;
}

}  // namespace dcu
