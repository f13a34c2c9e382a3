#!/bin/bash
# Untrusted numbers, files and input (issue 7, section 5, and the NUL of
# section 3), against the real binary, the real keyring and the Upbound
# stand-in:
#
#  1. the token file, the config file and the CA bundle as /dev/zero, a
#     FIFO nobody writes and a 4 GiB file: each get answers within seconds
#     with one clear line
#  2. a FIFO where a cache file belongs is a cache miss, not a hang; a cache
#     directory another user owns is never read
#  3. lifetimes from Upbound beyond 30 days (Max-Age, expires_in) are capped
#  4. server URLs whose host is ambiguous between URL parsers get no
#     credential and cause no request to Upbound; store refuses them
#  5. store: a NUL or control character in ServerURL or Username is refused
#     before the keyring is touched; a NUL in the Secret round-trips; 1e400
#     is one error line, not an abort; URLs in errors show no password
#  6. the process is hardened before it reads stdin: core size limit 0 and
#     not dumpable (observed from outside, while it waits on stdin)
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

e2e_clean_env
printf '{}\n' >"$E2E_TMP/config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/config.json
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session   # the checks of cached exchanged credentials

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL"
REG=xpkg.hostile.e2e.test     # the Upbound registry; a get never connects to it
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=$REG
TOKEN=$E2E_TMP/token.json
mint_robot acme hostile "$TOKEN" || { not_ok "mint a robot token"; e2e_finish; }
remember_secret "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TOKEN")"
export UP_ROBOT_TOKEN_FILE=$TOKEN

CACHES=0
# fresh_cache: a new, empty, private cache directory for the next calls
fresh_cache() {
    CACHES=$((CACHES + 1))
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$CACHES
}

# one_line DESC SECS TEXT: the last call failed (exit 1) within SECS seconds
# with exactly one stdout line containing TEXT
one_line() {
    if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && elapsed_under "$2" && [[ $H_OUT == *"$3"* ]]; then
        ok "$1 (${H_SECS}s)"; return 0
    fi
    not_ok "$1"; diag "expected one line with: $3"; h_diag out; return 1
}

# got_token DESC: the last get answered an exchanged credential
got_token() {
    if [ "$H_RC" = 0 ] && [ "$H_LINES" = 1 ] && [[ $H_OUT == *'"Username":"_token"'* ]]; then
        ok "$1 (${H_SECS}s)"; return 0
    fi
    not_ok "$1"; h_diag; return 1
}

FIFO=$E2E_TMP/fifo
HUGE=$E2E_TMP/huge
mkfifo "$FIFO"
: >"$HUGE"
truncate -s 4G "$HUGE"           # sparse: costs no disk
chmod 0600 "$HUGE"
# Nobody ever opens FIFO for writing: a reader that opens it blocks forever.

# ---------------------------------------------------------------- 1. files
fresh_cache
hcall get "$REG"
got_token "control: a get for the Upbound registry exchanges the robot token"

for target in /dev/zero "$FIFO" "$HUGE"; do
    name=$(basename "$target")
    fresh_cache
    UP_ROBOT_TOKEN_FILE=$target HCALL_TIMEOUT=20 hcall get "$REG"
    one_line "token file $name: one error line, promptly" 5 "UP_ROBOT_TOKEN_FILE $target"

    DOCKER_CREDENTIAL_UPBOUND_CONFIG=$target HCALL_TIMEOUT=20 hcall get "$REG"
    one_line "config file $name: one error line, promptly" 5 "config file $target"

    fresh_cache
    UP_CA_BUNDLE=$target HCALL_TIMEOUT=20 hcall get "$REG"
    one_line "CA bundle $name: one error line, promptly" 5 "ca_bundle $target"
done

# stdin itself: /dev/zero is cut at the input limit
fresh_cache
HCALL_TIMEOUT=20 hcall_file store /dev/zero
one_line "store with /dev/zero on stdin: one error line, promptly" 5 "input is larger than"

