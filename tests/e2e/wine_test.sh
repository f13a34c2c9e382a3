#!/bin/bash
# The Windows build (docker-credential-upbound.exe) under wine, against the
# local Upbound stand-in and docker-registry with token auth on loopback:
#  1. the protocol on a Windows console: binary stdio (no CR), UTF-8
#  2. store/get/list/erase against wine's Credential Manager, the 2,560-byte
#     blob limit refused before anything is written
#  3. login (direct): one verification, the pair in the Credential Manager,
#     skopeo (through credHelpers -> this .exe) pushes and pulls with it
#  4. session and org-token exchanges: the cache under %LOCALAPPDATA%, one
#     exchange for many gets, no robot token in the cache
#  5. concurrent gets on a cold cache: one exchange (LockFileEx); a lock
#     holder killed mid-exchange does not block the next get
#  6. the kubelet mode
#  7. TLS: a self-signed certificate refused; UP_CA_BUNDLE refused clearly
# Needs WINDOWS_BIN (the .exe) and wine; tests/run.sh passes WINEPREFIX with
# a running wineserver (started once). Secrets never reach argv.
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
WINDOWS_BIN=${WINDOWS_BIN:-$REPO/build-windows/docker-credential-upbound.exe}
WINE=${WINE:-/usr/lib/wine/wine64}
export WINDOWS_BIN WINE WINEDEBUG=-all
HELPER_BIN=$REPO/tests/e2e/wine/docker-credential-upbound
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/tls.sh"
umask 077

if [ ! -f "$WINDOWS_BIN" ] || [ ! -x "$WINE" ]; then
    not_ok "the Windows build $WINDOWS_BIN and wine ($WINE) are there"; e2e_finish
fi
if [ -z "${WINEPREFIX:-}" ]; then
    # on its own: a prefix of its own, one wineserver for every call
    export WINEPREFIX=$E2E_TMP/wine
    stop_wine() { "$(dirname "$WINE")/wineserver" -k 2>/dev/null; }
    e2e_on_exit stop_wine
    mkdir -p "$WINEPREFIX"
    "$(dirname "$WINE")/wineserver" -p
fi
export HCALL_TIMEOUT=30

