#!/usr/bin/env bash
# The main job end to end, on this machine only, in about a minute: a local
# Upbound stand-in (tests/upbound/standin.py), Debian's docker-registry
# trusting its token service, and a private keyring, all in a temporary
# directory. Mints a robot token file, logs in with it, configures a
# throw-away Docker config, pushes and pulls a package image with skopeo
# (and `docker manifest inspect`) through the helper, shows status and
# doctor, revokes the token and shows what doctor says then, counts the
# calls Upbound saw, and stops and removes everything it started.
#
#   install/demo.sh            (after install/install.sh, or a build in build/)
#
# Nothing outside the temporary directory is read or changed: HOME, the
# XDG directories, DOCKER_CONFIG and the session bus all point into it.
# Run as root, it installs what it needs with apt-get; otherwise it says
# what is missing. DEMO_BIN=PATH runs another binary.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=docker-credential-upbound
START=$(date +%s)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '%s\n' "demo.sh: error: $*" >&2; exit 1; }
# show CMD...: print the command as a person would type it, then run it
show() { printf '$ %s\n' "$*"; "$@"; }

# ------------------------------------------------------------ what it needs
# Debian's python3, whose modules the packages below provide.
PY=/usr/bin/python3
missing=()
[ -x "$PY" ] || { missing+=(python3); PY=python3; }
"$PY" -c 'import jwt' 2>/dev/null || missing+=(python3-jwt)
"$PY" -c 'import cryptography' 2>/dev/null || missing+=(python3-cryptography)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "demo.sh: installing what the demo needs: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
            die "apt-get install ${missing[*]} failed"
    else
        die "the demo needs: ${missing[*]} (Debian/Ubuntu packages): sudo apt-get install ${missing[*]}; or run it as root"
    fi
fi

BIN=${DEMO_BIN:-$(command -v "$NAME" 2>/dev/null || true)}
[ -n "$BIN" ] || BIN=$repo/build/$NAME
[ -x "$BIN" ] || die "no $NAME found on PATH or in build/: run ./install/install.sh first"
BIN_DIR=$(cd "$(dirname "$BIN")" && pwd)

# ------------------------------------------------------------ a private world
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/upbound-demo.XXXXXX")
chmod 0700 "$DEMO"
# Never inherit (and then stop) a caller's services.
unset SERVICES_PIDS
. "$repo/tests/lib/services.sh"
. "$repo/tests/lib/upbound.sh"
finish() {
    stop_services
    rm -rf "$DEMO"
}
trap finish EXIT
trap 'exit 130' INT TERM

make_test_home "$DEMO/env"
export TMPDIR="$DEMO/tmp"
mkdir -p "$TMPDIR"
# Docker runs docker-credential-upbound from PATH; this one first.
if [ "$(basename "$BIN")" = "$NAME" ]; then
    export PATH="$BIN_DIR:$PATH"
else
    mkdir -p "$DEMO/bin" && ln -s "$BIN" "$DEMO/bin/$NAME" && export PATH="$DEMO/bin:$PATH"
fi
unset UP_ROBOT_TOKEN UP_ROBOT_TOKEN_FILE UP_ROBOT_ACCESS_ID UP_DOMAIN UP_ORGANIZATION UP_CA_BUNDLE \
    DOCKER_CREDENTIAL_UPBOUND_EXCHANGE DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR REGISTRY_AUTH_FILE
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$DEMO/helper-config.json
printf '{}\n' >"$DOCKER_CREDENTIAL_UPBOUND_CONFIG"

say "1. a keyring, the Upbound stand-in and a registry, in $DEMO"
start_session_bus "$DEMO/bus" && start_keyring "$DEMO/keyring" || die "cannot start a session bus and gnome-keyring"
start_upbound "$DEMO/upbound" || die "cannot start the Upbound stand-in"
start_token_registry "$DEMO/registry" || die "cannot start docker-registry"
REG=$REGISTRY_HOST
# The stand-in plays api., auth. and the registry's token service.
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REG
echo "Upbound stand-in: $UPBOUND_URL"
echo "registry:         $REG (token service: $UPBOUND_URL/service/token)"
echo "helper:           $(command -v $NAME) ($("$NAME" version))"

