#!/bin/bash
# The fault matrix (issue 10, item 2): every way Upbound, the registry or
# its token service can fail, for each exchange (session, org-token,
# direct) and the kubelet mode, over plain HTTP and over TLS with
# certificates made at test time (tests/lib/tls.sh). One stand-in
# (tests/upbound/standin.py) serves the API, the org-token exchange, the
# registry's /v2/ ping and its token realm, on a plain port and on HTTPS
# listeners with a valid, a self-signed, an expired and a wrong-host
# certificate; an "evil" listener (start_evil) stands for every other host.
#
# Faults: 500, 502, 503, 504, 429 with Retry-After, connection refused,
# connection reset, slower than the timeout, a body that never ends (slow
# and fast), a truncated body, malformed bodies, a login without its
# cookie, a 200 with an already expired credential, a revoked robot token,
# a redirect (302/307) to the evil listener; over TLS also the refused
# certificates.
#
# For each case (fault_case): the exit code; the one line on stdout (the
# protocol's error line, matched against its stable wording; no secret in
# it); the time taken (under the configured timeout + 1.5 s, however many
# retries); the cache directory (names and hashes, lock files aside), the
# secret store (`list` and a digest of the items) unchanged; the stand-in
# asked only on the expected paths, and no connection at all to the evil
# listener; the last failure record (status --json) holds the line printed
# and a later success clears it. With a cached credential that is due for a
# refresh but still valid, every fault still serves it, unchanged.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/tls.sh"
umask 077

EXCHANGE_PATH=/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens
# DOCKER_CREDENTIAL_UPBOUND_TIMEOUT: 1 s for the faults (a failing get ends
# within it, retries included: the backoff never sleeps past the deadline),
# 2 s for the gets that must succeed (room for a slow sanitizer build)
T_DEFAULT=1
T_TLS=1
T_OK=2
MARGIN=1.5                     # seconds a call may take beyond its timeout
MARGIN_US=1500000
PREFIX="docker-credential-upbound: error: "

e2e_clean_env https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export UP_DEBUG=1              # diagnostics on stderr, checked for secrets like the rest
export HCALL_TIMEOUT=15

T_START=$(date +%s.%N)
if ! make_test_certs "$E2E_TMP/certs"; then
    not_ok "make the test certificates with openssl"; sed 's/^/#   /' "$E2E_TMP/certs/openssl.log"; e2e_finish
fi
C=$E2E_TMP/certs
if ! start_upbound "$E2E_TMP/upbound" --listen "tls:$C/valid.crt:$C/valid.key" \
        --listen "selfsigned:$C/selfsigned.crt:$C/selfsigned.key" \
        --listen "expired:$C/expired.crt:$C/expired.key" \
        --listen "wronghost:$C/wronghost.crt:$C/wronghost.key"; then
    not_ok "start the Upbound stand-in with its TLS listeners"; e2e_finish
fi
if ! start_evil "$E2E_TMP/evil"; then not_ok "start the evil listener"; e2e_finish; fi
declare -A TLS_PORT
for l in tls selfsigned expired wronghost; do TLS_PORT[$l]=$(upbound_listener_port $l); done
CLOSED_PORT=$(free_port)       # nothing listens there: connection refused
ok "stand-in on $UPBOUND_URL and https ports ${TLS_PORT[*]} (valid, self-signed, expired, wrong host); evil listener on $EVIL_PORT"

REG=127.0.0.1:$UPBOUND_PORT                # plain HTTP: the stand-in is also the registry
TREG=127.0.0.1:${TLS_PORT[tls]}            # over TLS
cleanup_fault() { HCALL_TIMEOUT=5 hcall erase "$REG"; }
e2e_on_exit cleanup_fault

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
robot() { # robot NAME: mint acme/NAME into $E2E_TMP/NAME.json; sets R_ID
    SNAP=''
    mint_robot acme "$1" "$E2E_TMP/$1.json" || { not_ok "mint robot $1"; e2e_finish; }
    R_ID=$(jfield "$E2E_TMP/$1.json" accessId)
    remember_secret "$(jfield "$E2E_TMP/$1.json" token)"
    jfield "$E2E_TMP/$1.json" token >>"$E2E_TMP/robot-tokens"
}
robot ci; CI_ID=$R_ID
robot revoked; REVOKED_ID=$R_ID
upbound_revoke "$REVOKED_ID"
# the robot token of ci in the keyring, for the plain-HTTP registry
store_ok "store robot ci's token for $REG in the keyring" "$REG" "$CI_ID" "$(jfield "$E2E_TMP/ci.json" token)"

# ---------------------------------------------------------------- settings