# ---------------------------------------------------------------- 2. cache
fresh_cache
hcall get "$REG"
got_token "a get fills the cache"
logins=$(upbound_count /v1/login)
entry=$(ls "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"/*.json 2>/dev/null | head -1)
if [ -n "$entry" ]; then
    rm -f "$entry"
    mkfifo -m 0600 "$entry"
    HCALL_TIMEOUT=20 hcall get "$REG"
    got_token "a FIFO as the cache file is a miss, not a hang"
    elapsed_under 5 && ok "... answered within 5 s" || not_ok "... answered within 5 s"
    check_eq "... and exchanged once more" $((logins + 1)) "$(upbound_count /v1/login)"
else
    not_ok "a get fills the cache (no cache file in $DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR)"
fi

# A cache directory someone else may write, holding a planted entry that
# would be served if it were read: it must never be (the entry is a copy of
# a real one, under its own name, so only the directory check stops it).
fresh_cache
hcall get "$REG"
entry=$(ls "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"/*.json 2>/dev/null | head -1)
"$PY" - "$entry" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["secret"] = "planted-session-Xy7"
d["expires_at"] = d["obtained_at"] + 3 * 24 * 3600
open(sys.argv[1], "w").write(json.dumps(d))
EOF
remember_secret planted-session-Xy7
hcall get "$REG"
if [ "$H_RC" = 0 ] && [[ $H_OUT == *planted-session-Xy7* ]]; then
    ok "control: a planted entry in a private directory is served (the check below means something)"
else
    not_ok "control: a planted entry in a private directory is served"; h_diag
fi
if [ "$(id -u)" = 0 ]; then
    # Another user cannot make a file ours, but can put theirs in a
    # directory anyone may write.
    chmod 0777 "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"
    chown 65534:65534 "$entry"
    HCALL_TIMEOUT=20 hcall get "$REG"
    if [[ $H_OUT != *planted-session-Xy7* ]] && elapsed_under 5; then
        ok "an entry another user planted in a cache directory anyone may write is never served (${H_SECS}s)"
    else
        not_ok "an entry another user planted in a cache directory anyone may write is never served"; h_diag
    fi
    # A directory another user owns (a pre-created /tmp name) with our own
    # entry in it: the directory alone must stop it.
    chown 0:0 "$entry"
    chmod 0700 "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"
    "$PY" - "$entry" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
d["secret"] = "planted-session-Xy7"
d["expires_at"] = d["obtained_at"] + 3 * 24 * 3600
open(sys.argv[1], "w").write(json.dumps(d))
EOF2
    hcall get "$REG"
    [[ $H_OUT == *planted-session-Xy7* ]] || { not_ok "control: the re-planted entry is served"; h_diag; }
    chown 65534:65534 "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"
    HCALL_TIMEOUT=20 hcall get "$REG"
    if [[ $H_OUT != *planted-session-Xy7* ]] && elapsed_under 5; then
        ok "a cache directory another user owns is never read (${H_SECS}s)"
    else
        not_ok "a cache directory another user owns is never read"; h_diag
    fi
    # (what it answers is a fresh credential: never on the test's log)
    diag "get with a foreign cache directory: exit $H_RC, $H_LINES line(s) on stdout"
    chown -R 0:0 "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"
fi

# ---------------------------------------------------------------- 3. lifetimes
# lifetime_is DESC SECONDS: the last get's debug line says it exchanged with
# that lifetime
lifetime_is() {
    if [ "$H_RC" = 0 ] && grep -q "exchanged, lifetime $2 s" "$E2E_TMP/h.err"; then
        ok "$1"; return 0
    fi
    not_ok "$1"; diag "$(grep -o 'exchanged, lifetime [0-9-]* s' "$E2E_TMP/h.err")"; h_diag; return 1
}
upbound_config '{"session_max_age": 99999999999}'
fresh_cache
UP_DEBUG=1 hcall get "$REG"
lifetime_is "a session Max-Age of 3000 years is capped at 30 days" 2592000
upbound_config '{"session_max_age": 2592000, "org_token_expires_in": 99999999999}'
fresh_cache
UP_DEBUG=1 DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=org-token UP_ORGANIZATION=acme hcall get "$REG"
lifetime_is "an org token expires_in of 3000 years is capped at 30 days" 2592000
upbound_config '{"org_token_expires_in": 3600}'

# ---------------------------------------------------------------- 4. ambiguous hosts
fresh_cache
before=$(upbound_count /v1/login)
for url in "$REG.." ".$REG" "xpkg..hostile.e2e.test" "user@$REG" "https://robot:pw@$REG/" \
    "evil.e2e.test@$REG" "$REG#frag@evil.e2e.test" "$REG?x@evil.e2e.test" "https://$REG#@evil.e2e.test/" \
    "$REG?x" "$REG#x"; do
    get_absent "ambiguous host $url: not found" "$url"
done
check_eq "... and not one request reached Upbound" "$before" "$(upbound_count /v1/login)"
check_eq "... nor anything cached" "" "$(ls "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR" 2>/dev/null)"
hcall get "$REG."
got_token "one trailing dot is the same host: $REG. gets the credential"

for url in "$REG.." "user@$REG" "$REG#frag@evil.e2e.test" "a..b.e2e.test"; do
    hcall store "{\"ServerURL\":$(json_str "$url"),\"Username\":\"u\",\"Secret\":\"not-stored-Qw3\"}"
    one_line "store refuses the ambiguous host $url" 5 "docker-credential-upbound: error: "
done
remember_secret not-stored-Qw3

# ---------------------------------------------------------------- 5. store input
H5=nul.hostile.e2e.test
before_items=$(count_ours "$H5")
for user in 'rob\u0000ot' 'robot\n' 'a\u001b[31mb' 'x\u007f' 'y\u0085'; do
    hcall store "{\"ServerURL\":\"$H5\",\"Username\":\"$user\",\"Secret\":\"not-stored-Qw3\"}"
    one_line "store refuses the Username \"$user\"" 5 "store: Username contains a control character"
done
for url in "$H5\\u0000.evil" "$H5\\r\\nX-Evil: 1" "$H5\\t"; do
    hcall store "{\"ServerURL\":\"$url\",\"Username\":\"u\",\"Secret\":\"not-stored-Qw3\"}"
    one_line "store refuses the ServerURL \"$url\"" 5 "store: ServerURL contains a control character"
done
check_eq "... and the keyring holds nothing for $H5" "$before_items" "$(count_ours "$H5")"
list_get "$H5" >/dev/null
check_eq "... nor does list" 1 "$?"

remember_secret nulsecretA
remember_secret nulsecretB
hcall store "{\"ServerURL\":\"$H5\",\"Username\":\"u\",\"Secret\":\"nulsecretA\\u0000nulsecretB\"}"
check_eq "store keeps a NUL in the Secret" "0:" "$H_RC:$H_OUT"
hcall get "$H5"
why=$("$PY" - "$E2E_TMP/h.out" <<'EOF'
import json, sys
d = json.loads(open(sys.argv[1], "rb").read())
print("" if d.get("Secret") == "nulsecretA\x00nulsecretB" else "Secret differs (len %d)" % len(d.get("Secret", "")))
EOF
)
if [ "$H_RC" = 0 ] && [ -z "$why" ]; then ok "get returns the Secret with its NUL, whole"; else not_ok "get returns the Secret with its NUL, whole"; diag "$why"; h_diag; fi
erase_ok "erase it" "$H5"

hcall store "{\"ServerURL\":\"$H5\",\"Username\":\"u\",\"Secret\":\"not-stored-Qw3\",\"n\":1e400}"
one_line "store with 1e400 in its JSON: one error line, exit 1, no abort" 5 "store: input is not valid JSON"
hcall store "{\"ServerURL\":\"https://robot:PASSWORD-Zk9@$H5:99999/\",\"Username\":\"u\",\"Secret\":\"s\"}"
remember_secret PASSWORD-Zk9
one_line "store names a bad URL without its password" 5 "server URL"
if [[ $H_OUT == *PASSWORD-Zk9* ]]; then not_ok "... the password is not on stdout"; else ok "... the password is not on stdout"; fi

# ---------------------------------------------------------------- 6. hardening
# Run as another user when we are root: /proc/PID then belongs to root only
# when the process is not dumpable (proc(5)). A sleep run the same way is
# the control.
if [ "$(id -u)" = 0 ]; then
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    THEM=65534
else
    AS=()
    THEM=$(id -u)
fi
HOLD=$E2E_TMP/hold
mkfifo "$HOLD"
# The shell opens stdin and stdout before setpriv runs: the other user
# needs no access to $E2E_TMP.
"${AS[@]}" "$HELPER_BIN" store <"$HOLD" >"$E2E_TMP/hard.out" 2>>"$E2E_STDERR_ALL" &
HPID=$!
exec 7>"$HOLD"                  # the helper now has stdin open and waits on it
"${AS[@]}" sleep 30 </dev/null &
SPID=$!
for _ in $(seq 1 100); do
    [ -r "/proc/$HPID/limits" ] && grep -q '^Max core file size' "/proc/$HPID/limits" && break
    sleep 0.05
done
sleep 0.2
core=$(awk '/^Max core file size/ {print $5 ":" $6}' "/proc/$HPID/limits")
check_eq "while store waits on stdin, its core file size limit is 0 (soft and hard)" "0:0" "$core"
check_eq "control: /proc/PID of an ordinary process of that user is theirs" "$THEM" "$(stat -c %u "/proc/$SPID/status")"
check_eq "while store waits on stdin, it is not dumpable (/proc/PID owned by root)" 0 "$(stat -c %u "/proc/$HPID/status")"
printf '{}' >&7
exec 7>&-
wait "$HPID"
check_eq "... and then it goes on as usual" "no credentials server URL" "$(cat "$E2E_TMP/hard.out")"
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null

e2e_finish
