#!/bin/bash
# The credential-helper protocol, driven directly against the binary:
# arguments, exact error strings, stdin edge cases, key normalisation,
# list, and behaviour without a bus / without a Secret Service / with a
# locked keyring. Every call runs under `timeout 10`.
. "$(dirname "$0")/lib.sh"

# fails_fast DESC [WORD]: the last helper call exited 1 with one line on
# stdout (containing WORD, any case) within 5 s.
fails_fast() {
    if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && elapsed_under 5 &&
        { [ -z "${2:-}" ] || printf '%s' "$H_OUT" | grep -qi -- "$2"; }; then
        ok "$1 (${H_SECS}s)"
    else
        not_ok "$1"; h_diag out
    fi
}

NAME=docker-credential-upbound
H=proto.e2e.example.test            # registry used by this script
S1='proto-secret-1-Zq8'             # test secrets (checked against stderr)
S2='proto-secret-2-Kv3'
S3='proto-secret-3-Jw5'
remember_secret "$S1"; remember_secret "$S2"; remember_secret "$S3"

cleanup_proto() {
    local k
    for k in "$H" "$H:5000" "norm.e2e.example.test" "norm.e2e.example.test:5000" \
             "ci.e2e.example.test" "big.e2e.example.test" "https://index.docker.io/v1/"; do
        HCALL_TIMEOUT=5 hcall erase "$k" >/dev/null 2>&1
    done
}
e2e_on_exit cleanup_proto

# ------------------------------------------------------------ arguments
for a in -v --version version; do
    hcall_argv "$a"
    if [ "$H_RC" = 0 ] && [ "$H_LINES" = 1 ] &&
        printf '%s\n' "$H_OUT" | grep -Eq "^$NAME \([^)]+\) [^ ]+\$"; then
        ok "'$a' prints '$NAME (...) VERSION' and exits 0"
    else
        not_ok "'$a' prints '$NAME (...) VERSION' and exits 0"; h_diag out
    fi
done

for a in -h --help; do
    hcall_argv "$a"
    if [ "$H_RC" = 0 ] && printf '%s' "$H_OUT" | grep -qi usage &&
        printf '%s' "$H_OUT" | grep -q store; then
        ok "'$a' prints usage on stdout and exits 0"
    else
        not_ok "'$a' prints usage on stdout and exits 0"; h_diag out
    fi
done

hcall_argv
check_eq "no arguments: one error line on stdout, exit 1" \
    "$NAME: error: no command given (run '$NAME --help')|1" "$H_OUT|$H_RC"

hcall_argv get list
check_eq "an extra argument: one error line on stdout, exit 1" \
    "$NAME: error: get: unexpected argument 'list' (run '$NAME get --help')|1" "$H_OUT|$H_RC"

hcall_argv bogus
check_eq "unknown command: one error line on stdout, exit 1" \
    "$NAME: error: unknown command 'bogus' (run '$NAME --help')|1" "$H_OUT|$H_RC"
hcall_argv stor
check_eq "misspelt command: did you mean, on the same line" \
    "$NAME: error: unknown command 'stor' (did you mean 'store'?) (run '$NAME --help')" "$H_OUT"

# ------------------------------------------------------------ empty / odd stdin
hcall get
check_eq "get with empty stdin: 'no credentials server URL'" "no credentials server URL" "$H_OUT"
check_eq "get with empty stdin: exit 1 (no hang)" 1 "$H_RC"

hcall get $'  \n\t'
check_eq "get with only white space: 'no credentials server URL', exit 1" \
    "1 no credentials server URL" "$H_RC $H_OUT"

hcall list
if [ "$H_RC" = 0 ]; then ok "list with empty stdin exits 0"; else not_ok "list with empty stdin exits 0"; h_diag; fi

# ------------------------------------------------------------ store validation
hcall store '{"ServerURL":"","Username":"u","Secret":"x"}'
check_eq "store with empty ServerURL: 'no credentials server URL', exit 1" \
    "1 no credentials server URL" "$H_RC $H_OUT"
hcall store "{\"ServerURL\":\"$H\",\"Username\":\"\",\"Secret\":\"x\"}"
check_eq "store with empty Username: 'no credentials username', exit 1" \
    "1 no credentials username" "$H_RC $H_OUT"
