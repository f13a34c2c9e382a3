#!/bin/bash
# Load (issue 10, item 4): 16 parallel workers make 500 calls in all,
# spread over a few seconds, against credentials that live 2 s and so expire
# several times during the run (tests/e2e/load/load_run.py):
#
#  1. get with the session exchange, the org-token exchange, and the
#     kubelet mode (session): every call succeeds, and the exchanges Upbound
#     counted equal the distinct credentials served (each expiry costs one
#     exchange, and every exchange's credential is served: none is wasted
#     by two processes refreshing at once), and there were several
#  2. get with the direct pair, verified every 2 s: every call succeeds
#     with the pair, the registry's token service was asked several times,
#     never twice for one period (the gaps between verifications)
#  3. mixed, for each exchange: 15 workers get while one stores two robots'
#     pairs in turn and erases in between, ending with an erase: no get
#     fails otherwise than "not found", every get that started after the
#     last erase answers "not found", one more get does too, and the cache
#     holds no credential or verdict for the registry
#
# LOAD_CALLS (default 500), LOAD_WORKERS (16) and LOAD_SECONDS (5) change
# the size.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

CALLS=${LOAD_CALLS:-500}
WORKERS=${LOAD_WORKERS:-16}
SECS=${LOAD_SECONDS:-5}
LIFETIME=2
EXCHANGE_PATH=/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens
V=credentialprovider.kubelet.k8s.io

e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export STDERR_FILE=$E2E_TMP/load-stderr SECRETS_FILE=$E2E_TMP/load-secrets
: >"$STDERR_FILE"; : >"$SECRETS_FILE"

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=http://$REG
export GET_INPUT=$E2E_TMP/get.in KUBELET_INPUT=$E2E_TMP/kubelet.in
printf '%s' "$REG" >"$GET_INPUT"
printf '{"apiVersion":"%s/v1","kind":"CredentialProviderRequest","image":"%s/acme/pkg:v1"}' "$V" "$REG" \
    >"$KUBELET_INPUT"
upbound_config "{\"session_max_age\":$LIFETIME,\"org_token_expires_in\":$LIFETIME}"

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
for r in 1 2 3; do
    if ! mint_robot acme "ci-load-$r" "$E2E_TMP/robot$r.json"; then not_ok "mint a robot"; e2e_finish; fi
    remember_secret "$(jfield "$E2E_TMP/robot$r.json" token)"
done
export UP_ROBOT_TOKEN_FILE=$E2E_TMP/robot1.json UP_ORGANIZATION=acme
ACCESS_ID=$(jfield "$E2E_TMP/robot1.json" accessId)

field() { local v; v=$(sed -n "s/^$1=//p" "$E2E_TMP/load.out"); echo "${v:-0}"; }
# load ARGS...: run load_run.py ARGS, summary in $E2E_TMP/load.out
load() {
    "$PY" "$REPO/tests/e2e/load/load_run.py" "$@" >"$E2E_TMP/load.out" 2>"$E2E_TMP/load.err"
    [ -s "$E2E_TMP/load.err" ] && sed 's/^/#   driver: /' "$E2E_TMP/load.err" | tail -5
    diag "$(paste -sd' ' "$E2E_TMP/load.out")"
}
fresh_cache() {
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$1
    upbound_clear
}

# ---------------------------------------------------------------- 1. exchanges
# name exchange action count-function
for run in "session session get login" "org-token org-token get orgtok" "kubelet session kubelet login"; do
    set -- $run
    name=$1 action=$3
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$2
    fresh_cache "$name"
    load calls "$WORKERS" "$CALLS" "$SECS" "$action"
    if [ "$4" = login ]; then n=$(upbound_count /v1/login); else n=$(upbound_count "$EXCHANGE_PATH"); fi
    check_eq "$name: $CALLS calls by $WORKERS workers over $(field wall)s (credentials live ${LIFETIME}s) all succeed" \
        "$CALLS 0" "$(field calls) $(field failed)"
    check_eq "$name: ... Upbound counted as many exchanges as distinct credentials were served" \
        "$(field distinct)" "$n"
    check "$name: ... and the credential expired several times ($n exchanges)" test "$n" -ge 3
done

# ---------------------------------------------------------------- 2. direct
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct DOCKER_CREDENTIAL_UPBOUND_VERIFY=$LIFETIME
fresh_cache direct
load calls "$WORKERS" "$CALLS" "$SECS" get
check_eq "direct: $CALLS gets by $WORKERS workers over $(field wall)s (verified every ${LIFETIME}s) all succeed with one pair" \
    "$CALLS 0 1" "$(field calls) $(field failed) $(field distinct)"
verifications() {
    upbound_requests | "$PY" -c '
import datetime, json, sys
def seconds(t):  # "2026-12-05T15:30:01.123Z"
    return datetime.datetime.strptime(t.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
times = sorted(seconds(e["time"]) for e in json.load(sys.stdin)
               if e["path"] == "/service/token" and not e.get("scope") and e["cred"] == "robot-basic")
gaps = [b - a for a, b in zip(times, times[1:])]
print(len(times), "%.2f" % min(gaps) if gaps else "none")'
}
read -r n gap < <(verifications)
check "direct: ... the token service verified the pair several times ($n)" test "$n" -ge 3
# A verdict stamped in whole seconds holds for more than LIFETIME - 1 s.
check "direct: ... never twice for one period (smallest gap ${gap}s > $((LIFETIME - 1))s - 0.2s)" \
    awk -v g="$gap" -v l="$LIFETIME" 'BEGIN{exit !(g != "none" && g > l - 1.2)}'
unset DOCKER_CREDENTIAL_UPBOUND_VERIFY

# ---------------------------------------------------------------- 3. store and erase race the gets
unset UP_ROBOT_TOKEN_FILE
for r in 2 3; do
    printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$REG" "$(jfield "$E2E_TMP/robot$r.json" accessId)" \
        "$(jfield "$E2E_TMP/robot$r.json" token)" >"$E2E_TMP/store$r.in"
done
export STORE_INPUTS=$E2E_TMP/store2.in:$E2E_TMP/store3.in
for kind in session org-token direct; do
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$kind
    [ "$kind" = direct ] && export DOCKER_CREDENTIAL_UPBOUND_VERIFY=$LIFETIME
    fresh_cache "mixed-$kind"
    load mixed "$WORKERS" "$CALLS" 4
    check_eq "mixed $kind: $(field stores) stores and $(field erases) erases race $(field calls) gets: all succeed" \
        "0" "$(field mutations_failed)"
    check "mixed $kind: ... gets answer a credential ($(field gets_ok)) or not found ($(field gets_not_found)), nothing else ($(field gets_other))" \
        test "$(field gets_other)" = 0 -a "$(field gets_ok)" -gt 0 -a "$(field gets_not_found)" -gt 0
    check_eq "mixed $kind: ... none of the $(field gets_after_erase) gets started after the last erase got a credential" \
        0 "$(field served_after_erase)"
    hcall get "$REG"
    check_eq "mixed $kind: ... a get afterwards answers not found" "1 $NOT_FOUND" "$H_RC $H_OUT"
    left=$(cd "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR" 2>/dev/null && ls | grep -E '\.(json|verdict)$' | paste -sd' ' -)
    check_eq "mixed $kind: ... the cache holds no credential or verdict derived from the erased tokens" "" "$left"
    unset DOCKER_CREDENTIAL_UPBOUND_VERIFY
done

# ---------------------------------------------------------------- leaks
cat "$STDERR_FILE" >>"$E2E_STDERR_ALL"
cat "$SECRETS_FILE" >>"$E2E_SECRETS"
e2e_finish
