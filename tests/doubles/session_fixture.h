// Drives the Upbound get path through Run with the session exchange: a
// scripted transport, the in-memory store and a clock the test moves.
#pragma once

#include <string>

#include "tests/doubles/clocked_file_system.h"
#include "tests/doubles/harness.h"

namespace dcu {

struct SessionFixture {
  SessionFixture() {
    h.system().fs = &fs;
    h.env["DOCKER_CREDENTIAL_UPBOUND_TIMEOUT"] = "5";
    h.env["DOCKER_CREDENTIAL_UPBOUND_EXCHANGE"] = "session";
  }
  // Queues a login answer that sets SID=sid for max_age seconds.
  void Login(const std::string& sid, int max_age) {
    h.http.Respond(200, "{}", {{"Set-Cookie", "SID=" + sid + "; Path=/; Max-Age=" + std::to_string(max_age)}});
  }
  // What get prints for the session sid on xpkg.upbound.io.
  std::string Expect(const std::string& secret) {
    return "{\"ServerURL\":\"xpkg.upbound.io\",\"Username\":\"_token\",\"Secret\":\"" + secret + "\"}\n";
  }
  Harness h;
  ClockedFileSystem fs;
};

}  // namespace dcu
