#!/bin/bash
# buildah (Debian 12: 1.28) against the registry behind the local Upbound
# stand-in, as root with the vfs storage driver, the helper found only
# through credHelpers in $DOCKER_CONFIG/config.json; direct exchange (the
# session exchange through the same containers/image code is podman_test's).
#
#   login -u <accessId> --password-stdin (get, then store), --get-login,
#   push, pull back (same image), logout (erase; a pull is then refused),
#   and `logout --all` dropping credHelpers as podman's does.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/clients.sh"
umask 077

command -v buildah >/dev/null || { not_ok "buildah is installed"; e2e_finish; }
diag "$(buildah --version)"
clients_start
image_layout
R=$E2E_TMP/robot.json
cl_robot acme buildah-ci "$R" || e2e_finish
ID=$(id_of "$R")
use_exchange direct
ba() { cl "buildah $*" buildah "$@"; }
image_id() { buildah inspect --type image --format '{{.FromImageID}}' "$1" 2>/dev/null; }
login_robot() { token_to_stdout "$R" | cl "buildah login -u ID --password-stdin" \
    buildah login --tls-verify=false -u "$ID" --password-stdin "$@"; }

if cl "skopeo copy oci: containers-storage:" skopeo --policy "$CL_POLICY" copy \
        "oci:$E2E_TMP/image:v1" "containers-storage:localhost/e2e/img:v1" &&
    [ "$(image_id localhost/e2e/img:v1)" = "$CONFIG" ]; then
    ok "local image localhost/e2e/img:v1 in vfs storage under the test directory"
else
    not_ok "local image localhost/e2e/img:v1 in vfs storage"; cl_diag; e2e_finish
fi

hcall erase "$REG"
if ba push --tls-verify=false --signature-policy "$CL_POLICY" localhost/e2e/img:v1 "docker://$REG/acme/pkg:anon"; then
    not_ok "buildah push with nothing stored is refused"
else
    ok "buildah push with nothing stored is refused"
fi

calls_reset
if login_robot "$REG" && grep -q 'Login Succeeded' "$E2E_TMP/client.out"; then
    ok "buildah login -u <accessId> --password-stdin $REG"
else
    not_ok "buildah login -u <accessId> --password-stdin $REG"; cl_diag
fi
check_eq "... calls get (existing credentials?), then store ServerURL $REG Username <accessId>" \
    "get store $REG $ID" "$(calls_seq | sed 's/\(get \)*get/get/') $(awk '$1 == "store" {print $3, $4}' "$CALLS")"
robot_kept "... the keyring holds the robot pair buildah stored" "$R"
ba login --get-login "$REG"
check_eq "buildah login --get-login $REG prints <accessId>" "$ID" "$(tail -1 "$E2E_TMP/client.out")"

calls_reset
if ba push --tls-verify=false --signature-policy "$CL_POLICY" localhost/e2e/img:v1 "docker://$REG/acme/pkg:buildah"; then
    ok "buildah push localhost/e2e/img:v1 docker://$REG/acme/pkg:buildah (helper: $(calls_seq))"
else
    not_ok "buildah push to $REG/acme/pkg:buildah"; cl_diag; calls_diag
fi
calls_reset
if ba pull --tls-verify=false --signature-policy "$CL_POLICY" "$REG/acme/pkg:buildah" &&
    [ "$(image_id "$REG/acme/pkg:buildah")" = "$CONFIG" ]; then
    ok "buildah pull $REG/acme/pkg:buildah gives the pushed image (helper: $(calls_seq))"
else
    not_ok "buildah pull $REG/acme/pkg:buildah gives the pushed image"; cl_diag; calls_diag
fi

calls_reset
if ba logout "$REG"; then ok "buildah logout $REG"; else not_ok "buildah logout $REG"; cl_diag; fi
check_eq "... calls erase $REG" "erase rc=0 $REG" "$(sed 's/ *$//' "$CALLS")"
get_absent "... get $REG is not found afterwards" "$REG"
check "... config.json still names the helper" grep -q '"credHelpers"' "$DOCKER_CONFIG/config.json"
ba rmi -f "$REG/acme/pkg:buildah"
if ! ba pull --tls-verify=false --signature-policy "$CL_POLICY" "$REG/acme/pkg:buildah" &&
    grep -qi 'unauthorized\|authentication required\|denied' "$E2E_TMP/client.out"; then
    ok "... buildah pull of the private repository is refused as unauthorized"
else
    not_ok "... buildah pull of the private repository is refused as unauthorized"; cl_diag
fi

login_robot "$REG" >/dev/null
calls_reset
ba logout --all
rc=$?
check_eq "buildah logout --all exits 0 and erases through the helper" "0 erase" "$rc $(calls_seq)"
if grep -q '"credHelpers"' "$DOCKER_CONFIG/config.json"; then
    ok "quirk gone? buildah logout --all kept credHelpers in config.json"
else
    ok "quirk: buildah logout --all rewrote config.json without credHelpers ($(tr -d ' \n\t' <"$DOCKER_CONFIG/config.json"))"
fi
write_docker_config

clients_no_leak
e2e_finish
