// The one parser of a URL's authority, "host[:port]": registry keys and the
// URL policy must agree on where the host ends, or a check could approve one
// host while a request goes to another.
#pragma once

#include <string>
#include <string_view>

#include "helper/base/status.h"

namespace dcu {

struct HostPort {
  std::string host;  // lower case; an IPv6 literal keeps (or gains) its brackets
  int port = 0;      // 1..65535, or 0 when absent
};

// Parses "host[:port]" or "[v6][:port]" (user info already removed). A host
// is letters, digits, '.', '-' and '_', with no empty label (".h", "a..b",
// "h..": parsers and resolvers disagree on them); one trailing dot is kept,
// callers differ on it. An IPv6 literal is hex digits, ':' and '.'. With
// bare_ipv6, a text with two or more colons is an IPv6 literal without
// brackets (and so without a port), as Docker users write "::1".
// InvalidInput with a short reason ("bad port", "empty port", ...) otherwise.
StatusOr<HostPort> ParseHostPort(std::string_view authority, bool bare_ipv6 = false);

}  // namespace dcu