# use EXCHANGE WHERE [SOURCE]: the helper's settings for a case.
#   WHERE: plain (the stand-in's http port), tls, selfsigned, expired,
#          wronghost (its https listeners, UP_CA_BUNDLE = the test CA),
#          tls-noca (the valid listener without UP_CA_BUNDLE), refused
#          (API and auth endpoints on a closed port)
#   SOURCE: keyring (default for plain: robot ci as stored), or the
#          robot NAME whose token file is $E2E_TMP/NAME.json (default: ci)
# Sets H (the registry key to ask for) and CACHE; the cache directory is
# one per exchange and endpoint set, so cases see each other's entries
# exactly as a user's would.
use() {
    local kind=$1 where=$2 src=${3:-}
    unset UP_ROBOT_TOKEN_FILE UP_CA_BUNDLE UP_ORGANIZATION
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$kind DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=$T_DEFAULT
    [ "$kind" = org-token ] && export UP_ORGANIZATION=acme
    local base
    case $where in
        plain)    base=$UPBOUND_URL; H=$REG ;;
        refused)  base=http://127.0.0.1:$CLOSED_PORT; H=127.0.0.1:$CLOSED_PORT ;;
        tls-noca) base=https://$TREG; H=$TREG ;;
        *)        base=https://127.0.0.1:${TLS_PORT[$where]}; H=127.0.0.1:${TLS_PORT[$where]}
                  export UP_CA_BUNDLE=$C/ca.crt ;;
    esac
    case $where in plain|refused) ;; *) export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=$T_TLS ;; esac
    export OVERRIDE_API_ENDPOINT=$base OVERRIDE_AUTH_ENDPOINT=$base OVERRIDE_REGISTRY_ENDPOINT=$base
    [ -z "$src" ] && { [ "$H" = "$REG" ] && src=keyring || src=ci; }
    [ "$src" = keyring ] || export UP_ROBOT_TOKEN_FILE=$E2E_TMP/$src.json
    CACHE=$E2E_TMP/cache/$kind-$where-$src
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHE
    SNAP=''   # fault_case's last snapshot, for the next case: not after a change
    U_KIND=$kind U_WHERE=$where
}

# ---------------------------------------------------------------- observations

