// The cache files (credential, verdict, failure record) as the cache reads
// them back, on any bytes: a file that is not one Save wrote is a miss,
// never a crash, an exception or an implausible entry. And what Save
// writes, Load reads back equal.
//
// The first byte picks the mode: even, the rest is the content of all
// three files of one host; odd, the rest gives a credential, a verdict and
// a failure (times, then NUL-separated strings) that are saved and loaded.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "helper/upbound/token_cache.h"
#include "tests/fuzz/memory_file_system.h"
#include "tests/fuzz/utf8.h"

namespace {

const std::string kDir = "/cache";
const std::string kHost = "xpkg.upbound.io";
const std::string kIdentity = "session\nhttps://api.upbound.io\nrobot-id";

bool Plausible(std::int64_t from, std::int64_t to, std::int64_t now) {
  return from >= 0 && from <= now + 300 && to >= from && to - from <= dcu::kMaxLifetimeSeconds;
}

bool Same(const dcu::RegistryCredential& a, const dcu::RegistryCredential& b) {
  return a.username == b.username && a.secret == b.secret && a.obtained_at == b.obtained_at &&
         a.expires_at == b.expires_at;
}

// What Save wrote must come back from Load, unchanged.
void RoundTrip(dcu::MemoryFileSystem& fs, dcu::TokenCache& cache, const dcu::RegistryCredential& c) {
  if (!cache.Save(kHost, kIdentity, c).ok()) {
    if (dcu::IsUtf8(c.username) && dcu::IsUtf8(c.secret)) std::abort();  // only JSON's limits may refuse
    return;
  }
  dcu::StatusOr<dcu::RegistryCredential> back = cache.Load(kHost, kIdentity);
  if (Plausible(c.obtained_at, c.expires_at, fs.Now())) {
    if (!back.ok() || !Same(*back, c)) std::abort();
  } else if (back.ok()) {
    std::abort();  // an implausible entry is a miss
  }
}

void RoundTripVerdict(dcu::MemoryFileSystem& fs, dcu::TokenCache& cache, const dcu::Verdict& v) {
  if (!cache.SaveVerdict(kHost, kIdentity, v).ok()) return;
  dcu::StatusOr<dcu::Verdict> back = cache.LoadVerdict(kHost, kIdentity);
  if (Plausible(v.checked_at, v.until, fs.Now()) && fs.Now() < v.until) {
    if (!back.ok() || back->kind != v.kind || (dcu::IsUtf8(v.reason) && back->reason != v.reason) ||
        back->checked_at != v.checked_at ||
        back->until != v.until) {
      std::abort();
    }
  } else if (back.ok()) {
    std::abort();
  }
}

std::int64_t TakeTime(const std::uint8_t*& data, std::size_t& size, std::int64_t now) {
  std::int32_t offset = 0;
  std::size_t n = size < sizeof offset ? size : sizeof offset;
  std::memcpy(&offset, data, n);
  data += n;
  size -= n;
  // Mostly near now, where the interesting boundaries are; sometimes anywhere.
  if ((offset & 0xff) == 0xff) return static_cast<std::int64_t>(offset) * 1'000'003;
  return now + offset / 256;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bool files_mode = (data[0] & 1) == 0;
  ++data;
  --size;
  dcu::MemoryFileSystem fs;
  dcu::TokenCache cache(fs, kDir);

  if (files_mode) {
    // Let the cache name its three files, then put the bytes in each.
    dcu::RegistryCredential sample{"_token", "sid", fs.Now(), fs.Now() + 60};
    if (!cache.Save(kHost, kIdentity, sample).ok() ||
        !cache.SaveVerdict(kHost, kIdentity, {dcu::Verdict::kAccepted, "ok", fs.Now(), fs.Now() + 60}).ok() ||
        !cache.SaveFailure(kHost, {fs.Now(), "failed"}).ok() || fs.files.size() != 3) {
      std::abort();
    }
    std::string content(reinterpret_cast<const char*>(data), size);
    for (auto& [path, text] : fs.files) text = content;
    dcu::StatusOr<dcu::RegistryCredential> c = cache.Load(kHost, kIdentity);
    if (c.ok()) {
      if (!Plausible(c->obtained_at, c->expires_at, fs.Now())) std::abort();
      RoundTrip(fs, cache, *c);
    }
    dcu::StatusOr<dcu::Verdict> v = cache.LoadVerdict(kHost, kIdentity);
    if (v.ok()) {
      if (!Plausible(v->checked_at, v->until, fs.Now()) || fs.Now() >= v->until) std::abort();
      RoundTripVerdict(fs, cache, *v);
    }
    dcu::StatusOr<dcu::LastFailure> f = cache.LoadFailure(kHost);
    if (f.ok() && (f->at < 0 || f->at > fs.Now() + 300)) std::abort();
    // Another identity never reads this host's entries.
    if (cache.Load(kHost, kIdentity + "x").ok() || cache.LoadVerdict(kHost, kIdentity + "x").ok()) std::abort();
    return 0;
  }

  std::int64_t times[4];
  for (std::int64_t& t : times) t = TakeTime(data, size, fs.Now());
  std::vector<std::string> fields;
  std::string rest(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  while (fields.size() < 4) {
    std::size_t end = rest.find('\0', start);
    if (end == std::string::npos) end = rest.size();
    fields.push_back(start <= rest.size() ? rest.substr(start, end - start) : "");
    start = end + 1;
  }
  RoundTrip(fs, cache, {fields[0], fields[1], times[0], times[1]});
  dcu::Verdict::Kind kinds[] = {dcu::Verdict::kAccepted, dcu::Verdict::kRejected, dcu::Verdict::kRefused};
  RoundTripVerdict(fs, cache, {kinds[fields[2].size() % 3], fields[2], times[2], times[3]});
  if (cache.SaveFailure(kHost, {fs.Now(), fields[3]}).ok()) {
    dcu::StatusOr<dcu::LastFailure> back = cache.LoadFailure(kHost);
    if (!back.ok() || back->at != fs.Now() || back->message.size() > 512 ||
        back->message.find_first_of("\r\n") != std::string::npos) {
      std::abort();
    }
  }
  if (!cache.Invalidate(kHost).ok() || !fs.files.empty()) std::abort();  // nothing of the host survives
  return 0;
}
