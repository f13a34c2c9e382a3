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
constexpr std::int64_t kClockSkew = 300;         // an entry from the future is not ours
constexpr std::size_t kMaxFile = 64 * 1024;
constexpr int kFormat = 1;
constexpr const char* kSuffixes[] = {".json", ".verdict", ".failure"};
constexpr std::size_t kMaxFailureMessage = 512;

// A file-name-safe form of a registry key ("[::1]:5000" -> "__1__5000").
std::string Slug(const std::string& host) {
  std::string out;
  for (char c : host) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(safe ? c : '_');
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A whole number of seconds, not a float a hostile file could overflow with.
bool Seconds(const json& doc, const char* key, std::int64_t* out) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_integer()) return false;
  *out = it->get<std::int64_t>();
  return true;
}

// Times that could have been written by a helper whose clock is ours:
// not from the future, and no longer-lived than anything Upbound issues.
bool Plausible(std::int64_t from, std::int64_t to, std::int64_t now) {
  return from >= 0 && from <= now + kClockSkew && to >= from && to - from <= kMaxLifetimeSeconds;
}

}  // namespace

const char* VerdictKindName(Verdict::Kind kind) {
  switch (kind) {
    case Verdict::kAccepted: return "accepted";
    case Verdict::kRejected: return "rejected";
    case Verdict::kRefused: return "refused";
  }
  return "refused";
}

std::int64_t UsableUntil(const RegistryCredential& c) {
  std::int64_t lifetime = std::max<std::int64_t>(0, c.expires_at - c.obtained_at);
  return c.expires_at - std::min(kUseMargin, lifetime / 4);
}

bool IsUsable(const RegistryCredential& c, std::int64_t now) { return now < UsableUntil(c); }

std::int64_t RefreshAt(const RegistryCredential& c) {
  std::int64_t lifetime = std::max<std::int64_t>(0, c.expires_at - c.obtained_at);
  return std::min(c.expires_at - std::min(lifetime / 10, kMaxRefreshWindow), UsableUntil(c));
}

bool NeedsRefresh(const RegistryCredential& c, std::int64_t now) { return now >= RefreshAt(c); }

std::string TokenCache::Path(const std::string& host, const std::string& identity,
                             const char* suffix) const {
  return dir_ + "/" + Slug(host) + "-" + Sha256Hex(host + "\n" + identity).substr(0, 32) + suffix;
}

StatusOr<std::string> TokenCache::ReadEntry(const std::string& path) {
  StatusOr<std::string> text = fs_.ReadPrivateFile(path, kMaxFile);
  if (!text.ok()) return Status::NotFound("cache: " + text.status().message());
  return text;
}

StatusOr<RegistryCredential> TokenCache::Load(const std::string& host, const std::string& identity) {
  StatusOr<std::string> text = ReadEntry(Path(host, identity, ".json"));
  if (!text.ok()) return text.status();
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
    Wipe(doc["secret"].get_ref<std::string&>());
  } catch (const json::exception&) {
    return miss;
  }
  if (!Seconds(doc, "obtained_at", &c.obtained_at) || !Seconds(doc, "expires_at", &c.expires_at) ||
      !Plausible(c.obtained_at, c.expires_at, fs_.Now())) {
    Wipe(c.secret);
    return miss;
  }
  return c;
}

Status TokenCache::Save(const std::string& host, const std::string& identity, const RegistryCredential& c) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::Unavailable("cache: " + dir.message());
  json doc = {{"format", kFormat},       {"host", host},
              {"identity", Sha256Hex(identity)},
              {"username", c.username},  {"secret", c.secret},
              {"obtained_at", c.obtained_at}, {"expires_at", c.expires_at}};
  // JSON carries only UTF-8: a credential with other bytes is not cached
  // (replacing them would cache another secret). Found by the fuzzer.
  std::string text;
  try {
    text = doc.dump();
  } catch (const json::type_error&) {
    Wipe(doc["secret"].get_ref<std::string&>());
    return Status::Unavailable("cache: the credential for " + host + " is not UTF-8 text");
  }
  Wipe(doc["secret"].get_ref<std::string&>());
  Status written = fs_.WritePrivateFileAtomic(Path(host, identity, ".json"), text);
  Wipe(text);
  if (!written.ok()) return Status::Unavailable("cache: " + written.message());
  return Status::Ok();
}

