# shellcheck shell=bash disable=SC2034
# Shared set-up for the e2e scripts that drive real clients (podman,
# buildah, skopeo, the Docker CLI) against the registry behind the local
# Upbound stand-in. Source tests/e2e/lib.sh and tests/lib/upbound.sh first.
#
#   clients_start     stand-in + token registry, OVERRIDE_* pointing at them,
#                     $DOCKER_CONFIG/config.json = credHelpers {REG: upbound},
#                     containers' config (vfs storage, registries.conf,
#                     policy) in $E2E_TMP/containers, the recording wrapper
#                     first on PATH. Sets REG. Ends the script on failure.
#   use_exchange KIND DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=KIND, a fresh cache
#   cl_robot ORG NAME FILE
#                     mint a robot token into FILE; remember its secret
#   id_of FILE / token_to_stdout FILE
#                     the access ID / the token (on stdout: pipe it into
#                     --password-stdin; never into argv)
#   helper_store_robot FILE   helper `store` of FILE's pair for $REG
#   cl NAME ARGS...   run a client (60 s bound); stdout+stderr in
#                     $E2E_TMP/client.out, appended to $CLIENT_LOG; its rc
#   cl_diag           the first lines of the last client output
#   calls_reset / calls_seq / calls_store_user
#                     the helper calls clients made since calls_reset (the
#                     wrapper logs action, rc, server and username, never a
#                     secret): "get store", the username of the last store
#   last_store_err    file: the helper's stderr of the last store
#   robot_kept DESC FILE
#                     the keyring still holds FILE's robot pair for $REG:
#                     `get` with the direct exchange answers exactly it
#   get_works DESC USER
#                     `get $REG` under the exchange in effect answers USER
#                     and a non-empty Secret (G_SECRET), saved in $E2E_TMP/h.out
#   clients_no_leak   no remembered secret in any client's output, the
#                     stand-in's or the registry's logs
#   image_layout      a tiny OCI layout in $E2E_TMP/image (LAYER, CONFIG
#                     digests without "sha256:")

REG=
CLIENT_LOG=$E2E_TMP/clients-all.log
CALLS=$E2E_TMP/helper-calls
: >"$CLIENT_LOG"; : >"$CALLS"

clients_start() {
    unset UP_DOMAIN UP_PROFILE UP_ROBOT_TOKEN UP_ROBOT_TOKEN_FILE UP_ROBOT_ACCESS_ID UP_ORGANIZATION \
        UP_CA_BUNDLE UP_DEBUG DOCKER_CREDENTIAL_UPBOUND_EXCHANGE DOCKER_CREDENTIAL_UPBOUND_TIMEOUT \
        DOCKER_CREDENTIAL_UPBOUND_SESSION_LIFETIME DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR \
        DOCKER_CREDENTIAL_UPBOUND_VERIFY DOCKER_HOST DOCKER_CONTEXT REGISTRY_AUTH_FILE \
        CONTAINERS_CONF CONTAINERS_REGISTRIES_CONF CONTAINERS_STORAGE_CONF
    printf '{}\n' >"$E2E_TMP/helper-config.json"
    export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
    export UP_DEBUG=1     # diagnostics on stderr, checked for secrets like the rest
    if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
    if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
    REG=$REGISTRY_HOST
    export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=$REG
    ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REG"
    write_docker_config
    # no daemon anywhere: `docker login` must fall back to its client side
    export DOCKER_HOST=unix://$E2E_TMP/no-docker-daemon.sock

    local c=$E2E_TMP/containers
    mkdir -p "$c/storage"
    cat >"$c/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$c/storage/graph"
runroot = "$c/storage/run"
EOF
    printf 'unqualified-search-registries = []\n' >"$c/registries.conf"
    printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$c/policy.json"
    printf '[engine]\nevents_logger = "none"\ncgroup_manager = "cgroupfs"\n' >"$c/containers.conf"
    export CONTAINERS_STORAGE_CONF=$c/storage.conf CONTAINERS_REGISTRIES_CONF=$c/registries.conf \
        CONTAINERS_CONF=$c/containers.conf
    CL_POLICY=$c/policy.json
    _clients_wrapper
    e2e_on_exit _clients_cleanup
}

# write_docker_config: the only place the helper is named
write_docker_config() {
    printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
}

_clients_cleanup() {
    HCALL_TIMEOUT=5 hcall erase "$REG"
    [ -n "${LOGIN_DAEMON_PID:-}" ] && kill "$LOGIN_DAEMON_PID" 2>/dev/null
    # images in vfs storage are plain directories; podman may leave
    # read-only ones behind
    chmod -R u+w "$E2E_TMP/containers" 2>/dev/null
    return 0
}

