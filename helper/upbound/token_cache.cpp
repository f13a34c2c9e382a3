#include "helper/upbound/token_cache.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/base/sha256.h"
#include "helper/base/wipe.h"

namespace dcu {
namespace {

using json = nlohmann::json;

constexpr std::int64_t kUseMargin = 30;         // seconds a pull needs the credential for
constexpr std::int64_t kMaxRefreshWindow = 300;  // refresh at most 5 minutes early
constexpr std::size_t kMaxFile = 64 * 1024;
constexpr int kFormat = 1;

// A file-name-safe form of a registry key ("[::1]:5000" -> "__1__5000").
std::string Slug(const std::string& host) {
  std::string out;
  for (char c : host) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(safe ? c : '_');
  }
  return out;
}

}  // namespace

bool IsUsable(const RegistryCredential& c, std::int64_t now) { return now + kUseMargin < c.expires_at; }

bool NeedsRefresh(const RegistryCredential& c, std::int64_t now) {
  std::int64_t lifetime = std::max<std::int64_t>(0, c.expires_at - c.obtained_at);
  std::int64_t window = std::min(lifetime / 10, kMaxRefreshWindow);
  return now >= c.expires_at - window || !IsUsable(c, now);
}

std::string TokenCache::Path(const std::string& host, const std::string& identity,
                             const char* suffix) const {
  return dir_ + "/" + Slug(host) + "-" + Sha256Hex(host + "\n" + identity).substr(0, 32) + suffix;
}

StatusOr<RegistryCredential> TokenCache::Load(const std::string& host, const std::string& identity) {
  StatusOr<std::string> text = fs_.ReadPrivateFile(Path(host, identity, ".json"), kMaxFile);
  if (!text.ok()) return Status::NotFound("cache: " + text.status().message());
  json doc = json::parse(*text, nullptr, false);
  Wipe(*text);
  Status miss = Status::NotFound("cache: unusable entry for " + host);
  if (doc.is_discarded() || !doc.is_object()) return miss;
  RegistryCredential c;
  try {
    if (doc.at("format").get<int>() != kFormat || doc.at("host").get<std::string>() != host ||
        doc.at("identity").get<std::string>() != Sha256Hex(identity)) {
      return miss;  // another identity's file under a colliding name, or an old format
    }
    c.username = doc.at("username").get<std::string>();
    c.secret = doc.at("secret").get<std::string>();
    c.obtained_at = doc.at("obtained_at").get<std::int64_t>();
    c.expires_at = doc.at("expires_at").get<std::int64_t>();
  } catch (const json::exception&) {
    return miss;
  }
  Wipe(doc["secret"].get_ref<std::string&>());
  return c;
}

Status TokenCache::Save(const std::string& host, const std::string& identity, const RegistryCredential& c) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::Unavailable("cache: " + dir.message());
  json doc = {{"format", kFormat},       {"host", host},
              {"identity", Sha256Hex(identity)},
              {"username", c.username},  {"secret", c.secret},
              {"obtained_at", c.obtained_at}, {"expires_at", c.expires_at}};
  std::string text = doc.dump();
  Wipe(doc["secret"].get_ref<std::string&>());
  Status written = fs_.WritePrivateFileAtomic(Path(host, identity, ".json"), text);
  Wipe(text);
  if (!written.ok()) return Status::Unavailable("cache: " + written.message());
  return Status::Ok();
}

StatusOr<std::unique_ptr<FileLock>> TokenCache::Lock(const std::string& host, const std::string& identity,
                                                     std::chrono::steady_clock::time_point deadline) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::Unavailable("cache: " + dir.message());
  return fs_.Lock(Path(host, identity, ".lock"), deadline);
}

Status TokenCache::Invalidate(const std::string& host) {
  const std::string prefix = Slug(host) + "-";
  for (const std::string& name : fs_.ListDir(dir_)) {
    bool entry = name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0;
    if (name.compare(0, prefix.size(), prefix) != 0 || !entry) continue;
    // The hash part must follow directly, so "a.io-" does not match "a.io-b".
    if (name.size() != prefix.size() + 32 + 5) continue;
    Status removed = fs_.RemoveFile(dir_ + "/" + name);
    if (!removed.ok()) return removed;
  }
  return Status::Ok();
}

}  // namespace dcu