hcall store "{\"ServerURL\":\"$H\",\"Secret\":\"x\"}"
check_eq "store without a Username key: 'no credentials username', exit 1" \
    "1 no credentials username" "$H_RC $H_OUT"

store_ok "store $H" "$H" user1 "$S1"
get_is "get $H after store" "$H" user1 "$S1"
list_get "$H" >/dev/null
cp "$E2E_TMP/list.json" "$E2E_TMP/list.before"

# malformed JSON: one line, exit 1, nothing changes, secret not echoed
n=0
for bad in "{\"ServerURL\":\"$H\",\"Username\":\"evil\",\"Secret\":\"$S2\"" \
           "not json $S2" \
           "[\"$H\",\"evil\",\"$S2\"]" \
           "{\"ServerURL\":\"$H\",\"Username\":\"evil\",\"Secret\":\"$S2\"} trailing" \
           ""; do
    n=$((n + 1))
    hcall store "$bad"
    if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && [ -n "$H_OUT" ]; then
        ok "malformed store input #$n: one line on stdout, exit 1"
    else
        not_ok "malformed store input #$n: one line on stdout, exit 1"; h_diag
    fi
    if [[ $H_OUT == *"$S2"* ]]; then
        not_ok "malformed store input #$n: secret not echoed on stdout"
    else
        ok "malformed store input #$n: secret not echoed on stdout"
    fi
done
list_get "$H" >/dev/null
if cmp -s "$E2E_TMP/list.before" "$E2E_TMP/list.json"; then
    ok "malformed store inputs changed nothing (list identical)"
else
    not_ok "malformed store inputs changed nothing (list identical)"
fi
get_is "get $H still returns the first credential" "$H" user1 "$S1"

# over-long stdin: 1.5 MiB store and 2 MiB get
"$PY" - "$E2E_TMP/big-store" "$E2E_TMP/big-get" <<'EOF'
import sys
open(sys.argv[1], "w").write('{"ServerURL":"big.e2e.example.test","Username":"u","Secret":"' + "s" * (1536 * 1024) + '"}\n')
open(sys.argv[2], "w").write("a" * (2 * 1024 * 1024))
EOF
hcall_file store "$E2E_TMP/big-store"
if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && [ "${#H_OUT}" -lt 300 ] &&
    printf '%s' "$H_OUT" | grep -Eqi 'large|long|size|limit|[KM]i?B'; then
    ok "store with 1.5 MiB on stdin: one short line saying it is too large, exit 1"
else
    not_ok "store with 1.5 MiB on stdin: one short line saying it is too large, exit 1"; diag "exit=$H_RC lines=$H_LINES len=${#H_OUT} ${H_OUT:0:200}"
fi
get_absent "the over-long store stored nothing" big.e2e.example.test
hcall_file get "$E2E_TMP/big-get"
if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && [ "${#H_OUT}" -lt 300 ] &&
    printf '%s' "$H_OUT" | grep -Eqi 'large|long|size|limit|[KM]i?B'; then
    ok "get with 2 MiB on stdin: one short line saying it is too large, exit 1"
else
    not_ok "get with 2 MiB on stdin: one short line saying it is too large, exit 1"; diag "exit=$H_RC lines=$H_LINES len=${#H_OUT} ${H_OUT:0:200}"
fi
# a large but sane secret (16 KiB) still round-trips
BIGSECRET=$(head -c 12288 /dev/urandom | base64 -w0)
store_ok "store a 16 KiB secret" big.e2e.example.test u "$BIGSECRET"
get_is "get returns the 16 KiB secret intact" big.e2e.example.test u "$BIGSECRET"
erase_ok "erase big.e2e.example.test" big.e2e.example.test

# ------------------------------------------------------------ erase of absent
erase_ok "erase of a never-stored server exits 0 with no output" never.e2e.example.test
erase_ok "erase of a never-stored server with port exits 0" "https://never.e2e.example.test:5000/"

