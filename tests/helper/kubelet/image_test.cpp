// Images as the kubelet sends them: host as written, canonical key, path.
#include <catch2/catch.hpp>

#include "helper/kubelet/image.h"

namespace dcu::kubelet {
namespace {

std::string Parsed(const std::string& text) {
  StatusOr<Image> image = ParseImage(text);
  if (!image.ok()) return "error";
  return image->host + " " + image->host_key + " " + image->path;
}

TEST_CASE("kubelet image: host, canonical key and repository path", "[kubelet_image]") {
  CHECK(Parsed("xpkg.upbound.io/acme/pkg") == "xpkg.upbound.io xpkg.upbound.io acme/pkg");
  CHECK(Parsed("xpkg.upbound.io/acme/pkg:v1") == "xpkg.upbound.io xpkg.upbound.io acme/pkg");
  CHECK(Parsed("xpkg.upbound.io/acme/pkg@sha256:" + std::string(64, 'a')) ==
        "xpkg.upbound.io xpkg.upbound.io acme/pkg");
  CHECK(Parsed("xpkg.upbound.io/acme/pkg:v1.2_3-rc@sha256:" + std::string(64, 'f')) ==
        "xpkg.upbound.io xpkg.upbound.io acme/pkg");
  // The host stays as written (the kubelet matches keys against it); the key is canonical.
  CHECK(Parsed("XPKG.Upbound.io:443/acme/pkg:v1") == "XPKG.Upbound.io:443 xpkg.upbound.io acme/pkg");
  CHECK(Parsed("127.0.0.1:5000/acme/pkg:v1") == "127.0.0.1:5000 127.0.0.1:5000 acme/pkg");
  CHECK(Parsed("[::1]:5000/acme/pkg") == "[::1]:5000 [::1]:5000 acme/pkg");
  CHECK(Parsed("localhost/acme/pkg") == "localhost localhost acme/pkg");
  CHECK(Parsed("xpkg.upbound.io/acme") == "xpkg.upbound.io xpkg.upbound.io acme");
  CHECK(Parsed("xpkg.upbound.io/a/b/c/d") == "xpkg.upbound.io xpkg.upbound.io a/b/c/d");
  // No registry host: Docker Hub, as the kubelet itself reads it.
  CHECK(Parsed("nginx") == "docker.io https://index.docker.io/v1/ library/nginx");
  CHECK(Parsed("nginx:1.25") == "docker.io https://index.docker.io/v1/ library/nginx");
  CHECK(Parsed("acme/pkg") == "docker.io https://index.docker.io/v1/ acme/pkg");
  CHECK(Parsed("docker.io/library/nginx") == "docker.io https://index.docker.io/v1/ library/nginx");
}

TEST_CASE("kubelet image: anything that is not a reference is refused", "[kubelet_image]") {
  for (const std::string& bad : std::vector<std::string>{
           "", " ", "xpkg.upbound.io/acme/pkg ", "xpkg.upbound.io/acme/pkg\n", std::string("x.io/a\0b", 8),
           "xpkg.upbound.io/", "xpkg.upbound.io//pkg", "xpkg.upbound.io/acme/", "xpkg.upbound.io/Acme/pkg",
           "xpkg.upbound.io/acme/../pkg", "xpkg.upbound.io/./pkg", "xpkg.upbound.io/acme/pkg:",
           "xpkg.upbound.io/acme/pkg:v1:v2", "xpkg.upbound.io/acme/pkg:-v1", "xpkg.upbound.io/acme/pkg@",
           "xpkg.upbound.io/acme/pkg@sha256:abc", "xpkg.upbound.io/acme/pkg@sha256:" + std::string(64, 'g'),
           "https://xpkg.upbound.io/acme/pkg", "user@xpkg.upbound.io/acme/pkg", "xpkg..upbound.io/acme/pkg",
           "xpkg.upbound.io:99999/acme/pkg", "xpkg.upbound.io:/acme/pkg", "[::1/acme/pkg",
           "xpkg.upbound.io/acme/p\xc3\xa9kg", "xpkg.upbound.io/" + std::string(1100, 'a'),
           "xpkg.upbound.io/acme/pkg:" + std::string(129, 'a')}) {
    CAPTURE(bad);
    StatusOr<Image> image = ParseImage(bad);
    CHECK_FALSE(image.ok());
    if (!image.ok()) {
      CHECK(image.status().code() == Code::kInvalidInput);
      // One printable line.
      for (char c : image.status().message()) CHECK((c >= 0x20 && c < 0x7f));
    }
  }
}

}  // namespace
}  // namespace dcu::kubelet
