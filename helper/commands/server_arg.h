// The registry a login or logout is about: --server HOST, else the first
// served registry, as a canonical key.
#pragma once

#include <string>

#include "helper/base/status.h"
#include "helper/commands/args.h"
#include "helper/settings.h"

namespace dcu {

// InvalidInput for a HOST that does not normalise or has a path (an
// organization's token comes from its robotTokenFile, not from login), and
// when must_be_served, for a host that is not a served Upbound registry:
// the message names the served hosts and the config key that adds one.
StatusOr<std::string> ServerKey(const Settings& settings, const Args& args, bool must_be_served);

// The served hosts, "a, b and c".
std::string ServedHostsText(const Settings& settings);

}  // namespace dcu
