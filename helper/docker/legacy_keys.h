// Which items of Docker's own credential helpers belong to a registry key.
//
// docker-credential-secretservice (Linux) and docker-credential-wincred
// (Windows) key each item by the server URL exactly as their client sent
// it: the "server" attribute of an io.docker.Credentials item, or the
// TargetName of a generic credential. The platform stores read those items
// when they hold nothing of their own for a server, so that switching
// helpers needs no new login; this is the one place that decides which of
// them (and of ours) belong to a key: every reader and writer asks it.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "helper/base/status.h"
#include "helper/docker/registry_key.h"

namespace dcu {

// The registry key a stored server URL names, or "" when it names none.
inline std::string ItemKey(const std::string& server_url) {
  StatusOr<std::string> key = NormalizeRegistryKey(server_url);
  return key.ok() ? *key : std::string();
}

// The server URLs a Docker helper may have stored for key. It stores the
// URL exactly as its client sent it, and clients send: the key (docker
// login, podman, skopeo, buildah); the host with a scheme, perhaps with a
// slash (older docker login given a URL, nerdctl, users' copies of a
// registry URL); the host with ":443" (nerdctl). Docker Hub is
// "https://index.docker.io/v1/" to Docker and "docker.io" to
// containers/image, and has two more host names. Every value maps back to
// key under ItemKey.
//
// Reads and erases look these up exactly, one lookup each, never the whole
// of that helper's items (people who used it for years have hundreds;
// gnome-keyring scans every item for each search, so the list is kept
// short), and list shows an item only when its URL is among them, so that
// list, get and erase always agree on what is there.
inline std::vector<std::string> LegacyServerSpellings(const std::string& key) {
  static const char* const kHubHosts[] = {"index.docker.io", "docker.io", "registry-1.docker.io",
                                          "registry.hub.docker.com"};
  std::vector<std::string> out;
  auto add = [&out, &key](std::string value) {
    if (ItemKey(value) == key && std::find(out.begin(), out.end(), value) == out.end()) {
      out.push_back(std::move(value));
    }
  };
  if (key == ItemKey("docker.io")) {
    add(key);
    for (const char* host : kHubHosts) {
      add(host);
      add(std::string("https://") + host);
      add(std::string("https://") + host + "/");
    }
    return out;
  }
  add(key);
  add("https://" + key);
  add("http://" + key);
  add("https://" + key + "/");
  // no port in the key: the default one, written out
  if (key.find(':') == std::string::npos || key.back() == ']') {
    add(key + ":443");
    add("https://" + key + ":443");
  }
  return out;
}

// The registry key a Docker helper's item stands for, or "" when its server
// URL is not one of LegacyServerSpellings.
inline std::string LegacyItemKey(const std::string& server_url) {
  std::string key = ItemKey(server_url);
  if (key.empty()) return key;
  std::vector<std::string> spellings = LegacyServerSpellings(key);
  if (std::find(spellings.begin(), spellings.end(), server_url) == spellings.end()) return "";
  return key;
}

}  // namespace dcu
