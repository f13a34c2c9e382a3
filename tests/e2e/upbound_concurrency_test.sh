#!/bin/bash
# Single flight of the exchange against a local Upbound (tests/upbound/):
#  - 32 concurrent `get`s on a cold cache (session and org-token): all
#    succeed with the same credential, and Upbound sees exactly one exchange
#  - the same on a cache whose entry has expired: one refresh
#  - a process killed (SIGKILL) while it holds the refresh lock does not
#    block the one queued behind it, nor the next one
# Robot tokens come from UP_ROBOT_TOKEN_FILE; nothing secret is in argv.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

EXCHANGE_PATH=/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens
N=32
ROBOT_TOKENS=$E2E_TMP/robot-tokens
: >"$ROBOT_TOKENS"

e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export UP_DEBUG=1
# the robot token comes from a file: no keyring is needed, and none is used
export DBUS_SESSION_BUS_ADDRESS="unix:path=$E2E_TMP/no-such-bus/bus"

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=$REG
printf '%s' "$REG" >"$E2E_TMP/get.in"

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
if ! mint_robot acme ci-concurrent "$E2E_TMP/robot.json"; then not_ok "mint a robot"; e2e_finish; fi
t=$(jfield "$E2E_TMP/robot.json" token)
remember_secret "$t"; printf '%s\n' "$t" >>"$ROBOT_TOKENS"; unset t
export UP_ROBOT_TOKEN_FILE=$E2E_TMP/robot.json UP_ORGANIZATION=acme

n_login() { upbound_count /v1/login; }
n_orgtok() { upbound_count "$EXCHANGE_PATH"; }

# burst NAME: start N gets at once (stdin from a file), wait for all; their
# outputs in $E2E_TMP/NAME/. Sets B_SECS (wall time of the whole burst).
burst() {
    local dir=$E2E_TMP/$1 i pids=() t0 t1
    rm -rf "$dir"; mkdir -p "$dir"
    t0=$(date +%s.%N)
    for i in $(seq 1 "$N"); do
        timeout 30 "$HELPER_BIN" get <"$E2E_TMP/get.in" >"$dir/out.$i" 2>"$dir/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 "$N"); do
        wait "${pids[$((i - 1))]}"
        echo $? >"$dir/rc.$i"
    done
    t1=$(date +%s.%N)
    B_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
    cat "$dir"/err.* >>"$E2E_STDERR_ALL"
}

# burst_same NAME USER: every get of the burst exited 0 with one JSON line,
# Username USER, and one and the same Secret (not a robot token). Prints
# "OK" or what is wrong (never a secret).
burst_same() {
    E_URL=$REG E_USER=$2 "$PY" - "$E2E_TMP/$1" "$N" "$ROBOT_TOKENS" <<'EOF'
import json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
robots = set(open(sys.argv[3]).read().split())
bad, secrets = [], set()
for i in range(1, n + 1):
    rc = open("%s/rc.%d" % (d, i)).read().strip()
    raw = open("%s/out.%d" % (d, i), "rb").read()
    if rc != "0":
        bad.append("#%d exit %s: %s" % (i, rc, raw[:200].decode(errors="replace").strip()
                                        if raw.startswith(b"docker-credential-upbound: error") else "?"))
        continue
    try:
        c = json.loads(raw)
        assert raw.count(b"\n") == 1 and raw.endswith(b"\n")
    except Exception:
        bad.append("#%d: stdout is not one JSON line" % i); continue
    if c.get("ServerURL") != os.environ["E_URL"] or c.get("Username") != os.environ["E_USER"]:
        bad.append("#%d: ServerURL/Username %r/%r" % (i, c.get("ServerURL"), c.get("Username"))); continue
    s = c.get("Secret")
    if not isinstance(s, str) or not s or s in robots:
        bad.append("#%d: Secret missing or a robot token" % i); continue
    secrets.add(s)
if not bad and len(secrets) != 1:
    bad.append("%d different secrets" % len(secrets))
print("OK" if not bad else "; ".join(bad[:5]) + (" (%d problems)" % len(bad) if len(bad) > 5 else ""))
EOF
}

