// Where container tools keep the files that name a credential helper, in
// the order each reads them (PROTOCOLS.md), for configure and doctor.
#pragma once

#include <string>
#include <vector>

#include "helper/settings.h"

namespace dcu {

struct ClientFile {
  std::string path;
  std::string why;  // for messages: "$DOCKER_CONFIG/config.json", ...
};

// Docker's config.json: $DOCKER_CONFIG/config.json, else
// <home>/.docker/config.json, home being %USERPROFILE% (Windows) or $HOME.
// path is "" when none of the three variables is set.
ClientFile DockerConfigFile(const Env& env);

// The auth file podman, skopeo and buildah write (`podman login`):
// $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json, else
// /run/containers/<uid>/auth.json (uid: ProcessUserId()).
ClientFile ContainersAuthFile(const Env& env, const std::string& uid);

// Every file containers/image reads credentials from, in its order: the
// auth file above ($REGISTRY_AUTH_FILE replaces them all), then
// $XDG_CONFIG_HOME/containers/auth.json (else ~/.config/...), Docker's
// config.json and ~/.dockercfg (~: as for Docker's config.json).
std::vector<ClientFile> ContainersReadFiles(const Env& env, const std::string& uid);

}  // namespace dcu
