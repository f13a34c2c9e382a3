// A whole setup for doctor in a temporary directory (the binary on PATH,
// Docker's config.json, containers' auth file, a robot token file) and a
// routed fake of Upbound and its registry that a test breaks piece by
// piece.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "helper/base/encoding.h"
#include "tests/doubles/harness.h"
#include "tests/doubles/unsigned_jwt.h"
#include "tests/temp_dir.h"

namespace dcu {

// Every secret the fake hands out or the fixture writes.
const char* const kRobotSecret = "robot-token-secret-4711";
const char* const kSid = "sid-secret-0815";
const char* const kOrgToken = "org-token-secret-1234";
const char* const kHost = "xpkg.example.test";

class DoctorFixture {
 public:
  DoctorFixture() {
    h.system().open_http = [this](const HttpOptions&) { return std::make_unique<Routed>(this); };
#ifdef _WIN32
    h.env["PATH"] = dir.path + "/bin;" + dir.path + "/nowhere";
    h.env["PATHEXT"] = ".COM;.EXE;.BAT;.CMD";
#else
    h.env["PATH"] = dir.path + "/bin:" + dir.path + "/nowhere";
#endif
    h.env["HOME"] = dir.path + "/home";
    h.env["XDG_CONFIG_HOME"] = dir.path + "/xdg";
    h.env["DOCKER_CONFIG"] = dir.path + "/docker";
    h.env["REGISTRY_AUTH_FILE"] = dir.path + "/auth.json";
    h.env["UP_DOMAIN"] = "https://example.test";
    h.env["UP_ROBOT_TOKEN_FILE"] = dir.path + "/token.json";
    h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "5";
#ifdef _WIN32
    Write("bin/docker-credential-upbound.exe", "MZ", 0755);
#else
    Write("bin/docker-credential-upbound", "#!/bin/sh\n", 0755);
#endif
    Write("docker/config.json", R"({"auths":{},"credHelpers":{"xpkg.example.test":"upbound"}})");
    Write("auth.json", R"({"auths":{},"credHelpers":{"xpkg.example.test":"upbound"}})");
    Write("token.json", std::string(R"({"accessId":"robot-id","token":")") + kRobotSecret + "\"}", 0600);
    grants = {{"robot", "pull,push"}, {"session", "pull"}, {"org", ""}};
  }

  // Writes dir/relative (parents created) with mode.
  void Write(const std::string& relative, const std::string& text, mode_t mode = 0644) {
    std::string path = dir.path + "/" + relative;
    std::filesystem::create_directories(std::filesystem::u8path(path).parent_path());
#ifdef _WIN32
    // 0600: private by access list (ofstream's files inherit the directory's
    // list on Windows, but wine lets everyone read them).
    if (mode == 0600) {
      REQUIRE(DefaultFileSystem()->WritePrivateFileAtomic(path, text).ok());
      return;
    }
#endif
    std::ofstream(path, std::ios::binary) << text;
    REQUIRE(chmod(path.c_str(), mode) == 0);
  }
  std::string Path(const std::string& relative) const { return dir.path + "/" + relative; }

  // Runs doctor and checks that no secret reached stdout or stderr.
  RunResult Run(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "doctor");
    RunResult r = h.Run(args);
    for (const std::string& secret : {std::string(kRobotSecret), std::string(kSid), std::string(kOrgToken),
                                      std::string("eyJ")}) {  // any JWT
      INFO(secret);
      CHECK(r.out.find(secret) == std::string::npos);
      CHECK(r.err.find(secret) == std::string::npos);
    }
    return r;
  }