StatusOr<Verdict> TokenCache::LoadVerdict(const std::string& host, const std::string& identity) {
  StatusOr<std::string> text = ReadEntry(Path(host, identity, ".verdict"));
  if (!text.ok()) return text.status();
  json doc = json::parse(*text, nullptr, false);
  Status miss = Status::NotFound("cache: no current verdict for " + host);
  if (doc.is_discarded() || !doc.is_object()) return miss;
  Verdict v;
  try {
    if (doc.at("format").get<int>() != kFormat || doc.at("host").get<std::string>() != host ||
        doc.at("identity").get<std::string>() != Sha256Hex(identity)) {
      return miss;
    }
    std::string kind = doc.at("verdict").get<std::string>();
    if (kind == VerdictKindName(Verdict::kAccepted)) {
      v.kind = Verdict::kAccepted;
    } else if (kind == VerdictKindName(Verdict::kRejected)) {
      v.kind = Verdict::kRejected;
    } else if (kind == VerdictKindName(Verdict::kRefused)) {
      v.kind = Verdict::kRefused;
    } else {
      return miss;
    }
    v.reason = doc.at("reason").get<std::string>();
  } catch (const json::exception&) {
    return miss;
  }
  std::int64_t now = fs_.Now();
  if (!Seconds(doc, "checked_at", &v.checked_at) || !Seconds(doc, "until", &v.until) ||
      !Plausible(v.checked_at, v.until, now) || now >= v.until) {
    return miss;
  }
  return v;
}

Status TokenCache::SaveVerdict(const std::string& host, const std::string& identity, const Verdict& v) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::Unavailable("cache: " + dir.message());
  json doc = {{"format", kFormat},        {"host", host},          {"identity", Sha256Hex(identity)},
              {"verdict", VerdictKindName(v.kind)}, {"reason", v.reason},
              {"checked_at", v.checked_at},  {"until", v.until}};
  // The reason may quote an access ID of any bytes: replaced, not thrown.
  Status written = fs_.WritePrivateFileAtomic(Path(host, identity, ".verdict"),
                                              doc.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!written.ok()) return Status::Unavailable("cache: " + written.message());
  return Status::Ok();
}

Status TokenCache::SaveFailure(const std::string& host, const LastFailure& failure) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::Unavailable("cache: " + dir.message());
  std::string message = failure.message.substr(0, failure.message.find_first_of("\r\n"));
  // Invalid UTF-8 (a host's own bytes) becomes U+FFFD before the cut, which
  // falls on a character boundary: cut first, a message could grow past
  // the limit (found by tests/fuzz/token_cache_fuzz.cpp).
  message = json::parse(json(message).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
  if (message.size() > kMaxFailureMessage) {
    std::size_t cut = kMaxFailureMessage;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message.resize(cut);
  }
  json doc = {{"format", kFormat}, {"host", host}, {"at", failure.at}, {"message", message}};
  Status written = fs_.WritePrivateFileAtomic(Path(host, "", ".failure"),
                                              doc.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!written.ok()) return Status::Unavailable("cache: " + written.message());
  return Status::Ok();
}

StatusOr<LastFailure> TokenCache::LoadFailure(const std::string& host) {
  StatusOr<std::string> text = ReadEntry(Path(host, "", ".failure"));
  if (!text.ok()) return text.status();
  json doc = json::parse(*text, nullptr, false);
  Status miss = Status::NotFound("cache: no failure recorded for " + host);
  if (doc.is_discarded() || !doc.is_object()) return miss;
  LastFailure failure;
  try {
    if (doc.at("format").get<int>() != kFormat || doc.at("host").get<std::string>() != host) return miss;
    failure.message = doc.at("message").get<std::string>();
  } catch (const json::exception&) {
    return miss;
  }
  if (!Seconds(doc, "at", &failure.at) || !Plausible(failure.at, failure.at, fs_.Now())) return miss;
  return failure;
}

Status TokenCache::ClearFailure(const std::string& host) { return fs_.RemoveFile(Path(host, "", ".failure")); }

StatusOr<std::unique_ptr<FileLock>> TokenCache::Lock(const std::string& host,
                                                     std::chrono::steady_clock::time_point deadline) {
  Status dir = fs_.EnsurePrivateDir(dir_);
  if (!dir.ok()) return Status::InvalidInput("cache: " + dir.message());
  StatusOr<std::unique_ptr<FileLock>> lock = fs_.Lock(Path(host, "", ".lock"), deadline);
  if (!lock.ok() && lock.status().code() != Code::kUnavailable) {
    return Status::InvalidInput("cache: " + lock.status().message());
  }
  return lock;
}

Status TokenCache::Invalidate(const std::string& host) {
  const std::string prefix = Slug(host) + "-";
  for (const std::string& name : fs_.ListDir(dir_)) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    for (const char* suffix : kSuffixes) {
      // The hash part must follow directly, so "a.io-" does not match "a.io-b".
      if (!EndsWith(name, suffix) || name.size() != prefix.size() + 32 + std::string(suffix).size()) continue;
      Status removed = fs_.RemoveFile(dir_ + "/" + name);
      if (!removed.ok()) return removed;
    }
  }
  return Status::Ok();
}

}  // namespace dcu
