// Where the helper may send a request. Enforced once, in the core's send
// path (net/http_client.h), before any transport sees the request, so a new
// transport cannot forget it.
#pragma once

#include <string>

#include "helper/base/shown_url.h"
#include "helper/base/status.h"

namespace dcu {

// https, or http to 127.0.0.0/8, [::1] or localhost, with a host
// ParseHostPort accepts and no '@' before the path (user info, or an '@'
// behind '?' or '#' that another parser would take for its end); anything
// else InvalidInput naming the scheme and host only (never a path, query or
// user info: they may carry a token).
Status CheckUrlAllowed(const std::string& url);

// ShownUrl(url): the URL as messages may show it (helper/base/shown_url.h).

}  // namespace dcu