# ------------------------------------------------------------ case-insensitive keys
hcall store "{\"serverurl\":\"ci.e2e.example.test\",\"USERNAME\":\"ciuser\",\"secret\":\"$S3\",\"Extra\":1}"
check_eq "store with lower/upper-case keys and an unknown key: exit 0, no output" "0 " "$H_RC $H_OUT"
get_is "get returns what the case-insensitive store wrote" ci.e2e.example.test ciuser "$S3"
hcall store "{\"ServerURL\":\"ci.e2e.example.test\",\"Username\":\"ciuser2\",\"Secret\":\"$S3\"}"$'\n'
check_eq "store with a trailing newline after the JSON: exit 0" 0 "$H_RC"
hcall get $'  ci.e2e.example.test\n'
if [ "$H_RC" = 0 ] && printf '%s' "$H_OUT" | grep -q '"ServerURL":"ci.e2e.example.test"' &&
    printf '%s' "$H_OUT" | grep -q '"Username":"ciuser2"'; then
    ok "get trims white space around the server URL and echoes it trimmed"
else
    not_ok "get trims white space around the server URL and echoes it trimmed"; h_diag
fi
erase_ok "erase ci.e2e.example.test" ci.e2e.example.test
get_absent "get after erase: not found" ci.e2e.example.test

# ------------------------------------------------------------ normalisation
N=norm.e2e.example.test
store_ok "store $N" "$N" normuser "$S1"
for k in "$N" "$N:443" "https://$N" "http://$N" "https://$N:443/" "https://$N/v2/"; do
    get_is "get '$k' finds the credential stored as '$N' and echoes '$k'" "$k" normuser "$S1"
done
get_absent "get '$N:5000' (another port) is not found" "$N:5000"
got=$(list_get "$N"); rc=$?
check_eq "list has canonical key '$N' -> normuser" "0 normuser" "$rc $got"
store_ok "re-store as 'https://$N:443/' with another username" "https://$N:443/" normuser2 "$S2"
check_eq "exactly one io.upbound.Credentials item for $N" 1 "$(count_ours "$N")"
get_is "get '$N' returns the new username and secret" "$N" normuser2 "$S2"
got=$(list_get "https://$N:443/"); rc=$?
check_eq "list has no key 'https://$N:443/'" 1 "$rc"
store_ok "store '$N:5000'" "http://$N:5000/v2/" portuser "$S3"
got=$(list_get "$N:5000"); rc=$?
check_eq "list has '$N:5000' -> portuser" "0 portuser" "$rc $got"
got=$(list_get "$N"); rc=$?
check_eq "list still has '$N' -> normuser2" "0 normuser2" "$rc $got"
get_is "get '$N:5000' returns its own credential" "$N:5000" portuser "$S3"
erase_ok "erase 'http://$N/'" "http://$N/"
get_absent "get '$N' after erase via another spelling: not found" "$N"
check_eq "no io.upbound.Credentials item left for $N" 0 "$(count_ours "$N")"
get_is "erasing '$N' left '$N:5000' alone" "$N:5000" portuser "$S3"
erase_ok "erase '$N:5000'" "$N:5000"

# Docker Hub under every name
store_ok "store 'docker.io'" docker.io hubuser "$S1"
for k in docker.io index.docker.io registry-1.docker.io "https://index.docker.io/v1/" "https://registry-1.docker.io"; do
    get_is "Docker Hub: get '$k'" "$k" hubuser "$S1"
done
got=$(list_get "https://index.docker.io/v1/"); rc=$?
check_eq "Docker Hub: list key is 'https://index.docker.io/v1/'" "0 hubuser" "$rc $got"
check_eq "Docker Hub: one io.upbound.Credentials item with server https://index.docker.io/v1/" \
    1 "$(count_ours "https://index.docker.io/v1/")"
erase_ok "Docker Hub: erase 'registry-1.docker.io'" registry-1.docker.io
get_absent "Docker Hub: gone after erase" "https://index.docker.io/v1/"

# ------------------------------------------------------------ list
store_ok "store $H again" "$H" user1 "$S1"
list_get "$H" >/dev/null; rc=$?
check_eq "list prints a JSON object of strings" 0 "$rc"
if file_has_secret "$E2E_TMP/list.json" "$S1" "$S2" "$S3"; then
    not_ok "list output contains no secret"
else
    ok "list output contains no secret"
fi
allok=1
for k in $(list_keys); do
    hcall get "$k"
    if [ "$H_RC" != 0 ]; then allok=0; diag "listed key '$k' is refused by get: $H_OUT"; fi
done
check "every key printed by list is accepted by get" [ "$allok" = 1 ]

