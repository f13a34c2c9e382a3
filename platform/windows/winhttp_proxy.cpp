#include "platform/windows/winhttp_proxy.h"

#include <cstdint>
#include <string_view>
#include <vector>

#include "helper/base/host_port.h"
#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/base/wipe.h"

namespace dcu::win {
namespace {

constexpr int kDefaultProxyPort = 1080;  // libcurl's, for a proxy URL without one

std::string Unbracket(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

std::string TrimDots(std::string_view s) {
  while (!s.empty() && s.front() == '.') s.remove_prefix(1);
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return ToLower(s);
}

// Dotted-quad IPv4 only ("127.1" and friends are names here).
bool ParseIPv4(const std::string& text, uint32_t* out) {
  uint32_t value = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t part = 0;
    while (i < text.size() && IsDigit(text[i]) && i - start < 3) part = part * 10 + static_cast<uint32_t>(text[i++] - '0');
    if (i == start || part > 255) return false;
    value = (value << 8) | part;
    ++parts;
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  if (i != text.size()) return false;
  *out = value;
  return true;
}

bool MatchesEntry(const std::string& host, std::string entry) {
  uint32_t address = 0;
  if (ParseIPv4(host, &address)) {
    size_t slash = entry.find('/');
    int bits = 32;
    if (slash != std::string::npos) {
      std::string prefix = entry.substr(slash + 1);
      if (prefix.empty() || prefix.size() > 2 || !IsDigit(prefix[0]) || (prefix.size() == 2 && !IsDigit(prefix[1]))) {
        return false;
      }
      bits = std::stoi(prefix);
      if (bits > 32) return false;
      entry.resize(slash);
    }
    uint32_t network = 0;
    if (!ParseIPv4(entry, &network)) return false;
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (address & mask) == (network & mask);
  }
  if (host.find(':') != std::string::npos) return Unbracket(TrimDots(entry)) == host;  // IPv6: exact
  entry = TrimDots(entry);
  if (entry.empty()) return false;
  return host == entry ||
         (host.size() > entry.size() && host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
          host[host.size() - entry.size() - 1] == '.');
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "[http://][user[:password]@]host[:port][/]" -> a named proxy.
StatusOr<ProxyChoice> ParseProxy(const std::string& variable, const std::string& url) {
  const std::string what = variable + " " + ShownUrl(url);
  std::string_view rest = url;
  size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string scheme = ToLower(rest.substr(0, scheme_end));
    if (scheme != "http") {
      return Status::InvalidInput(what + ": only http:// proxies can be used on Windows (WinHTTP)");
    }
    rest.remove_prefix(scheme_end + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  ProxyChoice choice;
  choice.kind = ProxyChoice::kNamed;
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view user_info = rest.substr(0, at);
    size_t colon = user_info.find(':');
    choice.username = PercentDecode(user_info.substr(0, colon));
    if (colon != std::string_view::npos) choice.password = PercentDecode(user_info.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  StatusOr<HostPort> host_port = ParseHostPort(rest);
  if (!host_port.ok() || host_port->host.empty()) {
    Wipe(choice.password);
    return Status::InvalidInput(what + ": bad proxy host" +
                                (host_port.ok() ? std::string() : " (" + host_port.status().message() + ")"));
  }
  int port = host_port->port == 0 ? kDefaultProxyPort : host_port->port;
  choice.server = host_port->host + ":" + std::to_string(port);
  choice.shown = "http://" + choice.server;
  return choice;
}

}  // namespace

bool IsLoopbackHost(const std::string& raw) {
  std::string host = TrimDots(Unbracket(raw));
  if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) return true;
  if (host == "::1") return true;
  uint32_t address = 0;
  return ParseIPv4(host, &address) && (address >> 24) == 127;
}

bool NoProxyMatches(const std::string& no_proxy, const std::string& raw_host) {
  std::string host = ToLower(Unbracket(raw_host));
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (TrimSpace(no_proxy) == "*") return true;
  std::string entry;
  for (size_t i = 0; i <= no_proxy.size(); ++i) {
    char c = i < no_proxy.size() ? no_proxy[i] : ',';
    if (c == ',' || IsSpace(c)) {
      if (!entry.empty() && MatchesEntry(host, entry)) return true;
      entry.clear();
    } else {
      entry += c;
    }
  }
  return false;
}

StatusOr<ProxyChoice> ChooseProxy(const HttpOptions& options, bool https, const std::string& host) {
  ProxyChoice direct;
  direct.kind = ProxyChoice::kDirect;
  if (IsLoopbackHost(host)) return direct;
  std::string variable = https ? "HTTPS_PROXY" : "HTTP_PROXY";
  std::string url = https ? options.https_proxy : options.http_proxy;
  if (url.empty()) {
    variable = "ALL_PROXY";
    url = options.all_proxy;
  }
  if (url.empty()) {
    // The system's proxy may be bypassed too: NO_PROXY is the user's word.
    if (!options.no_proxy.empty() && NoProxyMatches(options.no_proxy, host)) return direct;
    return ProxyChoice{};
  }
  if (NoProxyMatches(options.no_proxy, host)) return direct;
  return ParseProxy(variable, url);
}

}  // namespace dcu::win
