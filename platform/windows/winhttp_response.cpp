#include "platform/windows/winhttp_response.h"

#include <string_view>

#include "helper/base/text.h"
#include "platform/windows/wide.h"
#include "platform/windows/winhttp_errors.h"

namespace dcu::win {

Headers ParseHeaders(const std::string& raw) {
  Headers headers;
  size_t start = 0;
  bool first = true;
  while (start < raw.size()) {
    size_t end = raw.find("\r\n", start);
    if (end == std::string::npos) end = raw.size();
    std::string_view line(raw.data() + start, end - start);
    start = end + 2;
    if (first || line.substr(0, 5) == "HTTP/") {
      first = false;
      headers.clear();  // a status line starts a response
    } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!headers.empty()) headers.back().second += " " + std::string(TrimSpace(line));
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(TrimSpace(line.substr(colon + 1))));
    }
  }
  return headers;
}

Status ReadHead(HINTERNET request, HttpResponse* response) {
  DWORD status = 0;
  DWORD size = sizeof status;
  if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                           WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX)) {
    return Status::Unavailable("no status: " + WinHttpErrorText(GetLastError()));
  }
  size = 0;
  WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, WINHTTP_NO_OUTPUT_BUFFER,
                      &size, WINHTTP_NO_HEADER_INDEX);
  if (GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
    return Status::Unavailable("no headers: " + WinHttpErrorText(GetLastError()));
  }
  if (size / sizeof(wchar_t) > kMaxHeaders) return Status::Unavailable("response too large");
  std::wstring raw(size / sizeof(wchar_t) + 1, L'\0');
  if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, raw.data(), &size,
                           WINHTTP_NO_HEADER_INDEX)) {
    return Status::Unavailable("no headers: " + WinHttpErrorText(GetLastError()));
  }
  raw.resize(size / sizeof(wchar_t));
  response->status = static_cast<int>(status);
  response->headers = ParseHeaders(Narrow(raw));
  return Status::Ok();
}


// A body that ended before its Content-Length (the server closed early):
// libcurl fails such a transfer, and so does this transport, rather than
// hand a cut JSON document to the core.
bool Truncated(const HttpResponse& response) {
  std::string length = response.Header("Content-Length");
  if (length.empty() || length.size() > 18 || length.find_first_not_of("0123456789") != std::string::npos) return false;
  return response.body.size() < std::stoull(length);
}

}  // namespace dcu::win
