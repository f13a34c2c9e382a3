// The response side of a WinHTTP request: its head (status and headers,
// parsed as the curl transport parses header lines) and its body, grown
// without leaving copies of a token behind.
#pragma once

#include <windows.h>
#include <winhttp.h>

#include <cstddef>
#include <string>

#include "helper/base/status.h"
#include "helper/system/http_transport.h"

namespace dcu::win {

constexpr std::size_t kMaxHeaders = 1 << 20;  // all header lines together, as the curl transport

// WINHTTP_QUERY_RAW_HEADERS_CRLF text ("HTTP/1.1 200 OK\r\nName: value\r\n...")
// as name/value pairs: the last status line starts over, folded lines join
// the header before them, every repeat (Set-Cookie) is kept.
Headers ParseHeaders(const std::string& raw);

// Status and headers of a received response; Unavailable "response too
// large" past kMaxHeaders.
Status ReadHead(HINTERNET request, HttpResponse* response);

// Whether the body ended before its Content-Length said.
bool Truncated(const HttpResponse& response);

}  // namespace dcu::win