  // Check n's line ("n. name .... verdict (detail)").
  static std::string Line(const std::string& out, int n) {
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.compare(0, std::to_string(n).size() + 2, std::to_string(n) + ". ") == 0) return line;
    }
    return "";
  }
  // The fix printed under check n, or "".
  static std::string Fix(const std::string& out, int n) {
    std::istringstream lines(out);
    std::string line;
    bool in = false;
    while (std::getline(lines, line)) {
      if (in && line.compare(0, 8, "   fix: ") == 0) return line.substr(8);
      in = line.compare(0, std::to_string(n).size() + 2, std::to_string(n) + ". ") == 0;
    }
    return "";
  }
  static std::string Verdict(const std::string& out, int n) {
    std::string line = Line(out, n);
    for (const char* v : {" ok", " FAIL", " warning", " skipped"}) {
      std::size_t at = line.find(v);
      while (at != std::string::npos) {
        std::size_t end = at + std::string(v).size();
        bool dots = at > 0 && (line[at - 1] == '.' || line[at - 1] == ')');
        if (dots && (end == line.size() || line[end] == ' ' || line[end] == ':')) return v + 1;
        at = line.find(v, at + 1);
      }
    }
    return "";
  }

  // The fake's knobs.
  bool api_down = false;
  bool registry_down = false;
  std::string tls_failure;        // non-empty: every request fails with it
  bool robot_rejected = false;    // by Upbound's login and exchange
  bool registry_rejects = false;  // the token service refuses every credential
  std::string realm = "https://xpkg.example.test/service/token";  // what /v2/ names
  // What the token service grants each kind on a requested repository.
  std::map<std::string, std::string> grants;
  std::vector<HttpRequest> sent;
  std::vector<std::chrono::steady_clock::time_point> deadlines;

  Harness h;
  TempDir dir;

 private:
  static StatusOr<HttpResponse> Answer(int status, std::string body = "{}", Headers headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }
  static bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
  static std::string Basic(const std::string& user, const std::string& password) {
    return "Basic " + Base64Encode(user + ":" + password);
  }

  StatusOr<HttpResponse> Route(const HttpRequest& r) {
    if (!tls_failure.empty()) return Status::Unavailable("GET " + r.url + ": " + tls_failure);
    std::string auth;
    for (const auto& [name, value] : r.headers) {
      if (name == "Authorization") auth = value;
    }
    if (StartsWith(r.url, "https://api.example.test/")) {
      if (api_down) return Status::Unavailable("GET " + r.url + ": Connection refused");
      if (r.url == "https://api.example.test/v1/login") {
        if (robot_rejected || r.body.find(kRobotSecret) == std::string::npos) return Answer(401, R"({"message":"Unauthorized"})");
        return Answer(200, "{}", {{"Set-Cookie", std::string("SID=") + kSid + "; Path=/; Max-Age=3600"}});
      }
      if (r.url == "https://api.example.test/v1/logout") return Answer(200);
      return Answer(404);
    }
    if (StartsWith(r.url, "https://auth.example.test/")) {
      if (StartsWith(r.url, "https://auth.example.test/apis/tokenexchange.upbound.io/")) {
        if (robot_rejected) return Answer(401, R"({"error":"invalid_grant"})");
        return Answer(200, std::string(R"({"access_token":")") + kOrgToken + R"(","expires_in":3600})");
      }
      return Answer(404);
    }
    if (StartsWith(r.url, "https://xpkg.example.test/")) {
      if (registry_down) return Status::Unavailable("GET " + r.url + ": Connection refused");
      if (r.url == "https://xpkg.example.test/v2/") {
        return Answer(401, "", {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"xpkg.example.test\""}});
      }
      if (StartsWith(r.url, "https://xpkg.example.test/service/token?service=xpkg.example.test")) {
        if (auth.empty()) return Answer(200, R"({"token":"anonymous"})");
        std::string kind = auth == Basic("robot-id", kRobotSecret) ? "robot"
                           : auth == Basic("_token", kSid)          ? "session"
                           : auth == Basic("_token", kOrgToken)     ? "org"
                                                                    : "";
        if (kind.empty() || registry_rejects) return Answer(401, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
        std::size_t scope = r.url.find("&scope=repository%3A");
        std::string access = "[]";
        if (scope != std::string::npos && !grants[kind].empty()) {
          std::string actions;
          std::string g = grants[kind];
          for (std::size_t at = 0; at <= g.size();) {
            std::size_t comma = g.find(',', at);
            if (comma == std::string::npos) comma = g.size();
            actions += std::string(actions.empty() ? "" : ",") + "\"" + g.substr(at, comma - at) + "\"";
            at = comma + 1;
          }
          access = R"([{"type":"repository","name":"acme/pkg","actions":[)" + actions + "]}]";
        }
        return Answer(200, R"({"token":")" + UnsignedJwt(R"({"access":)" + access + R"(,"x":"registry-jwt"})") + "\"}");
      }
    }
    return Answer(404);
  }

  class Routed : public HttpTransport {
   public:
    explicit Routed(DoctorFixture* f) : f_(f) {}
    StatusOr<HttpResponse> Send(const HttpRequest& r, std::chrono::steady_clock::time_point deadline) override {
      f_->sent.push_back(r);
      f_->deadlines.push_back(deadline);
      return f_->Route(r);
    }

   private:
    DoctorFixture* f_;
  };
};

}  // namespace dcu
