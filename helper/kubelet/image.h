// The image a kubelet asks about, split into what the answer depends on.
//
// The kubelet sends the image as the pod names it, normalised to a
// repository ("xpkg.upbound.io/acme/pkg"; "nginx" arrives as
// "docker.io/library/nginx"); plugins tested by hand also get tags and
// digests. The first component is a registry host when it has a '.' or a
// ':' or is "localhost" (Docker's rule); otherwise the image is Docker
// Hub's.
#pragma once

#include <string>

#include "helper/base/status.h"

namespace dcu::kubelet {

struct Image {
  std::string host;      // as written: the kubelet matches auth keys against it
  std::string host_key;  // canonical registry key (helper/docker/registry_key.h)
  std::string path;      // repository path, without tag or digest: "acme/pkg"
};

// InvalidInput, with a reason and the image shown safely, for anything that
// is not a valid reference: empty, white space or control characters,
// longer than 1024 bytes, an empty or invalid path component, a bad host,
// tag or digest.
StatusOr<Image> ParseImage(const std::string& text);

}  // namespace dcu::kubelet
