// Ends an Upbound session (what the session exchange made of a robot
// token): POST /v1/logout on the API endpoint with the session cookie, as
// the `up` CLI's logout does. The cookie goes only to the configured API
// endpoint.
#pragma once

#include <chrono>
#include <string>

#include "helper/base/status.h"
#include "helper/net/http_client.h"
#include "helper/settings.h"

namespace dcu {

// OK when Upbound ended the session; NotFound when it says there is no
// live session (401: already ended or expired); Unavailable when it
// cannot be reached or answers anything else.
Status EndSession(const Settings& settings, const std::string& sid, HttpClient& http,
                  std::chrono::steady_clock::time_point deadline);

}  // namespace dcu
