#!/bin/bash
# What one client stored, the others find: the helper's own store, `docker
# login`, `podman login`, `buildah login` and `skopeo login` each store the
# robot pair for the registry behind the local Upbound stand-in (through
# credHelpers in $DOCKER_CONFIG/config.json); skopeo inspect, podman pull
# and docker manifest inspect then each find it. And what one client's
# logout erased, none of the others finds. Direct exchange throughout, plus
# one round with the session exchange.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/clients.sh"
umask 077

for c in docker podman buildah skopeo; do
    command -v "$c" >/dev/null || { not_ok "$c is installed"; e2e_finish; }
done
clients_start
image_layout
R=$E2E_TMP/robot.json
cl_robot acme cross-ci "$R" || e2e_finish
ID=$(id_of "$R")
diag "$(docker --version); $(podman --version); $(buildah --version | cut -d' ' -f1-3); $(skopeo --version)"

# the image: Docker schema 2, which every one of these clients reads
use_exchange direct
helper_store_robot "$R" || not_ok "helper store of the robot pair"
if cl "skopeo copy --format v2s2" skopeo --policy "$CL_POLICY" copy --format v2s2 --dest-tls-verify=false \
        "oci:$E2E_TMP/image:v1" "docker://$REG/acme/pkg:x"; then
    ok "skopeo pushed acme/pkg:x through the helper"
else
    not_ok "skopeo pushed acme/pkg:x through the helper"; cl_diag; e2e_finish
fi

# store_with CLIENT: the robot pair for $REG, stored through CLIENT
store_with() {
    case $1 in
    helper) helper_store_robot "$R" ;;
    docker) token_to_stdout "$R" | cl "docker login" docker login -u "$ID" --password-stdin "$REG" ;;
    podman|buildah|skopeo)
            token_to_stdout "$R" | cl "$1 login" "$1" login --tls-verify=false -u "$ID" --password-stdin "$REG" ;;
    esac
}
# erase_with CLIENT
erase_with() { cl "$1 logout" "$1" logout "$REG"; }
# find_with CLIENT: CLIENT reads acme/pkg:x (with whatever the helper answers)
find_with() {
    case $1 in
    skopeo) cl "skopeo inspect" skopeo --policy "$CL_POLICY" inspect --tls-verify=false "docker://$REG/acme/pkg:x" &&
                grep -q "$LAYER" "$E2E_TMP/client.out" ;;
    podman) podman rmi -f "$REG/acme/pkg:x" >/dev/null 2>&1
            cl "podman pull" podman pull --tls-verify=false --signature-policy "$CL_POLICY" "$REG/acme/pkg:x" ;;
    docker) cl "docker manifest inspect" docker manifest inspect --insecure "$REG/acme/pkg:x" &&
                grep -q "$LAYER" "$E2E_TMP/client.out" ;;
    esac
}
FINDERS="skopeo podman docker"

for s in helper docker podman buildah skopeo; do
    hcall erase "$REG"
    write_docker_config
    if store_with "$s"; then ok "stored by $s"; else not_ok "stored by $s"; cl_diag; continue; fi
    robot_kept "stored by $s: the keyring holds the robot pair" "$R"
    for f in $FINDERS; do
        calls_reset
        if find_with "$f"; then ok "stored by $s, found by $f (helper: $(calls_seq))"
        else not_ok "stored by $s, found by $f"; cl_diag; calls_diag; fi
    done
done

for e in docker podman buildah skopeo; do
    helper_store_robot "$R"
    write_docker_config
    calls_reset
    if erase_with "$e" && calls_has erase; then ok "erased by $e (helper: $(calls_seq))"
    else not_ok "erased by $e through the helper"; cl_diag; calls_diag; fi
    for f in $FINDERS; do
        if find_with "$f"; then not_ok "erased by $e: $f is refused"
        else ok "erased by $e: $f is refused"; fi
    done
done

# the session exchange: stored by docker login, found by the others, each
# presenting the session (Username _token) the helper derived
use_exchange session
hcall erase "$REG"
write_docker_config
if store_with docker; then ok "session: stored by docker"; else not_ok "session: stored by docker"; cl_diag; fi
for f in skopeo podman; do
    calls_reset
    if find_with "$f"; then ok "session: stored by docker, found by $f (helper: $(calls_seq))"
    else not_ok "session: stored by docker, found by $f"; cl_diag; calls_diag; fi
    check_eq "session: ... $f was given Username _token" _token \
        "$(awk '$1 == "get" {print $4}' "$CALLS" | sort -u | paste -sd' ' -)"
done
check_eq "session: all of that cost one login" 1 "$(upbound_count /v1/login)"

clients_no_leak
e2e_finish
