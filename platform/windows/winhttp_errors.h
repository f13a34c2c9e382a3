// WinHTTP's error codes as the curl transport words its failures, so that
// messages (and the doctor's reading of them) match on both platforms.
#pragma once

#include <windows.h>

#include <chrono>
#include <string>

#include "helper/base/status.h"

namespace dcu::win {

// What a request's status callback saw while it ran.
struct Observed {
  DWORD secure_failure = 0;  // WINHTTP_CALLBACK_STATUS_FLAG_* of a failed handshake
  bool proxied = false;      // sent through a named proxy
};

// WinHTTP's own message for its codes (12000 to 12999), ErrorText's for
// the system's; with the code.
std::string WinHttpErrorText(DWORD code);

// Unavailable "<context>: <what failed>", e.g. "GET https://h/: Couldn't
// connect to server", "... timed out after 1000 ms", "... SSL peer
// certificate or SSH remote key was not OK (SSL certificate problem:
// certificate has expired or is not yet valid)".
Status Failure(DWORD error, const std::string& context, const Observed& observed,
               std::chrono::steady_clock::time_point sent);

}  // namespace dcu::win
