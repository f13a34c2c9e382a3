#include "helper/kubelet/image.h"

#include <algorithm>

#include "helper/base/shown_url.h"
#include "helper/base/text.h"
#include "helper/docker/registry_key.h"
#include "helper/organizations.h"

namespace dcu::kubelet {
namespace {

constexpr std::size_t kMaxImage = 1024;

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c); }

Status Bad(const std::string& text, const std::string& why) {
  return Status::InvalidInput("image \"" + ShownUrl(text) + "\": " + why);
}

// A tag: a word character, then up to 127 of word characters, '.' and '-'.
bool IsTag(const std::string& tag) {
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  return !tag.empty() && tag.size() <= 128 && word(tag.front()) &&
         std::all_of(tag.begin(), tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

// algorithm:hex, e.g. sha256:<64 hex digits>.
bool IsDigest(const std::string& digest) {
  std::size_t colon = digest.find(':');
  if (colon == 0 || colon == std::string::npos || digest.size() - colon - 1 < 32) return false;
  bool algorithm = std::all_of(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return IsAlnum(c) || c == '+' || c == '.' || c == '_' || c == '-';
  });
  bool hex = std::all_of(digest.begin() + static_cast<std::ptrdiff_t>(colon) + 1, digest.end(),
                         [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
  return algorithm && hex;
}

}  // namespace

StatusOr<Image> ParseImage(const std::string& text) {
  if (text.empty()) return Status::InvalidInput("image is empty");
  if (text.size() > kMaxImage) return Bad(text.substr(0, 64), "longer than 1024 bytes");
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return Bad(text, "contains white space, control or non-ASCII characters");
  }
  std::string name = text;
  if (std::size_t at = name.find('@'); at != std::string::npos) {
    if (!IsDigest(name.substr(at + 1))) return Bad(text, "bad digest");
    name.resize(at);
  }
  std::size_t last_slash = name.rfind('/');
  std::size_t colon = name.find(':', last_slash == std::string::npos ? 0 : last_slash);
  if (colon != std::string::npos) {
    if (!IsTag(name.substr(colon + 1))) return Bad(text, "bad tag");
    name.resize(colon);
  }

  Image image;
  std::size_t slash = name.find('/');
  std::string first = name.substr(0, slash);
  if (slash != std::string::npos &&
      (first.find_first_of(".:") != std::string::npos || first == "localhost")) {
    image.host = first;
    image.path = name.substr(slash + 1);
  } else {
    image.host = "docker.io";
    image.path = slash == std::string::npos ? "library/" + name : name;
  }
  StatusOr<std::string> key = NormalizeRegistryKey(image.host);
  if (!key.ok()) return Bad(text, "bad registry host");
  image.host_key = *key;
  if (image.path.empty()) return Bad(text, "no repository");
  for (std::size_t start = 0; start <= image.path.size();) {
    std::size_t end = std::min(image.path.find('/', start), image.path.size());
    if (!IsPathComponent(image.path.substr(start, end - start))) {
      return Bad(text, "repository path components are lower-case letters, digits and . _ - between them");
    }
    start = end + 1;
  }
  return image;
}

}  // namespace dcu::kubelet
