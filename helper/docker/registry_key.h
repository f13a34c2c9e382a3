// One canonical key per registry, whatever spelling a client sends.
//
// docker login sends "host[:port]", containers/image the bare host, nerdctl
// "host:443", "https://host:443", "http://host" and more, docker logout
// "http://host" and "https://host". All of them must find the same entry.
//
// Rules, in order:
//  - surrounding white space is trimmed; an "http://" or "https://" scheme
//    (any case) is dropped, any other scheme is rejected;
//  - path, query and fragment are dropped;
//  - a URL whose host parsers could disagree on is rejected: user info (any
//    '@' before the path), a '?' or '#' before the path, an empty label
//    (".h", "a..b", "h..");
//  - the host is lower-cased and loses one trailing dot; IPv6 literals keep
//    or gain their brackets;
//  - port 443 (the registry default) is dropped, other ports are kept;
//  - Docker Hub under any of its names is "https://index.docker.io/v1/",
//    the key Docker itself uses.
#pragma once

#include <string>
#include <string_view>

#include "helper/base/status.h"

namespace dcu {

// Returns the canonical key, or InvalidInput naming what is wrong and the
// URL as ShownUrl shows it (no user info, query or control character).
StatusOr<std::string> NormalizeRegistryKey(std::string_view raw);

}  // namespace dcu
