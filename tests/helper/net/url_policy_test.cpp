#include <catch2/catch.hpp>

#include "helper/net/url_policy.h"

namespace dcu {
namespace {

TEST_CASE("http: CheckUrlAllowed", "[http]") {
  struct Row {
    const char* url;
    bool allowed;
  };
  const Row rows[] = {
      {"https://api.upbound.io/v1/login", true},
      {"https://api.upbound.io", true},
      {"HTTPS://API.UPBOUND.IO/x?token=1", true},
      {"https://api.upbound.io:8443/path#frag", true},
      {"https://[2001:db8::1]:443/", true},
      {"http://127.0.0.1:8080/token", true},
      {"http://127.255.255.254/", true},
      {"HTTP://localhost:1234/", true},
      {"http://LocalHost/", true},
      {"http://[::1]:9000/x", true},
      {"http://127.0.0.1", true},
      {"http://example.com/", false},
      {"http://10.0.0.1/", false},
      {"http://128.0.0.1/", false},
      {"http://localhost.evil.com/", false},
      {"http://127.0.0.1.evil.com/", false},
      {"http://127.0.0.1@evil.com/", false},
      {"http://localhost:80@evil.com/", false},
      {"https://user:pass@api.upbound.io/", false},
      {"http://127.0.0.01/", false},      // octal to some resolvers
      {"http://127.1/", false},           // shorthand: not a plain dotted quad
      {"http://2130706433/", false},      // 127.0.0.1 as one number
      {"http://[::ffff:8.8.8.8]/", false},
      {"http://localhost./", false},
      {"http://127.0.0.1:0/", false},
      {"http://127.0.0.1:65536/", false},
      {"http://127.0.0.1:80x/", false},
      {"https://evil.com\\@127.0.0.1/", false},
      {"https://api.upbound.io /x", false},
      {"https:///path", false},
      {"ftp://127.0.0.1/", false},
      {"file:///etc/passwd", false},
      {"gopher://localhost/", false},
      {"api.upbound.io/v1", false},
      {"", false},
      {"https://[::1/", false},
      {"https://api..upbound.io/", false},
      {"https://.api.upbound.io/", false},
      {"https://api.upbound.io../", false},
      {"https://api.upbound.io#@evil.com/", false},
      {"https://api.upbound.io?@evil.com/", false},
      {"https://api.upbound.io?x=1", true},
      {"https://api.upbound.io/x@y", true},  // '@' in a path is no user info
  };
  for (const Row& row : rows) {
    INFO(row.url);
    Status s = CheckUrlAllowed(row.url);
    CHECK(s.ok() == row.allowed);
    if (!row.allowed) CHECK(s.code() == Code::kInvalidInput);
  }
}

TEST_CASE("http: refusals name scheme and host, never a query or userinfo", "[http]") {
  Status s = CheckUrlAllowed("http://example.com/path?token=SECRET");
  CHECK(s.message().find("http://example.com") != std::string::npos);
  CHECK(s.message().find("SECRET") == std::string::npos);
  CHECK(s.message().find("path") == std::string::npos);

  s = CheckUrlAllowed("http://admin:SECRET@evil.com/");
  CHECK(s.message().find("evil.com") != std::string::npos);
  CHECK(s.message().find("SECRET") == std::string::npos);

  // '#' or '?' before the '@' must not hide user info from the redaction.
  s = CheckUrlAllowed("https://robot:SECRET#@evil.com/");
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("SECRET") == std::string::npos);
  s = CheckUrlAllowed("https://robot:SECRET?@evil.com/");
  CHECK(s.message().find("SECRET") == std::string::npos);
  s = CheckUrlAllowed("https://robot:SECRET@/");
  CHECK(s.message().find("SECRET") == std::string::npos);

  s = CheckUrlAllowed("FTP://Host.Example/x?SECRET");
  CHECK(s.message().find("ftp://Host.Example") != std::string::npos);
  CHECK(s.message().find("SECRET") == std::string::npos);
}

TEST_CASE("http: ShownUrl drops user info, query and fragment", "[http]") {
  CHECK(ShownUrl("https://robot:SECRET@api.upbound.io/v1/login?x=SECRET#SECRET") ==
        "https://api.upbound.io/v1/login");
  CHECK(ShownUrl("https://robot:SECRET#@evil.com/") == "https://evil.com/");
  CHECK(ShownUrl("https://robot:SECRET?@evil.com") == "https://evil.com");
  // A password may hold an unencoded '/': an '@' anywhere ends what is dropped.
  CHECK(ShownUrl("https://robot:pa/ss@api.upbound.io/x") == "https://api.upbound.io/x");
  CHECK(ShownUrl("https://api.upbound.io/a@b") == "https://b");
  CHECK(ShownUrl("http://h/\x01\x7f") == "http://h/\\x01\\x7f");
}

}  // namespace
}  // namespace dcu
