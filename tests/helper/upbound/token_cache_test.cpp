#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>

#include "helper/upbound/token_cache.h"
#include "tests/temp_dir.h"

namespace dcu {
namespace {

TEST_CASE("token cache: refresh window is 10% of the lifetime, at most 5 minutes", "[token_cache]") {
  RegistryCredential hour{"_token", "s", 0, 3600};
  CHECK_FALSE(NeedsRefresh(hour, 3600 - 301));
  CHECK(NeedsRefresh(hour, 3600 - 300));
  RegistryCredential ten_minutes{"_token", "s", 0, 600};
  CHECK_FALSE(NeedsRefresh(ten_minutes, 539));
  CHECK(NeedsRefresh(ten_minutes, 540));
  // A credential is only handed out with some life left in it.
  CHECK(IsUsable(ten_minutes, 569));
  CHECK_FALSE(IsUsable(ten_minutes, 570));
  RegistryCredential short_lived{"_token", "s", 0, 20};
  CHECK(NeedsRefresh(short_lived, 0));
}

TEST_CASE("token cache: save, load, identities kept apart", "[token_cache]") {
  TempDir dir;
  TokenCache cache(*DefaultFileSystem(), dir.path + "/c");
  CHECK(cache.Load("h.io", "id-a").status().IsNotFound());
  REQUIRE(cache.Save("h.io", "id-a", {"_token", "secret-a", 10, 100}).ok());
  REQUIRE(cache.Save("h.io", "id-b", {"_token", "secret-b", 10, 100}).ok());
  REQUIRE(cache.Save("[::1]:5000", "id-a", {"_token", "secret-c", 10, 100}).ok());
  StatusOr<RegistryCredential> a = cache.Load("h.io", "id-a");
  REQUIRE(a.ok());
  CHECK(a->secret == "secret-a");
  CHECK(a->obtained_at == 10);
  CHECK(a->expires_at == 100);
  CHECK(cache.Load("h.io", "id-b")->secret == "secret-b");
  CHECK(cache.Load("[::1]:5000", "id-a")->secret == "secret-c");
  CHECK(cache.Load("h.io", "id-c").status().IsNotFound());
}

TEST_CASE("token cache: invalidate drops one host's entries only", "[token_cache]") {
  TempDir dir;
  TokenCache cache(*DefaultFileSystem(), dir.path);
  REQUIRE(cache.Save("h.io", "a", {"u", "s", 0, 100}).ok());
  REQUIRE(cache.Save("h.io", "b", {"u", "s", 0, 100}).ok());
  REQUIRE(cache.Save("h.io-x.io", "a", {"u", "s", 0, 100}).ok());
  REQUIRE(cache.Invalidate("h.io").ok());
  CHECK(cache.Load("h.io", "a").status().IsNotFound());
  CHECK(cache.Load("h.io", "b").status().IsNotFound());
  CHECK(cache.Load("h.io-x.io", "a").ok());
  CHECK(TokenCache(*DefaultFileSystem(), dir.path + "/absent").Invalidate("h.io").ok());
}

}  // namespace
}  // namespace dcu
