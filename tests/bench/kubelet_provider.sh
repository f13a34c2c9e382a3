#!/usr/bin/env bash
# Benchmark the kubelet mode's warm path against `get`'s: the same
# credential (a session exchanged from a robot token file against the local
# Upbound stand-in, then cached; and the direct pair with its verdict
# cached), once as `kubelet` answers a CredentialProviderRequest (an
# organization's prefix, so the request, the image and the organizations are
# parsed too) and once as `get` answers a host. The kubelet runs a provider
# for every pull it does not have cached; it must cost about what a `get`
# costs.
#
#   tests/bench/kubelet_provider.sh [BIN]
#
# Environment: BENCH_QUICK=1 (smoke test), BENCH_RUNS, BENCH_WARMUP,
# BENCH_MEM_SAMPLES, BENCH_KEEP (see tests/bench/README.md).
# Figures: hyperfine medians (net of a `cat` wrapper) and peak RSS, which
# are noisy at this size (a warm call costs about what exec'ing `cat` does),
# and callgrind's instruction counts of one call each, which repeat exactly:
# the goal (kubelet at most 1.5x get's instructions) is judged on those.
# Exit status: 0 when every command printed the expected credential; the
# goal is reported, not enforced.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
PY=/usr/bin/python3
TIME_BIN=/usr/bin/time
GOAL=1.5

BENCH_NAME=kubelet_provider
. "$SCRIPT_DIR/lib.sh"
bench_args 200 10 "$@"
[ -x "$BIN" ] || die "helper not found or not executable: $BIN"
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
[ -x "$TIME_BIN" ] || die "$TIME_BIN missing (apt-get install time)"
case $BIN$'\n'${TMPDIR:-/tmp} in
    *[\'\"\$\`\\\ ]*) die "paths must not contain quotes, \$, backticks, backslashes or spaces" ;;
esac

unset SERVICES_PIDS
. "$REPO_ROOT/tests/lib/services.sh"
. "$REPO_ROOT/tests/lib/upbound.sh"
bench_workdir
umask 077
start_upbound "$WORK/upbound" >/dev/null || die "the Upbound stand-in did not start"
start_token_registry "$WORK/registry" >/dev/null || die "docker-registry did not start"
mint_robot acme bench "$WORK/acme.json" || die "mint_robot failed"
ACCESS_ID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$WORK/acme.json")

# Settings go into an env file each wrapper sources: hyperfine -N runs the
# wrappers without a shell around them, with this script's environment.
printf '{"organizations":[{"name":"acme","robotTokenFile":"%s"}]}\n' "$WORK/acme.json" >"$WORK/config.json"
printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"%s/acme/configuration-aws"}' \
    "$REGISTRY_HOST" >"$WORK/request.json"
printf '%s' "$REGISTRY_HOST" >"$WORK/host.txt"
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REGISTRY_HOST DBUS_SESSION_BUS_ADDRESS=
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$WORK/config.json UP_ROBOT_TOKEN_FILE=$WORK/acme.json
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$WORK/cache

# check EXCHANGE: both front ends answer with acme's token (each from its own cache entry)
check() {
    local kubelet get
    kubelet=$("$BIN" kubelet <"$WORK/request.json")
    get=$(printf '%s' "$REGISTRY_HOST" | "$BIN" get)
    KUBELET=$kubelet GET=$get EXCHANGE=$1 ID=$ACCESS_ID "$PY" - <<'EOF' || die "$1: unexpected answers"
import json, os
k = json.loads(os.environ["KUBELET"]); g = json.loads(os.environ["GET"])
(entry,) = k["auth"].values()
user = "_token" if os.environ["EXCHANGE"] == "session" else os.environ["ID"]
assert entry["username"] == g["Username"] == user, (entry["username"], g["Username"])
assert entry["password"] and g["Secret"]  # one session each: an organization has its own cache entry
EOF
}

echo "kubelet_provider: hyperfine, $RUNS runs + $WARMUP warmups per command" >&2
report=$WORK/report.txt
: >"$report"
for exchange in session direct; do
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$exchange
    check "$exchange"   # fills the cache (one login, or one verification)
    before=$(upbound_count /v1/login)/$(upbound_count /service/token)
    hyperfine -N --style basic --runs "$RUNS" --warmup "$WARMUP" --export-json "$WORK/$exchange.json" \
        -n baseline "sh -c 'cat $WORK/request.json >/dev/null'" \
        -n kubelet "sh -c '$BIN kubelet <$WORK/request.json >/dev/null'" \
        -n get "sh -c '$BIN get <$WORK/host.txt >/dev/null'" >&2
    after=$(upbound_count /v1/login)/$(upbound_count /service/token)
    [ "$before" = "$after" ] || die "$exchange: the warm path made requests ($before -> $after)"
    rss_k=0 rss_g=0
    for _ in $(seq 1 "$MEM_SAMPLES"); do
        r=$("$TIME_BIN" -f %M "$BIN" kubelet <"$WORK/request.json" 2>&1 >/dev/null | tail -1)
        [ "$r" -gt "$rss_k" ] && rss_k=$r
        r=$("$TIME_BIN" -f %M "$BIN" get <"$WORK/host.txt" 2>&1 >/dev/null | tail -1)
        [ "$r" -gt "$rss_g" ] && rss_g=$r
    done
    ir_k=0 ir_g=0
    if command -v valgrind >/dev/null; then
        ir_k=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" kubelet <"$WORK/request.json" 2>&1 \
            >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
        ir_g=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" get <"$WORK/host.txt" 2>&1 \
            >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    fi
    "$PY" - "$WORK/$exchange.json" "$exchange" "$rss_k" "$rss_g" "$GOAL" "${ir_k:-0}" "${ir_g:-0}" >>"$report" <<'EOF'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = {name: results[name]["median"] * 1000 for name in ("baseline", "kubelet", "get")}
ir_k, ir_g = int(sys.argv[6]), int(sys.argv[7])
verdict = "no valgrind"
if ir_k and ir_g:
    ratio = ir_k / ir_g
    verdict = "instructions kubelet %d, get %d, ratio %.2f (goal <= %s: %s)" % (
        ir_k, ir_g, ratio, sys.argv[5], "PASS" if ratio <= float(sys.argv[5]) else "MISS")
print("%-8s %s; median ms kubelet %.2f, get %.2f, cat wrapper %.2f; peak RSS KiB kubelet %s, get %s" % (
    sys.argv[2], verdict, ms["kubelet"], ms["get"], ms["baseline"], sys.argv[3], sys.argv[4]))
EOF
done
cat "$report"
