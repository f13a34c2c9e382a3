// The one way a URL may appear in a message or a log line. URLs come from
// users and from the network, and can carry a password (user info), a
// token (a query or fragment) or bytes that would break the one-line rule.
#pragma once

#include <string>
#include <string_view>

namespace dcu {

// url without user info, query or fragment, with every byte that is not
// printable ASCII written as \xNN. Everything up to the last '@' goes,
// wherever it is: a password may hold '/', '?' or '#' unencoded, so no
// parser's idea of where user info ends is trusted ("https://u:p#@h/" shows
// as "https://h/", "https://h/a@b" as "https://b"). The scheme is kept.
std::string ShownUrl(std::string_view url);

}  // namespace dcu