# The helper clients run is a wrapper that records each call (action, exit
# status, the server URL, store's username: never a Secret) and sends the
# real helper's stderr to $E2E_STDERR_ALL, so that the leak and sanitizer
# checks of lib.sh also cover calls made by clients.
_clients_wrapper() {
    local w=$E2E_TMP/wrap
    mkdir -p "$w"
    cat >"$w/docker-credential-upbound" <<EOF
#!/bin/bash
real=$(printf '%q' "$HELPER_BIN") log=$(printf '%q' "$CALLS") all=$(printf '%q' "$E2E_STDERR_ALL")
tmp=$(printf '%q' "$E2E_TMP") py=$(printf '%q' "$PY")
EOF
    cat >>"$w/docker-credential-upbound" <<'EOF'
act=${1:-}
in=$(cat; printf x); in=${in%x}
info=$in
if [ "$act" = store ]; then
    info=$(printf '%s' "$in" | "$py" -c '
import json, sys
try:
    d = {k.lower(): v for k, v in json.load(sys.stdin).items()}
    print(d.get("serverurl"), d.get("username"))
except Exception:
    print("(unparsable)")')
fi
out=$(mktemp "$tmp/wrap.XXXXXX") err=$(mktemp "$tmp/wrap.XXXXXX")
printf '%s' "$in" | "$real" "$@" >"$out" 2>"$err"
rc=$?
user=
[ "$act" = get ] && [ $rc = 0 ] &&
    user=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Username"])' "$out" 2>/dev/null)
printf '%s rc=%s %s %s\n' "$act" "$rc" "$info" "$user" >>"$log"
[ "$act" = store ] && cp "$err" "$tmp/last-store.err"
cat "$err" >>"$all"
cat "$err" >&2
cat "$out"
rm -f "$out" "$err"
exit $rc
EOF
    chmod 0700 "$w/docker-credential-upbound"
    export PATH="$w:$PATH"
}

use_exchange() {
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$1
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$1-$RANDOM
}

cl_robot() {
    mint_robot "$1" "$2" "$3" || { not_ok "mint robot $2 of $1"; return 1; }
    local t
    t=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$3")
    remember_secret "$t"
}
id_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$1"; }
token_to_stdout() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$1"; }

helper_store_robot() {
    local in
    in=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(json.dumps({"ServerURL": sys.argv[2], "Username": d["accessId"], "Secret": d["token"]}))' "$1" "$REG")
    hcall store "$in"
    [ "$H_RC" = 0 ] && [ -z "$H_OUT" ]
}

cl() {
    local name=$1 rc
    shift
    printf '%s\n' "$*" >>"$E2E_TMP/client-argv.log"   # for the hygiene scan
    timeout 60 "$@" >"$E2E_TMP/client.out" 2>&1
    rc=$?
    { printf '### %s\n' "$name"; cat "$E2E_TMP/client.out"; } >>"$CLIENT_LOG"
    return $rc
}
cl_diag() { sed -n '1,6s/^/#   /p' "$E2E_TMP/client.out"; }

calls_reset() { : >"$CALLS"; }
calls_seq() { awk '{print $1}' "$CALLS" | paste -sd' ' -; }
calls_has() { grep -q "^$1 " "$CALLS"; }
calls_store_user() { awk '$1 == "store" {u = $4} END {print u}' "$CALLS"; }
calls_diag() { sed 's/^/#   helper: /' "$CALLS"; }
last_store_err=$E2E_TMP/last-store.err

robot_kept() {
    local desc=$1 file=$2 saved=${DOCKER_CREDENTIAL_UPBOUND_EXCHANGE:-}
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct
    local t
    t=$(token_to_stdout "$file")
    get_is "$desc" "$REG" "$(id_of "$file")" "$t"
    local rc=$?
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$saved
    return $rc
}

get_works() {
    local desc=$1 want=$2 why
    hcall get "$REG"
    why=$(W=$want "$PY" - "$E2E_TMP/h.out" <<'EOF'
import json, os, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("stdout is not JSON"); sys.exit()
if d.get("Username") != os.environ["W"]:
    print("Username=%r" % d.get("Username")); sys.exit()
if not d.get("Secret"):
    print("no Secret")
EOF
)
    if [ "$H_RC" = 0 ] && [ -z "$why" ]; then
        G_SECRET=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Secret"])' "$E2E_TMP/h.out")
        remember_secret "$G_SECRET"
        ok "$desc"; return 0
    fi
    not_ok "$desc"; diag "$why"; h_diag out; return 1
}

clients_no_leak() {
    local f bad=
    for f in "$CLIENT_LOG" "$UPBOUND_DIR/standin.log" "$UPBOUND_LOG" "$E2E_TMP/registry/registry.log" \
        ${LOGIN_DAEMON_LOG:-}; do
        [ -f "$f" ] && grep -qF -f "$E2E_SECRETS" "$f" && bad="$bad $(basename "$f")"
    done
    if [ -z "$bad" ]; then
        ok "no test secret in the clients' output ($(wc -l <"$CLIENT_LOG") lines), the stand-in's or the registry's logs"
    else
        not_ok "no test secret in:$bad"
    fi
}

image_layout() {
    "$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "hello from the $E2E_NAME e2e test"
    LAYER=$(cat "$E2E_TMP/image/layer.digest"); LAYER=${LAYER#sha256:}
    CONFIG=$(cat "$E2E_TMP/image/config.digest"); CONFIG=${CONFIG#sha256:}
}

# start_login_daemon: tests/lib/login_daemon.py on $E2E_TMP/login-daemon.sock;
# sets LOGIN_DAEMON_HOST (a DOCKER_HOST value) and LOGIN_DAEMON_LOG
start_login_daemon() {
    local sock=$E2E_TMP/login-daemon.sock i
    LOGIN_DAEMON_LOG=$E2E_TMP/login-daemon.log
    : >"$LOGIN_DAEMON_LOG"
    "$PY" "$REPO/tests/lib/login_daemon.py" "$sock" "$LOGIN_DAEMON_LOG" </dev/null \
        >"$E2E_TMP/login-daemon.out" 2>&1 &
    LOGIN_DAEMON_PID=$!
    SERVICES_PIDS="$SERVICES_PIDS $LOGIN_DAEMON_PID"
    LOGIN_DAEMON_HOST=unix://$sock
    for i in $(seq 1 100); do
        [ -S "$sock" ] && return 0
        pid_alive "$LOGIN_DAEMON_PID" || break
        sleep 0.05
    done
    return 1
}
