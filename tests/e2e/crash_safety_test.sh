#!/bin/bash
# Crash safety (issue 10, item 3): the helper killed with SIGKILL at random
# moments, hundreds of times, never leaves the cache torn, a lock held or a
# stored credential lost or doubled. The rounds run in
# tests/e2e/crash/crash_rounds.py (see there for every check of a round):
#
#  1. get, for each exchange (session, org-token, direct with verification),
#     killed from outside after a random delay spanning a whole refresh
#     (the cache entry is made stale or removed before each round), then
#     killed from inside at the three points of a cache write
#     (tests/e2e/crash/kill_at.c, LD_PRELOAD): half the temporary file
#     written, before the rename, after it. After every round: every cache
#     file parses as token_cache.cpp writes it, no lock is held, the next get
#     succeeds within its bound with a credential the stand-in accepts (or
#     the robot pair), and the cache holds what it served; temporary files
#     do not pile up
#  2. store against the real keyring (gnome-keyring, from tests/run.sh),
#     killed at random while it replaces a credential, alternately with the
#     same username and another one: get returns the previous credential or
#     the new one, never neither nor a mix, list agrees, and the keyring
#     holds exactly one item in use for the server. A store changing the
#     username marks the old item superseded, writes the new one, then
#     removes the old (the Secret Service has no call that changes an
#     item's attributes and secret at once): killed in between, the marked
#     item may stay until the next store or erase, never more than one,
#     and readers ignore it. A store that finishes leaves exactly one item
#
# CRASH_ROUNDS (default 56) sets the random rounds per exchange, CRASH_AT_ROUNDS
# (4) the rounds per kill point, CRASH_STORE_ROUNDS (200) the store rounds,
# CRASH_SEED the random seed: 3 x (56 + 3 x 4) = 204 gets killed by default.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

ROUNDS=${CRASH_ROUNDS:-56}
TEMPS_MAX=0
STORE_ROUNDS=${CRASH_STORE_ROUNDS:-200}
AT_ROUNDS=${CRASH_AT_ROUNDS:-4}
CRASH=$REPO/tests/e2e/crash

e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
# A lock left held would make the next get wait this long, then fail.
export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=5 RECOVER_TIMEOUT=10
export STDERR_FILE=$E2E_TMP/rounds-stderr SECRETS_FILE=$E2E_TMP/rounds-secrets WORK_DIR=$E2E_TMP
: >"$STDERR_FILE"; : >"$SECRETS_FILE"

if ! cc -shared -fPIC -O2 -o "$E2E_TMP/kill_at.so" "$CRASH/kill_at.c" -ldl 2>"$E2E_TMP/cc.log"; then
    not_ok "build tests/e2e/crash/kill_at.c"; sed 's/^/#   /' "$E2E_TMP/cc.log"; e2e_finish
fi
export KILL_SHIM=$E2E_TMP/kill_at.so

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export UPBOUND_SERVICE
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=http://$REG
export GET_INPUT=$E2E_TMP/get.in
printf '%s' "$REG" >"$GET_INPUT"
if ! mint_robot acme ci-crash "$E2E_TMP/robot.json"; then not_ok "mint a robot"; e2e_finish; fi
remember_secret "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$E2E_TMP/robot.json")"
export UP_ROBOT_TOKEN_FILE=$E2E_TMP/robot.json UP_ORGANIZATION=acme ROBOT_FILE=$E2E_TMP/robot.json

# field NAME: a summary value of the last rounds (0 when absent)
field() { local v; v=$(sed -n "s/^$1=//p" "$E2E_TMP/rounds.out"); echo "${v:-0}"; }
show_problems() { grep '^problem: ' "$E2E_TMP/rounds.out" | head -8 | sed 's/^/#   /'; }