# ------------------------------------------------------------ no session bus
(
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$E2E_TMP/no-such-bus"
    hcall get "$H"
    fails_fast "no session bus: get exits 1 with one line within 5 s"
    hcall store "{\"ServerURL\":\"$H\",\"Username\":\"u\",\"Secret\":\"$S2\"}"
    fails_fast "no session bus: store exits 1 with one line within 5 s"
    unset DBUS_SESSION_BUS_ADDRESS
    export XDG_RUNTIME_DIR="$E2E_TMP/empty-runtime"; mkdir -p "$XDG_RUNTIME_DIR"
    hcall get "$H"
    fails_fast "DBUS_SESSION_BUS_ADDRESS unset: get exits 1 with one line within 5 s"
)

# ------------------------------------------------------------ bus without a Secret Service
(
    SERVICES_PIDS=
    trap stop_services EXIT
    start_session_bus "$E2E_TMP/bus-noprovider" >/dev/null || { not_ok "start a second session bus"; exit 1; }
    hcall get "$H"
    fails_fast "no Secret Service on the bus: get exits 1 with one line within 5 s"
    hcall store "{\"ServerURL\":\"$H\",\"Username\":\"u\",\"Secret\":\"$S2\"}"
    fails_fast "no Secret Service on the bus: store exits 1 with one line within 5 s"
    hcall list unused
    fails_fast "no Secret Service on the bus: list exits 1 with one line within 5 s"
)

# ------------------------------------------------------------ locked keyring
# A separate HOME, bus and keyring: once locked it cannot be unlocked
# without a prompt.
(
    SERVICES_PIDS=
    trap stop_services EXIT
    make_test_home "$E2E_TMP/locked"
    start_session_bus "$E2E_TMP/locked/bus" >/dev/null &&
        start_keyring "$E2E_TMP/locked/keyring" >/dev/null ||
        { not_ok "start a separate bus and keyring for the lock test"; exit 1; }
    store_ok "locked keyring: store before locking" "$H" lockuser "$S1"
    get_is "locked keyring: get before locking" "$H" lockuser "$S1"
    coll=/org/freedesktop/secrets/collection/login
    # org.freedesktop.Secret.Service.Lock answers at once; Debian's
    # `secret-tool lock` locks too but then hangs (seen: >10 s), so it is
    # only the fallback.
    timeout 10 gdbus call --session --dest org.freedesktop.secrets \
            --object-path /org/freedesktop/secrets \
            --method org.freedesktop.Secret.Service.Lock "['$coll']" >/dev/null 2>&1 ||
        timeout 5 secret-tool lock --collection="$coll" </dev/null >/dev/null 2>&1
    locked=$(timeout 10 gdbus call --session --dest org.freedesktop.secrets --object-path "$coll" \
        --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked 2>&1)
    check_eq "locked keyring: the login collection reports Locked=true" "(<true>,)" "$locked"
    hcall get "$H"
    fails_fast "locked keyring: get exits 1 with one line mentioning 'locked' within 5 s" locked
    hcall store "{\"ServerURL\":\"$H\",\"Username\":\"lockuser2\",\"Secret\":\"$S2\"}"
    fails_fast "locked keyring: store exits 1 with one line mentioning 'locked' within 5 s" locked
)

# ------------------------------------------------------------ hung provider
# A Secret Service that owns its name but never answers (stopped with
# SIGSTOP): every action must give up with one line, never hang.
(
    SERVICES_PIDS=
    trap 'for p in $SERVICES_PIDS; do kill -CONT "$p" 2>/dev/null; done; stop_services' EXIT
    make_test_home "$E2E_TMP/hung"
    start_session_bus "$E2E_TMP/hung/bus" >/dev/null &&
        start_keyring "$E2E_TMP/hung/keyring" >/dev/null ||
        { not_ok "start a separate bus and keyring for the hang test"; exit 1; }
    store_ok "hung keyring: store before stopping it" "$H" hunguser "$S1"
    keyring_pid=${SERVICES_PIDS##* }
    kill -STOP "$keyring_pid"
    for action in get store list erase; do
        if [ "$action" = store ]; then
            hcall store "{\"ServerURL\":\"$H\",\"Username\":\"hunguser\",\"Secret\":\"$S2\"}"
        elif [ "$action" = list ]; then
            hcall list
        else
            hcall "$action" "$H"
        fi
        fails_fast "hung keyring: $action exits 1 with one line saying it did not answer, within 5 s" \
            'did not answer'
    done
    kill -CONT "$keyring_pid"
)

e2e_finish