# What Windows would have: no XDG variables, so the defaults are
# %LOCALAPPDATA% (cache) and %APPDATA% (config); wine sets both.
e2e_clean_env
unset XDG_RUNTIME_DIR XDG_CACHE_HOME XDG_CONFIG_HOME
export UP_DEBUG=1
LOCAL_APPDATA=$(ls -d "$WINEPREFIX"/drive_c/users/*/AppData/Local 2>/dev/null | grep -v /Public/ | head -1)
CACHE=$LOCAL_APPDATA/docker-credential-upbound
# Other caches go beside it, in the prefix: wine maps the private access
# list onto Unix mode 0750, which the scan of $E2E_TMP (0600 files in 0700
# directories, a POSIX rule) would rightly flag on Linux.
CACHES=$LOCAL_APPDATA/dcu-wine-test
rm -rf "$CACHE" "$CACHES"
remove_caches() { rm -rf "$CACHE" "$CACHES"; }
e2e_on_exit remove_caches

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=$REG
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REG"

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
out_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
robot() { # robot NAME: a robot of acme in $E2E_TMP/NAME.json; sets R_ID
    mint_robot acme "$1" "$E2E_TMP/$1.json" || { not_ok "mint robot $1"; return 1; }
    R_ID=$(jfield "$E2E_TMP/$1.json" accessId)
    remember_secret "$(jfield "$E2E_TMP/$1.json" token)"
    printf '%s\n' "$(jfield "$E2E_TMP/$1.json" token)" >>"$E2E_TMP/robot-tokens"
}
: >"$E2E_TMP/robot-tokens"
n_path() { upbound_count "$1"; }
EXCHANGE_PATH=/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens

# ================================================================ 1. the console
hcall_argv version
if [ "$H_RC" = 0 ] && [ "$H_LINES" = 1 ] && [ "$(tr -dc '\r' <"$E2E_TMP/h.out" | wc -c)" = 0 ] &&
    [[ $H_OUT == "docker-credential-upbound (github.com/upbound/docker-credential-upbound) "* ]]; then
    ok "version under wine: one line ending in LF, no CR (stdout in binary mode)"
else
    not_ok "version under wine: one line ending in LF, no CR"; h_diag out
fi

# ================================================================ 2. Credential Manager
diag "---- the protocol against wine's Credential Manager"
URL=https://wine.example.test:5000
KEY=wine.example.test:5000
USER_U=$'r\xc3\xb6bot-\xe2\x9c\x93'
SECRET_U=$'s3cr\xe2\x82\xac t with "quotes" and \\ and spaces'
store_ok "store: a UTF-8 username and secret" "$URL" "$USER_U" "$SECRET_U"
get_is "get: the same bytes back (UTF-8 through UTF-16 and back)" "$URL" "$USER_U" "$SECRET_U"
check_eq "list: the canonical key with its username" "$USER_U" "$(list_get "$KEY")"
store_ok "store again under another username: replaces" "$URL" other-user "second-secret-$RANDOM"
check_eq "... list shows one entry, the new username" other-user "$(list_get "$KEY")"
BIG=$(head -c 1920 /dev/urandom | base64 -w0)   # 2,560 characters
store_ok "store: a 2,560-byte secret (the Credential Manager's limit) is kept" "$URL" big "$BIG"
get_is "... and read back whole" "$URL" big "$BIG"
hcall store "{\"ServerURL\":\"$URL\",\"Username\":\"bigger\",\"Secret\":\"${BIG}y\"}"
if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && [[ $H_OUT == *2560* ]]; then
    ok "store: a 2,561-byte secret is refused in one line naming the limit"
else
    not_ok "store: a 2,561-byte secret is refused in one line naming the limit"; h_diag out
fi
get_is "... and the entry before it is untouched" "$URL" big "$BIG"
erase_ok "erase" "$URL"
get_absent "get after erase: not found, in Docker's words" "$URL"
hcall list
check "list after erase: the key is gone" test "$H_RC" = 0 -a "$(list_get "$KEY"; echo $?)" = 1

# ================================================================ 3. login, direct
diag "---- login --token-file (direct), then skopeo through credHelpers -> the .exe"
"$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "hello from the wine e2e test"
LAYER=$(cat "$E2E_TMP/image/layer.digest"); LAYER=${LAYER#sha256:}
printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
printf 'unqualified-search-registries = []\n' >"$E2E_TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$E2E_TMP/registries.conf" --policy "$E2E_TMP/policy.json" --tmpdir "$E2E_TMP")
sk() { timeout 90 "${SKOPEO[@]}" "$@" >"$E2E_TMP/skopeo.out" 2>&1; }
check_eq "skopeo finds docker-credential-upbound on PATH: the wine wrapper" "$HELPER_BIN" \
    "$(command -v docker-credential-upbound)"

robot wine-direct || e2e_finish; D_ID=$R_ID
upbound_clear
hcall_argv login --token-file "$E2E_TMP/wine-direct.json"
check_eq "login --token-file: exit 0" 0 "$H_RC" || h_diag
check_eq "... one verification at the registry's token service" 1 "$(n_path /service/token)"
check_eq "... the Credential Manager holds the pair under the access ID" "$D_ID" "$(list_get "$REG")"
get_is "get: the robot pair, as Upbound documents it" "$REG" "$D_ID" "$(jfield "$E2E_TMP/wine-direct.json" token)"
check_eq "... without another verification (login cached the verdict in %LOCALAPPDATA%)" 1 "$(n_path /service/token)"
if sk copy --dest-tls-verify=false "oci:$E2E_TMP/image:v1" "docker://$REG/acme/wine:v1" &&
    sk inspect --tls-verify=false "docker://$REG/acme/wine:v1" && grep -q "$LAYER" "$E2E_TMP/skopeo.out"; then
    ok "skopeo pushes and inspects with the pair the .exe gave it"
else
    not_ok "skopeo pushes and inspects with the pair the .exe gave it"; sed -n '1,5s/^/#   /p' "$E2E_TMP/skopeo.out"
fi
if file_has_secret "$E2E_TMP/skopeo.out" $(cat "$E2E_TMP/robot-tokens"); then
    not_ok "skopeo's output carries no robot token"
else
    ok "skopeo's output carries no robot token"
fi
hcall_argv logout --server "$REG"
check_eq "logout: exit 0, the Credential Manager no longer holds it" "0 1" "$H_RC $(list_get "$REG"; echo $?)"

# ================================================================ 4. exchanges, the cache
diag "---- session and org-token exchanges; the cache in %LOCALAPPDATA%"
robot wine-exchange || e2e_finish; X_ID=$R_ID
export UP_ROBOT_TOKEN_FILE=$E2E_TMP/wine-exchange.json UP_ORGANIZATION=acme
for kind in session org-token; do
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$kind
    if [ "$kind" = session ]; then path=/v1/login; else path=$EXCHANGE_PATH; fi
    rm -rf "$CACHE"
    upbound_clear
    hcall get "$REG"
    first=$(out_field "$E2E_TMP/h.out" Secret)
    check_eq "$kind: get exchanges once, answers _token" "0 _token 1" \
        "$H_RC $(out_field "$E2E_TMP/h.out" Username) $(n_path "$path")"
    for i in 1 2 3; do hcall get "$REG"; done
    check "$kind: three more gets: the same credential, still one exchange" \
        test "$(out_field "$E2E_TMP/h.out" Secret)" = "$first" -a "$(n_path "$path")" = 1
    n=$(ls "$CACHE" 2>/dev/null | grep -c '\.json$')
    check "$kind: the cache is in %LOCALAPPDATA%\\docker-credential-upbound ($n file(s))" test "$n" -ge 1
    if file_has_secret <(cat "$CACHE"/*.json) $(cat "$E2E_TMP/robot-tokens"); then
        not_ok "$kind: no robot token in the cache"
    else
        ok "$kind: no robot token in the cache"
    fi
    if sk inspect --tls-verify=false "docker://$REG/acme/wine:v1" && grep -q "$LAYER" "$E2E_TMP/skopeo.out"; then
        ok "$kind: skopeo pulls (inspect) with the exchanged credential"
    else
        not_ok "$kind: skopeo pulls (inspect) with the exchanged credential"; sed -n '1,5s/^/#   /p' "$E2E_TMP/skopeo.out"
    fi
done

# ================================================================ 5. one exchange for many
diag "---- concurrent gets on a cold cache; a killed lock holder"
N=12
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHES/burst
printf '%s' "$REG" >"$E2E_TMP/get.in"
upbound_clear
upbound_fault '{"path":"/v1/login","delay":1,"count":1}'   # all of them overlap the exchange
mkdir -p "$E2E_TMP/burst"
pids=()
for i in $(seq 1 $N); do
    timeout 60 "$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/burst/out.$i" 2>"$E2E_TMP/burst/err.$i" &
    pids+=($!)
done
rcs=""
for p in "${pids[@]}"; do wait "$p"; rcs="$rcs$?"; done
cat "$E2E_TMP"/burst/err.* >>"$E2E_STDERR_ALL"
same=$("$PY" - "$E2E_TMP/burst" "$N" <<'EOF'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
secrets = set()
for i in range(1, n + 1):
    try:
        c = json.load(open("%s/out.%d" % (d, i)))
        secrets.add((c["Username"], c["Secret"]))
    except Exception:
        secrets.add(None)
print("one" if len(secrets) == 1 and None not in secrets else "%d different" % len(secrets))
EOF
)
check_eq "$N concurrent gets (cold cache) all succeed" "$(printf '0%.0s' $(seq 1 $N))" "$rcs"
check_eq "... with one and the same credential" one "$same"
check_eq "... and Upbound saw exactly one login" 1 "$(n_path /v1/login)"
for f in "$E2E_TMP"/burst/out.*; do
    s=$(out_field "$f" Secret); [ -n "$s" ] && remember_secret "$s"
done

export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHES/killed
upbound_clear
upbound_fault '{"path":"/v1/login","delay":8}'
"$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/killed.out" 2>"$E2E_TMP/killed.err" &
holder=$!
# the stand-in logs a request when it answers: the holder's trace says when
# it is in the exchange, which it starts holding the refresh lock
for i in $(seq 1 100); do grep -q 'session exchange with' "$E2E_TMP/killed.err" && break; sleep 0.1; done
check "a get waiting on a slow (8 s) login is in the exchange" grep -q 'session exchange with' "$E2E_TMP/killed.err"
timeout 30 "$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/waiter.out" 2>"$E2E_TMP/waiter.err" &
waiter=$!
sleep 1
upbound_clear     # from now on the stand-in answers promptly
check "a second get queues behind it (LockFileEx)" pid_alive "$waiter"
t_kill=$(date +%s.%N)
kill -9 "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
wait "$waiter"; w_rc=$?
w_secs=$(awk -v a="$t_kill" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
cat "$E2E_TMP/killed.err" "$E2E_TMP/waiter.err" >>"$E2E_STDERR_ALL"
s=$(out_field "$E2E_TMP/waiter.out" Secret); [ -n "$s" ] && remember_secret "$s"
check_eq "the holder killed (SIGKILL): the queued get takes over and succeeds (${w_secs}s)" "0 _token" \
    "$w_rc $(out_field "$E2E_TMP/waiter.out" Username)"
check "... promptly (${w_secs}s < 5 s: the system released the lock of the dead process)" \
    awk -v s="$w_secs" 'BEGIN{exit !(s < 5)}'

# ================================================================ 6. the kubelet mode
diag "---- the kubelet mode (Windows nodes run the kubelet too)"
unset DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct UP_ROBOT_TOKEN_FILE=$E2E_TMP/wine-direct.json
V=credentialprovider.kubelet.k8s.io
hcall kubelet "{\"apiVersion\":\"$V/v1\",\"kind\":\"CredentialProviderRequest\",\"image\":\"$REG/acme/wine:v1\"}"
why=$(E_REG=$REG E_ID=$D_ID W=$V/v1 "$PY" - "$E2E_TMP/h.out" <<'EOF'
import json, os, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("not JSON"); sys.exit()
if d.get("apiVersion") != os.environ["W"] or d.get("kind") != "CredentialProviderResponse":
    print("apiVersion/kind"); sys.exit()
if d.get("cacheKeyType") != "Registry":
    print("cacheKeyType %r" % d.get("cacheKeyType")); sys.exit()
a = d.get("auth", {}).get(os.environ["E_REG"])
if not a or a.get("username") != os.environ["E_ID"] or not a.get("password"):
    print("auth for the registry: %r" % (sorted(a) if a else None))
EOF
)
check_eq "kubelet: a CredentialProviderResponse for the registry, the robot's access ID, cacheKeyType Registry" \
    "0 " "$H_RC $why"

# ================================================================ 7. TLS
diag "---- TLS through WinHTTP and the system's trust"
if make_test_certs "$E2E_TMP/certs"; then
    C=$E2E_TMP/certs
    if start_upbound "$E2E_TMP/upbound-tls" --listen "selfsigned:$C/selfsigned.crt:$C/selfsigned.key"; then
        port=$(upbound_listener_port selfsigned)
        export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=5
        export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHES/tls
        OVERRIDE_API_ENDPOINT=https://localhost:$port hcall get "$REG"
        check "a self-signed certificate is refused: one line, exit 1, a TLS error" \
            test "$H_RC" = 1 -a "$H_LINES" = 1 -a "$(grep -c 'SSL' "$E2E_TMP/h.out")" = 1
        UP_CA_BUNDLE=$C/ca.crt OVERRIDE_API_ENDPOINT=https://localhost:$port hcall get "$REG"
        if [ "$H_RC" = 1 ] && [[ $H_OUT == *"UP_CA_BUNDLE is not supported on Windows"* ]]; then
            ok "UP_CA_BUNDLE: refused with the way to trust a CA on Windows"
        else
            not_ok "UP_CA_BUNDLE: refused with the way to trust a CA on Windows"; h_diag out
        fi
    else
        not_ok "start a stand-in with a self-signed TLS listener"
    fi
else
    not_ok "make the test certificates with openssl"
fi

e2e_finish
