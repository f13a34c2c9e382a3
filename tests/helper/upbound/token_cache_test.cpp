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
  // Below the 30 s margin the margin is a quarter of the lifetime, so a
  // short-lived credential still serves everyone waiting for it (issue 7).
  RegistryCredential short_lived{"_token", "s", 0, 20};
  CHECK_FALSE(NeedsRefresh(short_lived, 0));
  CHECK(IsUsable(short_lived, 14));
  CHECK_FALSE(IsUsable(short_lived, 15));
  CHECK(NeedsRefresh(short_lived, 15));
  RegistryCredential two_seconds{"_token", "s", 0, 2};
  CHECK(IsUsable(two_seconds, 1));
  CHECK_FALSE(IsUsable(two_seconds, 2));
  // The same edges as times, for those who tell others how long to cache.
  CHECK(RefreshAt(hour) == 3300);
  CHECK(UsableUntil(hour) == 3570);
  CHECK(RefreshAt(short_lived) == 15);  // the margin comes before the 10% window
  CHECK(UsableUntil(short_lived) == 15);
}

TEST_CASE("token cache: hostile numbers in a cache file are a miss", "[token_cache]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  REQUIRE(cache.Save("h.io", "a", {"_token", "s", fs.Now(), fs.Now() + 3600}).ok());
  REQUIRE(cache.Load("h.io", "a").ok());
  std::string name;
  for (const std::string& n : fs.ListDir(dir.path)) {
    if (n.size() > 5 && n.substr(n.size() - 5) == ".json") name = dir.path + "/" + n;
  }
  REQUIRE(!name.empty());
  std::string good = *fs.ReadPrivateFile(name, 1 << 16);
  auto with = [&](const std::string& field, const std::string& value) {
    std::size_t at = good.find("\"" + field + "\":");
    REQUIRE(at != std::string::npos);
    std::size_t start = at + field.size() + 3, end = good.find_first_of(",}", start);
    REQUIRE(fs.WritePrivateFileAtomic(name, good.substr(0, start) + value + good.substr(end)).ok());
  };
  for (const char* value : {"1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "1.5",
                            "\"1\"", "null", "18446744073709551615"}) {
    INFO(value);
    with("expires_at", value);
    CHECK(cache.Load("h.io", "a").status().IsNotFound());
  }
  // Longer-lived than anything Upbound issues (30 days), or from the future.
  with("expires_at", std::to_string(fs.Now() + kMaxLifetimeSeconds + 3600));
  CHECK(cache.Load("h.io", "a").status().IsNotFound());
  with("obtained_at", std::to_string(fs.Now() + 86400));
  CHECK(cache.Load("h.io", "a").status().IsNotFound());
}

TEST_CASE("token cache: verdicts expire, hold no secret, and are dropped by invalidate", "[token_cache]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  CHECK(cache.LoadVerdict("h.io", "v").status().IsNotFound());
  Verdict rejected{Verdict::kRejected, "the realm said 401", fs.Now(), fs.Now() + 60};
  REQUIRE(cache.SaveVerdict("h.io", "v", rejected).ok());
  StatusOr<Verdict> back = cache.LoadVerdict("h.io", "v");
  REQUIRE(back.ok());
  CHECK(back->kind == Verdict::kRejected);
  CHECK(back->reason == "the realm said 401");
  CHECK(cache.LoadVerdict("h.io", "other").status().IsNotFound());
  REQUIRE(cache.SaveVerdict("h.io", "old", {Verdict::kAccepted, "", fs.Now() - 100, fs.Now() - 1}).ok());
  CHECK(cache.LoadVerdict("h.io", "old").status().IsNotFound());
  REQUIRE(cache.SaveVerdict("h.io", "long", {Verdict::kAccepted, "", fs.Now(), fs.Now() + kMaxLifetimeSeconds + 1}).ok());
  CHECK(cache.LoadVerdict("h.io", "long").status().IsNotFound());
  REQUIRE(cache.Invalidate("h.io").ok());
  CHECK(cache.LoadVerdict("h.io", "v").status().IsNotFound());
}

TEST_CASE("token cache: bytes JSON cannot carry are refused in a credential, replaced in a reason, never thrown",
          "[token_cache]") {
  // Found by tests/fuzz/token_cache_fuzz.cpp: Save and SaveVerdict threw
  // the JSON library's type_error on bytes that are not UTF-8 (a reason
  // quotes the access ID, which UP_ROBOT_ACCESS_ID gives as any bytes).
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  Status saved = cache.Save("h.io", "id", {"_token", "sid\xff", fs.Now(), fs.Now() + 60});
  CHECK(saved.code() == Code::kUnavailable);
  CHECK(saved.message().find("sid") == std::string::npos);  // never quotes the secret
  CHECK(cache.Load("h.io", "id").status().IsNotFound());
  REQUIRE(cache.SaveVerdict("h.io", "id", {Verdict::kRejected, "rejected robot \xff-id", fs.Now(), fs.Now() + 60}).ok());
  StatusOr<Verdict> back = cache.LoadVerdict("h.io", "id");
  REQUIRE(back.ok());
  CHECK(back->reason == "rejected robot \xef\xbf\xbd-id");
}