say "2. a robot token, as 'up robot token create acme-ci demo --file robot-token.json' writes it"
TOKEN_FILE=$DEMO/robot-token.json
mint_robot acme demo "$TOKEN_FILE" || die "cannot mint a robot token"
ACCESS_ID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$TOKEN_FILE")
echo "robot-token.json: mode $(stat -c %a "$TOKEN_FILE"), access ID $ACCESS_ID (the token itself is never shown)"

FAILED=()
step_ok() { [ "$1" = "$2" ] || FAILED+=("$3 (exit $1, expected $2)"); }

say "3. log in: check the token once, keep it in the keyring"
show "$NAME" login --server "$REG" --token-file "$TOKEN_FILE"
step_ok $? 0 "login"

say "4. point Docker (and so skopeo and podman) at the helper"
show "$NAME" configure docker
step_ok $? 0 "configure docker"
echo "--- $DOCKER_CONFIG/config.json"
cat "$DOCKER_CONFIG/config.json"

say "5. push and pull a package image through the helper"
printf 'unqualified-search-registries = []\n' >"$DEMO/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$DEMO/policy.json"
# (a function, so that `show` prints the command as a person types it)
skopeo() { command skopeo --registries-conf "$DEMO/registries.conf" --policy "$DEMO/policy.json" --tmpdir "$DEMO/tmp" "$@"; }
"$PY" "$repo/tests/lib/make_oci_layout.py" "$DEMO/image" "an Upbound package layer" >/dev/null ||
    die "cannot build the demo image"
show skopeo copy --quiet --format v2s2 --dest-tls-verify=false \
    "oci:$DEMO/image:v1" "docker://$REG/acme/demo-package:v1.0.0"
step_ok $? 0 "skopeo push"
show skopeo copy --quiet --src-tls-verify=false \
    "docker://$REG/acme/demo-package:v1.0.0" "dir:$DEMO/pulled"
step_ok $? 0 "skopeo pull"
[ -f "$DEMO/pulled/manifest.json" ] && echo "pulled: $(ls "$DEMO/pulled" | wc -l) files, manifest $(wc -c <"$DEMO/pulled/manifest.json") bytes"
if command -v docker >/dev/null 2>&1; then
    show docker manifest inspect --insecure "$REG/acme/demo-package:v1.0.0" >"$DEMO/manifest.out" 2>&1
    rc=$?
    head -5 "$DEMO/manifest.out"
    echo "  ..."
    step_ok $rc 0 "docker manifest inspect"
else
    echo "(docker CLI not installed: skipping docker manifest inspect; apt-get install docker.io adds it)"
fi

say "6. status: where the token comes from, what is cached"
show "$NAME" status
step_ok $? 0 "status"

say "7. doctor: every check, against the live stand-in and registry"
show "$NAME" doctor
step_ok $? 0 "doctor (healthy)"

say "8. the token is revoked at Upbound: Docker would only say 'denied'; doctor says why"
upbound_revoke "$ACCESS_ID" || die "cannot revoke the token"
echo "(revoked robot token $ACCESS_ID)"
show "$NAME" doctor
step_ok $? 1 "doctor (revoked token)"

say "9. what Upbound saw"
upbound_requests | "$PY" -c '
import collections, json, sys
entries = [e for e in json.load(sys.stdin) if not e["path"].startswith("/_test")]
print("%d calls to Upbound in all:" % len(entries))
for (method, path), n in sorted(collections.Counter((e["method"], e["path"]) for e in entries).items()):
    print("  %3d  %s %s" % (n, method, path))
'

say "10. cleaning up: stopping what the demo started, removing $DEMO"
finish
trap - EXIT
echo "done in $(( $(date +%s) - START )) s"
if [ ${#FAILED[@]} -gt 0 ]; then
    printf 'demo.sh: error: %s\n' "${FAILED[@]}" >&2
    exit 1
fi
echo "demo.sh: every step worked"