# remember every credential the bursts handed out (for the stderr check)
remember_burst() {
    local s
    while IFS= read -r s; do [ -n "$s" ] && remember_secret "$s"; done < <("$PY" -c '
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/out.*"):
    try: print(json.load(open(f))["Secret"])
    except Exception: pass' "$E2E_TMP/$1")
}

# ---------------------------------------------------------------- cold cache
for kind in session org-token; do
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$kind
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$kind
    upbound_clear
    # the exchange takes a second, so that all of them really overlap it
    if [ "$kind" = session ]; then
        upbound_fault '{"path":"/v1/login","delay":1,"count":1}'; count() { n_login; }
    else
        upbound_fault "{\"path\":\"$EXCHANGE_PATH\",\"delay\":1,\"count\":1}"; count() { n_orgtok; }
    fi
    burst "cold-$kind"
    remember_burst "cold-$kind"
    check_eq "$kind: $N concurrent gets on a cold cache all succeed with the same credential (${B_SECS}s)" \
        OK "$(burst_same "cold-$kind" _token)"
    check_eq "$kind: ... and Upbound saw exactly one exchange" 1 "$(count)"
done

# ---------------------------------------------------------------- expired entry
# Max-Age 4: usable for 3 s; after 4 s, 32 concurrent gets refresh once.
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-expired
upbound_config '{"session_max_age":4}'
upbound_clear
hcall get "$REG"
check_eq "session (Max-Age 4): a first get logs in" "0 1" "$H_RC $(n_login)"
sleep 4.2
upbound_config '{"session_max_age":3600}'
upbound_fault '{"path":"/v1/login","delay":1,"count":1}'
burst expired
remember_burst expired
check_eq "$N concurrent gets on an expired entry all succeed with the same credential (${B_SECS}s)" \
    OK "$(burst_same expired _token)"
check_eq "... and Upbound saw exactly one more login" 2 "$(n_login)"

# ---------------------------------------------------------------- killed lock holder
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-killed
upbound_clear
upbound_fault '{"path":"/v1/login","delay":8}'
"$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/killed.out" 2>"$E2E_TMP/killed.err" &
holder=$!
# wait until it holds the refresh lock (flock -n fails while it does)
held=no
for i in $(seq 1 100); do
    for lock in "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"/*.lock; do
        if [ -e "$lock" ] && ! flock -n "$lock" true 2>/dev/null; then held=yes; break 2; fi
    done
    sleep 0.05
done
check_eq "a get waiting on a slow (8 s) login holds the refresh lock" yes "$held"
# a second get queues behind it
timeout 30 "$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/waiter.out" 2>"$E2E_TMP/waiter.err" &
waiter=$!
sleep 0.5          # well inside the login request
upbound_clear      # from now on the stand-in answers promptly
check "the waiting get is still waiting" pid_alive "$waiter"
t_kill=$(date +%s.%N)
kill -9 "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
cat "$E2E_TMP/killed.err" >>"$E2E_STDERR_ALL"
check "the holder is gone (SIGKILL)" test ! -e "/proc/$holder"
wait "$waiter"; w_rc=$?
w_secs=$(awk -v a="$t_kill" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
cat "$E2E_TMP/waiter.err" >>"$E2E_STDERR_ALL"
w_user=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Username",""))' "$E2E_TMP/waiter.out" 2>/dev/null)
s=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Secret"])' "$E2E_TMP/waiter.out" 2>/dev/null)
[ -n "$s" ] && remember_secret "$s"
check_eq "the queued get takes over and succeeds (${w_secs}s after the kill)" "0 _token" "$w_rc $w_user"
check "... promptly (${w_secs}s < 5 s)" awk -v s="$w_secs" 'BEGIN{exit !(s < 5)}'
released=no
[ -e "$lock" ] && flock -n "$lock" true 2>/dev/null && released=yes
check_eq "the lock is free again" yes "$released"
rm -f "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"/*.json     # a cold cache for the next get
hcall get "$REG"
if [ "$H_RC" = 0 ] && [ "$H_LINES" = 1 ] && elapsed_under 5; then
    ok "a fresh get after the holder was killed succeeds promptly (${H_SECS}s < 5 s)"
else
    not_ok "a fresh get after the holder was killed succeeds promptly"; h_diag
fi
s=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("Username",""))' "$E2E_TMP/h.out" 2>/dev/null)
check_eq "... with Username _token" _token "$s"
s=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Secret"])' "$E2E_TMP/h.out" 2>/dev/null)
[ -n "$s" ] && remember_secret "$s"
unset s

# ---------------------------------------------------------------- leaks
if grep -rqF -f "$ROBOT_TOKENS" "$UPBOUND_DIR" "$E2E_TMP"/cache-* 2>/dev/null; then
    not_ok "no robot token in the stand-in's log or any cache file"
else
    ok "no robot token in the stand-in's log or any cache file"
fi
perm_bad=$(find "$E2E_TMP"/cache-* \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) | wc -l)
check_eq "cache directories 0700, cache files 0600" 0 "$perm_bad"

e2e_finish