TEST_CASE("token cache: the host lock is exclusive; an unusable directory says so", "[token_cache]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path + "/c");
  auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
  StatusOr<std::unique_ptr<FileLock>> held = cache.Lock("h.io", soon);
  REQUIRE(held.ok());
  StatusOr<std::unique_ptr<FileLock>> second = cache.Lock("h.io", soon);
  CHECK(second.status().code() == Code::kUnavailable);  // busy
  CHECK(cache.Lock("other.io", soon).ok());             // per host
  // A file where the directory should be: not a busy lock, an unusable cache.
  REQUIRE(fs.WritePrivateFileAtomic(dir.path + "/file", "x").ok());
  TokenCache broken(fs, dir.path + "/file/c");
  CHECK(broken.Lock("h.io", soon).status().code() == Code::kInvalidInput);
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

namespace dcu {
namespace {

TEST_CASE("token cache: the failure record keeps one line per host, and invalidate drops it", "[token_cache]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  CHECK(cache.LoadFailure("h.io").status().IsNotFound());
  CHECK(cache.ClearFailure("h.io").ok());  // nothing to clear is fine
  REQUIRE(cache.SaveFailure("h.io", {fs.Now() - 5, "cannot reach Upbound: refused\nsecond line"}).ok());
  REQUIRE(cache.SaveFailure("h.io/acme", {fs.Now(), "acme's failure"}).ok());
  StatusOr<LastFailure> back = cache.LoadFailure("h.io");
  REQUIRE(back.ok());
  CHECK(back->at == fs.Now() - 5);
  CHECK(back->message == "cannot reach Upbound: refused");
  CHECK(cache.LoadFailure("h.io/acme")->message == "acme's failure");
  CHECK(cache.LoadFailure("other.io").status().IsNotFound());

  // Long messages are cut; a later failure replaces the earlier one.
  REQUIRE(cache.SaveFailure("h.io", {fs.Now(), std::string(2000, 'x')}).ok());
  CHECK(cache.LoadFailure("h.io")->message.size() == 512);

  // Cleared on success; dropped with the host's other entries on store/erase,
  // and only that host's.
  CHECK(cache.ClearFailure("h.io").ok());
  CHECK(cache.LoadFailure("h.io").status().IsNotFound());
  REQUIRE(cache.SaveFailure("h.io", {fs.Now(), "again"}).ok());
  REQUIRE(cache.Invalidate("h.io").ok());
  CHECK(cache.LoadFailure("h.io").status().IsNotFound());
  CHECK(cache.LoadFailure("h.io/acme").ok());
  REQUIRE(cache.Invalidate("h.io/acme").ok());
  CHECK(cache.LoadFailure("h.io/acme").status().IsNotFound());
}

TEST_CASE("token cache: a failure message is at most 512 bytes of UTF-8, whatever bytes it had", "[token_cache]") {
  // Found by tests/fuzz/token_cache_fuzz.cpp: cut at 512 bytes, then made
  // JSON-safe, a message grew past 512 bytes (each bad byte became the
  // 3-byte U+FFFD, and so did a character cut in half).
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "\xc3\xa9";
  for (const std::string& message : {"a" + accents, std::string(600, '\xff')}) {
    REQUIRE(cache.SaveFailure("h.io", {fs.Now(), message}).ok());
    StatusOr<LastFailure> back = cache.LoadFailure("h.io");
    REQUIRE(back.ok());
    CHECK(back->message.size() <= 512);
    CHECK(back->message.size() >= 509);
  }
  CHECK(cache.LoadFailure("h.io")->message.compare(0, 3, "\xef\xbf\xbd") == 0);
}

TEST_CASE("token cache: a corrupt, foreign or future failure record is none", "[token_cache]") {
  TempDir dir;
  FileSystem& fs = *DefaultFileSystem();
  TokenCache cache(fs, dir.path);
  REQUIRE(cache.SaveFailure("h.io", {fs.Now(), "m"}).ok());
  std::string name;
  for (const std::string& n : fs.ListDir(dir.path)) {
    if (n.size() > 8 && n.substr(n.size() - 8) == ".failure") name = dir.path + "/" + n;
  }
  REQUIRE(!name.empty());
  for (const std::string& text :
       {std::string("not json"), std::string("[]"), std::string(R"({"format":1,"host":"x.io","at":1,"message":"m"})"),
        std::string(R"({"format":1,"host":"h.io","at":"1","message":"m"})"),
        std::string(R"({"format":1,"host":"h.io","at":1,"message":7})"),
        R"({"format":1,"host":"h.io","at":)" + std::to_string(fs.Now() + 86400) + R"(,"message":"m"})"}) {
    INFO(text);
    REQUIRE(fs.WritePrivateFileAtomic(name, text).ok());
    CHECK(cache.LoadFailure("h.io").status().IsNotFound());
  }
}

}  // namespace
}  // namespace dcu