# snapshot: the cache entries (lock files aside: they are the lock, not
# its contents; the failure record aside: checked on its own) with their
# hashes, and the keyring's file
snapshot() {
    ( shopt -s nullglob; cd "$CACHE" 2>/dev/null && f=(*.json *.verdict) && [ ${#f[@]} -gt 0 ] && sha256sum -- "${f[@]}" )
    # gnome-keyring rewrites its file on any change to an item; comparing
    # the file costs one process where asking it over D-Bus costs three
    # (the items themselves are compared once, at the end: store_digest)
    ( shopt -s nullglob; f=("$XDG_DATA_HOME"/keyrings/*.keyring)
      [ ${#f[@]} -gt 0 ] && sha256sum -- "${f[@]}" )
}

# store_digest: `list` and a digest of every item of ours (secrets pass
# through a pipe only)
store_digest() {
    printf 'list: '
    timeout 10 "$HELPER_BIN" list </dev/null 2>>"$E2E_STDERR_ALL"
    printf ' (exit %s)\n' "$?"
    timeout 10 secret-tool search --all xdg:schema io.upbound.Credentials 2>/dev/null </dev/null | sha256sum
}

# requests N0: what the stand-in logged after line N0 of its log, but for
# the test API, as "LISTENER:PATH" (LISTENER "-" for the plain port),
# sorted, unique, on one line (read with awk: python costs too much here)
requests() {
    awk -v n0="$1" 'NR > n0 {
        p = $0; sub(/.*"path":"/, "", p); sub(/".*/, "", p)
        if (p ~ /^\/_test\//) next
        l = "-"; if (match($0, /"listener":"[^"]*"/)) l = substr($0, RSTART + 12, RLENGTH - 13)
        print l ":" p }' "$UPBOUND_LOG" | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# logged_since N0: how many requests (but for the test API) were logged after line N0
logged_since() { awk -v n0="$1" 'NR > n0 && !/"path":"\/_test\//' "$UPBOUND_LOG" | wc -l; }
# sorted WORDS...: the words sorted as requests sorts them
sorted() { printf '%s\n' $* | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# last_failure: the message of the failure record of $H, or "null"
last_failure() {
    # status --json is pretty-printed with sorted keys: in a host's object
    # "key" comes first, then "last_failure" (null, or with "message"); awk
    # costs a fraction of a python start, and this runs for every case
    timeout 10 "$HELPER_BIN" status --json </dev/null 2>>"$E2E_STDERR_ALL" | awk -v k="$H" '
        index($0, "\"key\": \"" k "\",") { found = 1; next }
        found && /"last_failure": null/ { print "null"; done = 1; exit }
        found && /^ *"message": "/ {
            m = $0; sub(/^ *"message": "/, "", m); sub(/",?$/, "", m)
            gsub(/\\"/, "\"", m); gsub(/\\\//, "/", m); gsub(/\\\\/, "\\", m)
            print m; done = 1; exit }
        END { if (!done) print "(no last_failure for " k " in status --json)" }'
}

# failure_record: the message of the failure record file of $H (what
# status shows), or "none"
STATUS_CHECKED=
failure_record() {
    local f=("$CACHE"/*.failure)
    [ -e "${f[0]}" ] || { echo none; return; }
    sed -n 's/.*"message":"\(\([^"\\]\|\\.\)*\)".*/\1/p' "${f[@]}" | sed 's/\\"/"/g; s/\\\//\//g'
}

# answer_user: the Username of the get answer in $E2E_TMP/h.out (secret
# stays in the file); answer_secret_hash: a digest of its Secret
# (sed: python costs too much per case; the values are JWTs, UUIDs and
# URL-safe session ids, never with a quote or a backslash)
answer_user() { sed -n 's/.*"Username":"\([^"]*\)".*/\1/p' "${1:-$E2E_TMP/h.out}"; }
answer_hash() { sed -n 's/.*"Secret":"\([^"]*\)".*/\1/p' "${1:-$E2E_TMP/h.out}" | sha256sum | cut -c1-16; }

# wait_logged N0 N: wait (up to 1 s) until the stand-in has logged N
# requests after line N0: a request it held (slow, endless) is logged when
# the client gives up, a moment after the helper returned
wait_logged() {
    local i
    for i in $(seq 1 20); do
        [ "$(logged_since "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
}

# ---------------------------------------------------------------- one case

# fault_case NAME FAULTS WANT_RC WANT_LINE PATHS [ACTION]
#   FAULTS: a JSON fault list for the stand-in ("" for none)
#   WANT_RC 1: stdout is one line matching the extended regex WANT_LINE
#     (after the helper's prefix for errors; the not-found line as is),
#     no secret in it; the failure record is that line (unless WANT_LINE
#     is the not-found line of a missing token)
#   WANT_RC 0: WANT_LINE is "pair" (Username = the access ID), "cached"
#     (the Secret is the one in the cache before: $CACHED_HASH) or
#     "kubelet:..." (the kubelet answer: see kubelet_case)
#   PATHS: the exact set of "LISTENER:PATH" the stand-in may have been
#     asked (see requests), "*" to skip that check
#   ACTION: get (default) or kubelet
# Always: within the timeout + MARGIN; the cache and the keyring as before
# (CACHE_CHANGE=verdict: one .verdict file may be added, nothing else);
# zero connections to the evil listener.
fault_case() {
    local name="$U_KIND/$U_WHERE: $1" faults=$2 want_rc=$3 want=$4 paths=$5 action=${6:-get}
    local before after evil0 timeout=$DOCKER_CREDENTIAL_UPBOUND_TIMEOUT n0 why=""
    before=${SNAP:-$(snapshot)}
    _upbound_call DELETE /_test/faults "" /dev/null
    [ -n "$faults" ] && upbound_fault "$faults"
    evil0=$(count_lines "$EVIL_LOG")
    n0=$(count_lines "$UPBOUND_LOG")
    if [ "$action" = kubelet ]; then
        run_helper kubelet "{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\",\"image\":\"$H/acme/pkg:v1\"}"
    else
        run_helper get "$H"
    fi
    local out=$R_OUT rc=$R_RC line=${R_OUT%$'\n'}

    # exit code and the line
    if [ "$rc" != "$want_rc" ]; then why="exit $rc, not $want_rc"
    elif [ "$want_rc" = 1 ] && [ "$action" = get ]; then
        if [ "$R_LINES" != 1 ]; then why="$R_LINES lines on stdout"
        elif [ "$want" = "$NOT_FOUND" ]; then [ "$line" = "$NOT_FOUND" ] || why="not the not-found line"
        elif [ "${line#"$PREFIX"}" = "$line" ] || ! [[ ${line#"$PREFIX"} =~ ^($want)$ ]]; then
            why="the line does not match ^$PREFIX($want)\$"
        elif grep -qF -f "$E2E_SECRETS" "$E2E_TMP/case.out"; then why="a secret in the line"
        fi
    elif [ "$want_rc" = 1 ]; then   # kubelet: nothing on stdout, the reason on stderr
        if [ -n "$out" ]; then why="stdout not empty"
        elif ! [[ $R_ERR =~ $want ]]; then why="stderr lacks $want"
        fi
    elif [ "$want" = pair ]; then
        [ "$(answer_user "$E2E_TMP/case.out")" = "$CI_ID" ] || why="Username is not ci's access ID"
    elif [ "$want" = cached ]; then
        [ "$(answer_hash "$E2E_TMP/case.out")" = "$CACHED_HASH" ] || why="the Secret is not the cached one"
    elif [ "${want#kubelet:}" != "$want" ]; then
        why=$(kubelet_check "${want#kubelet:}")
    fi
    if [ -z "$why" ]; then ok "$name: exit $want_rc, $([ "$want_rc" = 1 ] && echo "one line: ${line:0:160}" || echo "$want")"
    else
        not_ok "$name: exit $want_rc and the expected answer"; diag "$why"
        diag "exit=$rc lines=$R_LINES secs=$R_SECS"
        # stdout only when it is an error line: a credential must not be shown
        [ "$rc" != 0 ] && diag "stdout: $(printf '%q' "${line:0:300}")"
        diag "stderr: $(printf '%q' "${R_ERR:0:400}")"
    fi

    # bounded time (microseconds, bash arithmetic)
    local limit_us=$(( timeout * 1000000 + MARGIN_US ))
    if [ "$R_US" -lt "$limit_us" ]; then ok "$name: done in ${R_SECS}s (timeout ${timeout}s + $MARGIN s)"
    else not_ok "$name: done in ${R_SECS}s (timeout ${timeout}s + $MARGIN s)"; fi

    # nothing sent to another host; the stand-in asked only where expected
    check_eq "$name: no connection to the evil listener" "$evil0" "$(count_lines "$EVIL_LOG")"
    case $paths in
        "*") ;;
        handshake:*)
            # a refused certificate: no HTTP request at all (the handshake
            # is logged when the server sees it fail, not when the client
            # drops it after the server's Finished)
            check_eq "$name: no HTTP request reached the stand-in" "" \
                "$(requests "$n0" | tr ' ' '\n' | grep -v "^${paths#handshake:}:(tls-handshake)\$" | tr '\n' ' ')" ;;
        *)  paths=$(sorted $paths)
            [ -n "$paths" ] && wait_logged "$n0" "$(wc -w <<<"$paths")"
            check_eq "$name: the stand-in was asked on ${paths:-nothing} only" "$paths" "$(requests "$n0")" ;;
    esac

    # cache and secret store
    after=$(snapshot)
    if [ "${CACHE_CHANGE:-}" = verdict ]; then
        local d
        d=$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after"))
        if ! grep -q '^<' <<<"$d" && [ "$(grep -c '^>' <<<"$d")" -le 1 ] && ! grep '^>' <<<"$d" | grep -vq '\.verdict$'; then
            ok "$name: the cache and the keyring as before, but for one rejection verdict"
        else
            not_ok "$name: the cache and the keyring as before, but for one rejection verdict"; sed -n '1,8s/^/#   /p' <<<"$d"
        fi
    elif [ "$before" = "$after" ]; then ok "$name: the cache and the keyring as before"
    else
        not_ok "$name: the cache and the keyring as before"
        diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed -n '1,8s/^/#   /p'
    fi
    SNAP=$after

    # the failure record
    if [ "$action" = get ] && [ "$want_rc" = 1 ] && [ "$rc" = 1 ] && [ "$want" != "$NOT_FOUND" ]; then
        if [ "$STATUS_CHECKED" != "$U_KIND/$U_WHERE" ]; then
            # once per exchange and endpoint: as status shows it
            STATUS_CHECKED="$U_KIND/$U_WHERE"
            check_eq "$name: status shows the line as the last failure" "${line#"$PREFIX"}" "$(last_failure)"
        else
            check_eq "$name: the failure record holds the line" "${line#"$PREFIX"}" "$(failure_record)"
        fi
    fi
}

# run_helper ACTION [INPUT]: the helper with INPUT on stdin (cheaper than
# hcall: bash builtins only, but for timeout and the helper itself).
# Sets R_RC, R_OUT, R_ERR, R_LINES, R_US (microseconds), R_SECS; files
# $E2E_TMP/case.out and case.err.
run_helper() {
    local t0=${EPOCHREALTIME/./} t1
    timeout 20 "$HELPER_BIN" "$1" >"$E2E_TMP/case.out" 2>"$E2E_TMP/case.err" < <(printf '%s' "${2:-}")
    R_RC=$?
    t1=${EPOCHREALTIME/./}
    R_US=$(( t1 - t0 ))
    R_SECS=$(printf '%d.%02d' $(( R_US / 1000000 )) $(( R_US % 1000000 / 10000 )))
    R_OUT='' R_ERR=''
    IFS= read -r -d '' R_OUT <"$E2E_TMP/case.out"
    IFS= read -r -d '' R_ERR <"$E2E_TMP/case.err"
    printf '%s' "$R_ERR" >>"$E2E_STDERR_ALL"
    local lines
    mapfile -t lines <"$E2E_TMP/case.out"
    R_LINES=${#lines[@]}
}

# count_lines FILE: its number of lines (a builtin: no process)
count_lines() { local l; mapfile -t l <"$1"; echo "${#l[@]}"; }

# prime: a successful get that fills the cache ($CACHED_HASH: its secret);
# then the failure record of $H must be gone
prime() {
    SNAP=''
    _upbound_call DELETE /_test/faults "" /dev/null
    DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=$T_OK hcall get "$H"
    if [ "$H_RC" = 0 ]; then ok "$U_KIND/$U_WHERE: get succeeds ($(answer_user))"
    else not_ok "$U_KIND/$U_WHERE: get succeeds"; h_diag out; fi
    CACHED_HASH=$(answer_hash)
    check_eq "$U_KIND/$U_WHERE: a success clears the last failure" null "$(last_failure)"
}

# cache_times OBTAINED EXPIRES: rewrite the cached credentials' times,
# relative to now (seconds; negative: in the past)
cache_times() {
    SNAP=''
    "$PY" - "$CACHE" "$1" "$2" <<'EOF'
import glob, json, os, sys, time
for p in glob.glob(os.path.join(sys.argv[1], "*.json")):
    d = json.load(open(p))
    now = int(time.time())
    d["obtained_at"], d["expires_at"] = now + int(sys.argv[2]), now + int(sys.argv[3])
    tmp = p + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(d, f)
    os.replace(tmp, p)
EOF
}
# refresh_due: the cached credential is due for a refresh (less than 10% of
# its 3600 s left) but still usable (100 s left, more than the 30 s
# margin), as an hour of waiting would make it
refresh_due() { cache_times -3500 100; }
# expire_cache: the cached credential expired a minute ago
expire_cache() { cache_times -3660 -60; }

# kubelet_check SPEC: the kubelet answer in $E2E_TMP/case.out; SPEC
# "cached,MAX" (the cached secret, cacheDuration at most MAX s) or
# "pair,0" (ci's pair, cacheDuration 0s); prints what is wrong
kubelet_check() {
    WANT=$1 H=$H CI_ID=$CI_ID CACHED_HASH=${CACHED_HASH:-} "$PY" - "$E2E_TMP/case.out" <<'EOF'
import hashlib, json, os, re, sys
try:
    d = json.load(open(sys.argv[1]))
    auth = d["auth"][os.environ["H"]]
except Exception as e:
    print("not a CredentialProviderResponse for the host: %s" % type(e).__name__); sys.exit()
kind, limit = os.environ["WANT"].split(",")
m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", d.get("cacheDuration", ""))
secs = sum(int(g or 0) * k for g, k in zip(m.groups(), (3600, 60, 1))) if m else None
if secs is None or secs > int(limit):
    print("cacheDuration %r, more than %s s" % (d.get("cacheDuration"), limit))
elif kind == "pair" and auth.get("username") != os.environ["CI_ID"]:
    print("username is not ci's access ID")
elif kind == "cached" and hashlib.sha256((auth.get("password", "") + "\n").encode()).hexdigest()[:16] != os.environ["CACHED_HASH"]:
    print("password is not the cached credential")
EOF
}

# The faults, per endpoint path P. Status faults answer every attempt.
f() { printf '[%s]' "$(IFS=,; echo "$*")"; }     # f OBJ...: a JSON list
st() { printf '{"path":"%s","status":%s}' "$1" "$2"; }

GAVEUP=' \(gave up after [1-4] attempts?\)'

# exchange_matrix PATH LIS [LEVEL]: the matrix against an exchange endpoint
# of the current `use` (session: /v1/login, org-token: the exchange path);
# LIS is the listener the helper talks to ("-" for the plain port). LEVEL
# full: every fault; codes: 500 and 503 of the 5xx, one 429, one redirect,
# one endless body (the others take the same paths: session has them all);
# short: one of each kind (503, reset, truncated, endless, redirect, slow)
exchange_matrix() {
    local p=$1 lis=$2 level=${3:-full} what full=""
    [ "$level" = full ] && full=1
    what="POST ${OVERRIDE_API_ENDPOINT}"
    [ "$U_KIND" = org-token ] && what="POST ${OVERRIDE_AUTH_ENDPOINT}"
    what=$(printf '%s' "$what$p" | sed 's/[.]/[.]/g')
    local code codes=503
    [ "$level" = full ] && codes="500 502 503 504"
    [ "$level" = codes ] && codes="500 503"
    for code in $codes; do
        fault_case "$code on every attempt" "$(f "$(st "$p" $code)")" 1 \
            "Upbound failed: $what answered $code" "$lis:$p"
    done
    # (2 s: room for one wait of 1 s, and no second)
    [ "$level" != short ] && DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=2 fault_case "429 with Retry-After 1, on every attempt" \
        "[{\"path\":\"$p\",\"status\":429,\"retry_after\":1}]" 1 "Upbound failed: $what answered 429" "$lis:$p"
    [ -n "$full" ] && fault_case "429 with Retry-After 3600: no wait past the deadline" \
        "[{\"path\":\"$p\",\"status\":429,\"retry_after\":3600}]" 1 "Upbound failed: $what answered 429" "$lis:$p"
    fault_case "connection reset" "[{\"path\":\"$p\",\"reset\":true}]" 1 \
        "cannot reach Upbound: $what: .*(reset|Recv failure|receiving data|Empty reply).*$GAVEUP" "$lis:$p"
    fault_case "truncated body (Content-Length larger than sent, then close)" \
        "[{\"path\":\"$p\",\"truncate\":true}]" 1 "cannot reach Upbound: $what: .*(partial|closed).*$GAVEUP" "$lis:$p"
    fault_case "a body that never ends (1 MiB and more, fast)" "[{\"path\":\"$p\",\"endless\":\"fast\"}]" 1 \
        "cannot reach Upbound: $what: response too large$GAVEUP" "$lis:$p"
    fault_case "redirect 307 to another host" "[{\"path\":\"$p\",\"status\":307,\"redirect\":\"$EVIL_URL$p\"}]" 1 \
        "Upbound failed: $what answered 307" "$lis:$p"
    [ -n "$full" ] && fault_case "redirect 302 to another host" "[{\"path\":\"$p\",\"status\":302,\"redirect\":\"$EVIL_URL$p\"}]" 1 \
        "Upbound failed: $what answered 302" "$lis:$p"
    fault_case "answer slower than the timeout" "[{\"path\":\"$p\",\"delay\":30}]" 1 \
        "cannot reach Upbound: $what: timed out .*" "$lis:$p"
    [ -n "$full" ] && fault_case "a body that never ends (a trickle)" "[{\"path\":\"$p\",\"endless\":true}]" 1 \
        "cannot reach Upbound: $what: timed out .*" "$lis:$p"
    return 0
}

STORE_BEFORE=$(store_digest)
check "the keyring's file, compared before and after every case, is there" \
    test -n "$(compgen -G "$XDG_DATA_HOME/keyrings/*.keyring")"

# ================================================================ session, plain HTTP
diag "---- session exchange, plain HTTP, robot token from the keyring"
use session plain
LOGIN=/v1/login
# The sanitizer pass takes one fault of each kind (SHORT): the other codes
# and repeats take the same paths, and CI's time is short.
SHORT=; [ "${E2E_SANITIZER:-}" = 1 ] && SHORT=short
exchange_matrix $LOGIN - ${SHORT:-full}
W="POST $(printf '%s' "$UPBOUND_URL" | sed 's/[.]/[.]/g')$LOGIN"
fault_case "login answers 200 without the SID cookie" "[{\"path\":\"$LOGIN\",\"no_cookie\":true}]" 1 \
    "Upbound failed: $W answered 200 without a SID cookie" "-:$LOGIN"
fault_case "login answers 200 HTML (malformed)" "[{\"path\":\"$LOGIN\",\"malformed\":true}]" 1 \
    "Upbound failed: $W answered 200 without a SID cookie" "-:$LOGIN"
upbound_config '{"session_max_age":0}'
fault_case "login answers 200 with an already expired session (Max-Age=0)" "" 1 \
    "Upbound failed: $W set an expired SID cookie" "-:$LOGIN"
upbound_config '{"session_max_age":3600}'

use session refused
fault_case "connection refused" "" 1 \
    "cannot reach Upbound: POST http://127[.]0[.]0[.]1:$CLOSED_PORT$LOGIN: .*(connect|Connection refused).*$GAVEUP" ""

use session plain revoked
CACHE_CHANGE=verdict fault_case "a revoked robot token: not found, remembered" "" 1 "$NOT_FOUND" "-:$LOGIN"
check "... stderr says Upbound rejected the robot token" \
    grep -q "Upbound rejected the robot token.*answered 401" "$E2E_TMP/case.err"
check_eq "... status shows the rejection as the last failure" \
    "Upbound rejected the robot token (revoked, or for another domain or organization): POST $UPBOUND_URL$LOGIN answered 401" \
    "$(last_failure)"
fault_case "a revoked robot token, asked again: no request" "" 1 "$NOT_FOUND" ""


# refresh_due_cases PATH LIS [short]: with a cached credential due for a
# refresh but valid, each fault serves it unchanged (short: 503, reset,
# malformed and slow only)
refresh_due_cases() {
    local p=$1 lis=$2 level=${3:-full} fault faults
    refresh_due
    faults=("$(st "$p" 503)" "{\"path\":\"$p\",\"reset\":true}" "{\"path\":\"$p\",\"malformed\":true}")
    [ "$level" = full ] && faults+=("$(st "$p" 500)" "{\"path\":\"$p\",\"truncate\":true}"
                                    "{\"path\":\"$p\",\"status\":307,\"redirect\":\"$EVIL_URL$p\"}")
    for fault in "${faults[@]}"; do
        fault_case "refresh due, $fault: the cached credential" "[$fault]" 0 cached "$lis:$p"
    done
    fault_case "refresh due, slower than the timeout: the cached credential" \
        "[{\"path\":\"$p\",\"delay\":30}]" 0 cached "$lis:$p"
}

# ---- a cached session due for a refresh serves through every fault
diag "---- session: a cached session due for a refresh, then faults"
use session plain
prime
refresh_due_cases $LOGIN - ${SHORT:-full}
robot later-revoked
use session plain later-revoked
prime
refresh_due
upbound_revoke "$R_ID"
CACHE_CHANGE=verdict fault_case "refresh due, the robot revoked since: the cached session" "" 0 cached "-:$LOGIN"
expire_cache
CACHE_CHANGE=verdict fault_case "expired cache, the robot revoked: not found" "" 1 "$NOT_FOUND" ""

# ================================================================ org-token, plain HTTP
diag "---- org-token exchange, plain HTTP, robot token from UP_ROBOT_TOKEN_FILE"
use org-token plain ci
# (the sanitizer pass: one of each kind; the status codes take one path)
exchange_matrix $EXCHANGE_PATH - "$([ "${E2E_SANITIZER:-}" = 1 ] && echo short || echo codes)"
W="POST $(printf '%s' "$UPBOUND_URL$EXCHANGE_PATH" | sed 's/[.]/[.]/g')"
fault_case "200 HTML (malformed)" "[{\"path\":\"$EXCHANGE_PATH\",\"malformed\":true}]" 1 \
    "Upbound failed: $W answered without access_token and expires_in" "-:$EXCHANGE_PATH"
fault_case "200 JSON without access_token" \
    "[{\"path\":\"$EXCHANGE_PATH\",\"malformed\":true,\"content_type\":\"application/json\",\"body\":\"{\\\"expires_in\\\":3600}\"}]" 1 \
    "Upbound failed: $W answered without access_token and expires_in" "-:$EXCHANGE_PATH"
fault_case "200 JSON null" \
    "[{\"path\":\"$EXCHANGE_PATH\",\"malformed\":true,\"content_type\":\"application/json\",\"body\":\"null\"}]" 1 \
    "Upbound failed: $W answered without access_token and expires_in" "-:$EXCHANGE_PATH"
for e in 0 -60; do
    upbound_config "{\"org_token_expires_in\":$e}"
    fault_case "200 with an already expired token (expires_in $e)" "" 1 \
        "Upbound failed: $W answered an access_token that has already expired \\(expires_in $e\\)" "-:$EXCHANGE_PATH"
done
upbound_config '{"org_token_expires_in":3600}'
use org-token refused
fault_case "connection refused" "" 1 \
    "cannot reach Upbound: POST http://127[.]0[.]0[.]1:$CLOSED_PORT$EXCHANGE_PATH: .*(connect|Connection refused).*$GAVEUP" ""
use org-token plain revoked
CACHE_CHANGE=verdict fault_case "a revoked robot token: not found, remembered" "" 1 "$NOT_FOUND" "-:$EXCHANGE_PATH"
check "... stderr says Upbound rejected the robot token" \
    grep -q "Upbound rejected the robot token.*answered 401" "$E2E_TMP/case.err"

diag "---- org-token: a cached token due for a refresh, then faults"
use org-token plain ci
prime
refresh_due_cases $EXCHANGE_PATH - short

# ================================================================ direct, plain HTTP
# The pair is handed out unverified when the registry or its realm cannot
# answer (README: "Direct is verified"), and nothing is cached then.
diag "---- direct, plain HTTP: the realm or the ping fails"
use direct plain
PING=/v2/ REALM=/service/token
for code in 502 503; do
    fault_case "realm $code on every attempt: the pair, unverified" "$(f "$(st $REALM $code)")" 0 pair "-:$PING -:$REALM"
done
fault_case "realm 429 with Retry-After 3600: the pair, unverified" \
    "[{\"path\":\"$REALM\",\"status\":429,\"retry_after\":3600}]" 0 pair "-:$PING -:$REALM"
fault_case "realm resets the connection: the pair, unverified" "[{\"path\":\"$REALM\",\"reset\":true}]" 0 pair "-:$PING -:$REALM"
fault_case "realm truncates its body: the pair, unverified" "[{\"path\":\"$REALM\",\"truncate\":true}]" 0 pair "-:$PING -:$REALM"
fault_case "realm body never ends (fast): the pair, unverified" "[{\"path\":\"$REALM\",\"endless\":\"fast\"}]" 0 pair "-:$PING -:$REALM"
fault_case "realm 200 HTML (malformed): the pair, unverified" "[{\"path\":\"$REALM\",\"malformed\":true}]" 0 pair "-:$PING -:$REALM"
fault_case "realm redirects (307) to another host: the pair, not sent there" \
    "[{\"path\":\"$REALM\",\"status\":307,\"redirect\":\"$EVIL_URL$REALM\"}]" 0 pair "-:$PING -:$REALM"
fault_case "ping 503: the pair, unverified" "$(f "$(st $PING 503)")" 0 pair "-:$PING"
fault_case "ping redirects (302) to another host: the pair, unverified" \
    "[{\"path\":\"$PING\",\"status\":302,\"redirect\":\"$EVIL_URL$PING\"}]" 0 pair "-:$PING"
fault_case "realm slower than the timeout: the pair, unverified" "[{\"path\":\"$REALM\",\"delay\":30}]" 0 pair "-:$PING -:$REALM"
use direct refused
fault_case "registry refuses connections: the pair, unverified" "" 0 pair ""
use direct plain revoked
CACHE_CHANGE=verdict fault_case "a revoked robot token: not found, remembered" "" 1 "$NOT_FOUND" "-:$PING -:$REALM"
check "... stderr says the token service rejected it" \
    grep -q "the registry's token service .* rejected robot $REVOKED_ID (HTTP 401)" "$E2E_TMP/case.err"
check_eq "... status shows the rejection as the last failure" \
    "the registry's token service (127.0.0.1:$UPBOUND_PORT) rejected robot $REVOKED_ID (HTTP 401)" "$(last_failure)"
use direct plain
prime
fault_case "verified pair cached, realm 503: the pair, no request" "$(f "$(st $REALM 503)")" 0 pair ""

# ================================================================ kubelet
diag "---- kubelet mode"
use session plain
_upbound_call DELETE /_test/faults "" /dev/null
DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=$T_OK hcall get "$H"; CACHED_HASH=$(answer_hash); SNAP=''
       # the session cached now
refresh_due
fault_case "kubelet, refresh due, login 503: the cached session, cached briefly" \
    "$(f "$(st $LOGIN 503)")" 0 "kubelet:cached,100" "-:$LOGIN" kubelet
expire_cache
fault_case "kubelet, expired cache, login 503: exit 1, nothing on stdout" "$(f "$(st $LOGIN 503)")" 1 \
    "error: Upbound failed: POST .* answered 503" "-:$LOGIN" kubelet
fault_case "kubelet, expired cache, login slower than the timeout: exit 1" "[{\"path\":\"$LOGIN\",\"delay\":30}]" 1 \
    "error: cannot reach Upbound: .*timed out" "-:$LOGIN" kubelet
use direct plain
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache/kubelet-direct CACHE=$E2E_TMP/cache/kubelet-direct SNAP=''

fault_case "kubelet, direct, realm 503: the pair, not cached by the kubelet (0s)" \
    "$(f "$(st $REALM 503)")" 0 "kubelet:pair,0" "-:$PING -:$REALM" kubelet

# ================================================================ TLS
diag "---- TLS: a certificate signed by the test CA (UP_CA_BUNDLE), then faults over it"
use session tls
exchange_matrix $LOGIN tls short
for kind in direct org-token session; do
    use $kind tls
    prime
done
use session tls
refresh_due
fault_case "refresh due, login 503 over TLS: the cached session" "$(f "$(st $LOGIN 503)")" 0 cached "tls:$LOGIN"
use direct tls
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache/direct-tls-fault CACHE=$E2E_TMP/cache/direct-tls-fault SNAP=''

fault_case "realm 503 over TLS: the pair, unverified" "$(f "$(st $REALM 503)")" 0 pair "tls:$PING tls:$REALM"
fault_case "realm redirects (307) to another host over TLS: the pair, not sent there" \
    "[{\"path\":\"$REALM\",\"status\":307,\"redirect\":\"$EVIL_URL$REALM\"}]" 0 pair "tls:$PING tls:$REALM"

diag "---- TLS: certificates that must be refused"
CERT_ERR='SSL peer certificate or SSH remote key was not OK|SSL certificate problem|certificate'
for where in tls-noca selfsigned expired wronghost; do
    lis=$where; [ "$where" = tls-noca ] && lis=tls
    for kind in session org-token; do
        [ "$kind" = org-token ] && [ "$where" != selfsigned ] && continue
        use $kind "$where"
        fault_case "refused: $where certificate" "" 1 "cannot reach Upbound: POST https://[^ ]+: .*($CERT_ERR).*" "handshake:$lis"
    done
    # direct: nothing goes past the handshake, so the pair is handed out
    # unverified (the plain-http retry of a loopback registry meets the
    # TLS listener and fails the same way)
    use direct "$where"
    fault_case "refused: $where certificate: the pair, unverified, nothing sent" "" 0 pair "handshake:$lis"
done

# ================================================================ Upbound down
# last: it stops the stand-in. Refresh-due credentials still serve.
diag "---- Upbound down (connection refused on every endpoint)"
use session plain; prime; refresh_due; S_HASH=$CACHED_HASH
use org-token plain ci; prime; refresh_due; O_HASH=$CACHED_HASH
kill "$UPBOUND_PID" 2>/dev/null; await_stop "$UPBOUND_PID" 40
SERVICES_PIDS=${SERVICES_PIDS/ $UPBOUND_PID/}
_upbound_call() { :; }; upbound_clear() { :; }; upbound_fault() { :; }
use session plain; CACHED_HASH=$S_HASH
fault_case "Upbound down, refresh due: the cached session" "" 0 cached "*"
fault_case "Upbound down, refresh due, kubelet: the cached session" "" 0 "kubelet:cached,100" "*" kubelet
use org-token plain ci; CACHED_HASH=$O_HASH
fault_case "Upbound down, refresh due: the cached org-scoped token" "" 0 cached "*"
expire_cache
fault_case "Upbound down, expired cache: one line" "" 1 \
    "cannot reach Upbound: POST http://127[.]0[.]0[.]1:$UPBOUND_PORT$EXCHANGE_PATH: .*$GAVEUP" "*"

check_eq "the evil listener saw no connection at all" 0 "$(evil_connections)"
check_eq "the secret store's items (list, and a digest of every item) as at the start" "$STORE_BEFORE" "$(store_digest)"
# (robot tokens only: the cache holds the sessions and tokens served, which
# lib.sh remembers as secrets too)
if grep -rqF -f "$E2E_TMP/robot-tokens" "$UPBOUND_DIR" "$E2E_TMP/evil" "$E2E_TMP/cache" 2>/dev/null; then
    not_ok "no robot token in the stand-in's log, the evil listener's or any cache file"
else
    ok "no robot token in the stand-in's log, the evil listener's or any cache file"
fi
diag "fault matrix: $(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
e2e_finish
