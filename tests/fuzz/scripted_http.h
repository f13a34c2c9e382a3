// Servers' answers from fuzz input, for targets that drive the real code
// through an HttpClient: the URL policy, the retries (with no sleeping)
// and FakeHttp, so the bytes reach the parsers exactly as a server's would.
//
// Input: answers separated by a line "%%"; each answer is a status line
// (digits; 200 when there are none), header lines "Name: value", an empty
// line, then the body:
//
//   401
//   WWW-Authenticate: Bearer realm="https://xpkg.upbound.io/token"
//
//   {"errors":[]}
//   %%
//   200
//   ...
#pragma once

#include <chrono>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "helper/base/log.h"
#include "helper/net/http_client.h"
#include "tests/doubles/fake_http.h"

namespace dcu {

inline HttpResponse ParseScriptedAnswer(const std::string& text) {
  HttpResponse r;
  std::size_t pos = 0;
  auto line = [&]() {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    pos = end + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    return l;
  };
  std::string status = line();
  r.status = 0;
  for (std::size_t i = 0; i < status.size() && i < 3 && status[i] >= '0' && status[i] <= '9'; ++i) {
    r.status = r.status * 10 + (status[i] - '0');
  }
  if (r.status == 0) r.status = 200;
  while (pos < text.size()) {
    std::string header = line();
    if (header.empty()) break;
    std::size_t colon = header.find(':');
    std::string name = header.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : header.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    r.headers.emplace_back(name, value);
  }
  if (pos < text.size()) r.body = text.substr(pos);
  return r;
}

// Queues every answer of input on http.
inline void QueueScriptedAnswers(const std::string& input, FakeHttp& http) {
  const std::string separator = "\n%%\n";
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find(separator, start);
    if (end == std::string::npos) end = input.size();
    HttpResponse r = ParseScriptedAnswer(input.substr(start, end - start));
    http.Respond(r.status, r.body, r.headers);
    start = end + separator.size();
  }
}

// An HttpClient over http that retries as the real one does, without waiting.
inline HttpClient ScriptedClient(FakeHttp& http, Log& log, int max_attempts = 4) {
  RetryPolicy retry;
  retry.max_attempts = max_attempts;
  retry.sleep = [](std::chrono::milliseconds) {};
  retry.random01 = []() { return 0.5; };
  return HttpClient([&http]() -> StatusOr<std::unique_ptr<HttpTransport>> { return http.NewTransport(); }, retry,
                    log);
}

// Discards what the code under test logs.
struct NullLog {
  std::ostringstream sink;
  Log log{sink};
};

}  // namespace dcu