# rounds DESC ARGS...: run crash_rounds.py ARGS, one check that nothing went wrong
rounds() {
    local desc=$1 t0 secs
    shift
    t0=$(date +%s.%N)
    "$PY" "$CRASH/crash_rounds.py" "$@" >"$E2E_TMP/rounds.out" 2>"$E2E_TMP/rounds.err"
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    if [ -s "$E2E_TMP/rounds.err" ]; then
        not_ok "$desc: the driver ran"; sed 's/^/#   /' "$E2E_TMP/rounds.err" | tail -5; return 1
    fi
    diag "$desc (${secs}s): $(grep -v '^problem: ' "$E2E_TMP/rounds.out" | paste -sd' ' -)"
    [ "$(field temps_max)" -gt "$TEMPS_MAX" ] && TEMPS_MAX=$(field temps_max)
    if [ "$(field ran)" = 0 ]; then not_ok "$desc: no round ran"; return 1; fi
    if [ "$(field problems)" = 0 ]; then ok "$desc"; else not_ok "$desc"; show_problems; fi
}

# ---------------------------------------------------------------- 1. get
for kind in session org-token direct; do
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$kind CACHE_DIR=$E2E_TMP/cache-$kind
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHE_DIR
    export DOCKER_CREDENTIAL_UPBOUND_VERIFY=3600
    TEMPS_MAX=0
    rounds "$kind: $ROUNDS gets killed at random during a refresh: cache never torn, no lock held, the next get succeeds with a valid credential the cache holds" \
        get "$kind" "$ROUNDS"
    check_eq "$kind: ... all $ROUNDS rounds ran, killed or finished" "$ROUNDS" $(( $(field killed) + $(field finished) ))
    check "$kind: ... most kills landed inside the get ($(field killed) of $ROUNDS; before the cache write $(field before_write), inside $(field inside_write), after $(field after_write))" \
        test "$(field killed)" -ge $(( ROUNDS / 2 ))
    check_eq "$kind: ... no temporary file left in the cache" 0 "$(field temps_end)"
    for point in write rename after-rename; do
        rounds "$kind: $AT_ROUNDS gets killed at '$point' of the cache write: same checks" \
            get-at "$kind" "$point" "$AT_ROUNDS"
        check_eq "$kind: ... the kill came at '$point' every time" "$AT_ROUNDS" "$(field killed)"
    done
    check_eq "$kind: ... temporary files of killed writes do not pile up (at most 1 at a time, saw $TEMPS_MAX)" 1 \
        "$(( TEMPS_MAX <= 1 ))"
    check_eq "$kind: ... and none is left" 0 "$(field temps_end)"
done

# ---------------------------------------------------------------- 2. store
# A server that is no Upbound registry: store writes the keyring item itself.
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session CACHE_DIR=$E2E_TMP/cache-store
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$CACHE_DIR STORE_SERVER=crash-store.example
rounds "store: $STORE_ROUNDS stores killed at random while replacing a credential: get returns the previous or the new one, never neither nor a mix, list agrees, exactly one item in use" \
    store "$STORE_ROUNDS"
check "store: ... most kills landed inside the store ($(field killed) of $STORE_ROUNDS)" \
    test "$(field killed)" -ge $(( STORE_ROUNDS / 2 ))
check "store: ... both outcomes happened (previous $(field got_previous), new $(field got_new))" \
    test "$(field got_previous)" -gt 0 -a "$(field got_new)" -gt 0
check_eq "store: ... a last store, not killed, leaves exactly one item" 1 "$(field items_at_end)"
diag "store: $(field superseded_left) kills between writing a new username's item and removing the old one left the old one marked for a while"
hcall erase "$STORE_SERVER"
check_eq "store: erase removes the server's item" "0 0" "$H_RC $(count_ours "$STORE_SERVER")"

# ---------------------------------------------------------------- leaks
cat "$STDERR_FILE" >>"$E2E_STDERR_ALL"
cat "$SECRETS_FILE" >>"$E2E_SECRETS"
perm_bad=$(find "$E2E_TMP"/cache-* \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) | wc -l)
check_eq "cache directories 0700, cache files 0600" 0 "$perm_bad"

e2e_finish
