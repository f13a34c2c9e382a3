#!/usr/bin/env bash
# Benchmark `get` of docker-credential-upbound against Debian's
# docker-credential-secretservice on a private, unlocked gnome-keyring.
# Ours serves the server as its Upbound registry with the default exchange,
# direct: the robot pair from the keyring, verified against the registry's
# token service once an hour. A stand-in registry on loopback answers that
# verification before the timed runs; the runs then measure the steady
# state, keyring read plus the cached verdict.
#
#   tests/bench/keyring_get.sh [BIN]
#
# BIN defaults to build/docker-credential-upbound under the repository root.
# Environment:
#   BENCH_QUICK=1        smoke test: 20 runs, 3 warmups, 3 memory samples
#   BENCH_RUNS=N         hyperfine runs per command (default 200)
#   BENCH_WARMUP=N       hyperfine warmup runs per command (default 10)
#   BENCH_MEM_SAMPLES=N  peak-RSS samples per helper (default 15)
#   BENCH_KEEP=1         keep the temporary directory (path is printed)
#
# Exit status: 0 when every command worked (also when the performance goal is
# missed: the verdict is informational), non-zero when a command failed.
# See tests/bench/README.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

PY=/usr/bin/python3
SS_BIN=/usr/bin/docker-credential-secretservice
TIME_BIN=/usr/bin/time
USERNAME=robot

BENCH_NAME=keyring_get
. "$SCRIPT_DIR/lib.sh"
bench_args 200 10 "$@"

# --- prerequisites --------------------------------------------------------------
[ -x "$BIN" ] || die "helper not found or not executable: $BIN (build it first, or pass BIN)"
[ -x "$SS_BIN" ] || die "$SS_BIN missing (apt-get install golang-docker-credential-helpers)"
[ -x "$TIME_BIN" ] || die "$TIME_BIN missing (apt-get install time)"
[ -x "$PY" ] || die "$PY missing"
for tool in hyperfine dbus-daemon dbus-send gnome-keyring-daemon; do
    command -v "$tool" >/dev/null || die "$tool not found in PATH"
done
# The paths end up inside sh -c '...' strings; refuse characters that would
# need another level of quoting.
for p in "$BIN" "${TMPDIR:-/tmp}"; do
    case $p in
        *[\'\"\$\`\\]*) die "path contains a quote, \$, backtick or backslash: $p" ;;
    esac
done

# shellcheck source=../lib/services.sh source-path=SCRIPTDIR
. "$REPO_ROOT/tests/lib/services.sh"

# --- temporary directory, services, cleanup -----------------------------------
bench_workdir

umask 077
make_test_home "$WORK"
start_session_bus "$WORK/bus"
start_keyring "$WORK/keyring"

# --- the registry ours verifies the pair against --------------------------------
REG_PORT=$(free_port)
SERVER=127.0.0.1:$REG_PORT
export OVERRIDE_REGISTRY_ENDPOINT=http://$SERVER DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$WORK/cache
unset DOCKER_CREDENTIAL_UPBOUND_EXCHANGE DOCKER_CREDENTIAL_UPBOUND_VERIFY
"$PY" "$SCRIPT_DIR/verify_registry.py" "$REG_PORT" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
SERVICES_PIDS="${SERVICES_PIDS:-} $REG_PID"
for _ in $(seq 1 100); do
    [ "$(http_status "http://$SERVER/v2/")" = 401 ] && break
    sleep 0.05
done

# --- the credential -----------------------------------------------------------
# The secret never appears in argv: python writes it to files in $WORK.
"$PY" - "$WORK" "$SERVER" "$USERNAME" <<'EOF'
import json, os, secrets, string, sys
work, server, username = sys.argv[1:4]
alphabet = string.ascii_letters + string.digits
secret = "".join(secrets.choice(alphabet) for _ in range(40))
def write(name, text):
    fd = os.open(os.path.join(work, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
write("secret", secret)
write("store.json", json.dumps({"ServerURL": server, "Username": username, "Secret": secret}))
write("server", server)  # stdin for `get`: the bare host, no newline
EOF

check_get() {  # check_get NAME BIN: `get` must print our Username and Secret
    local name=$1 bin=$2 out="$WORK/get-$1.out" err="$WORK/get-$1.err"
    if ! "$bin" get <"$WORK/server" >"$out" 2>"$err"; then
        echo "keyring_get: error: $name get exited non-zero" >&2
        cat "$out" "$err" >&2
        return 1
    fi
    "$PY" - "$name" "$out" "$WORK/secret" "$USERNAME" <<'EOF'
import json, sys
name, out, secret_file, username = sys.argv[1:5]
raw = open(out).read()
secret = open(secret_file).read()
try:
    cred = json.loads(raw)
except ValueError as e:
    sys.exit(f"keyring_get: error: {name} get printed no JSON ({e}): {raw[:200]!r}")
problems = []
if cred.get("Username") != username:
    problems.append(f"Username {cred.get('Username')!r}, expected {username!r}")
if cred.get("Secret") != secret:
    problems.append("Secret differs from the stored one")
if problems:
    sys.exit(f"keyring_get: error: {name} get: " + "; ".join(problems))
EOF
}

store() {  # store NAME BIN
    local name=$1 bin=$2
    if ! "$bin" store <"$WORK/store.json" >"$WORK/store-$name.out" 2>&1; then
        echo "keyring_get: error: $name store exited non-zero" >&2
        cat "$WORK/store-$name.out" >&2
        return 1
    fi
}

store upbound "$BIN"
store secretservice "$SS_BIN"
check_get upbound "$BIN"
check_get secretservice "$SS_BIN"
# The first get verified the pair; the verdict holds for an hour.
ls "$WORK/cache"/*.verdict >/dev/null 2>&1 || die "the first get left no verdict in $WORK/cache"
kill "$REG_PID" 2>/dev/null; wait "$REG_PID" 2>/dev/null || true

# --- time: one hyperfine run, three commands ----------------------------------
wrap() { printf "sh -c 'printf %s | %s >/dev/null'" "$SERVER" "$1"; }
CMD_BASE=$(wrap "cat /dev/null")
CMD_OURS=$(wrap "\"$BIN\" get")
CMD_SS=$(wrap "\"$SS_BIN\" get")

echo "keyring_get: hyperfine, $RUNS runs + $WARMUP warmups per command" >&2
# -N: hyperfine execs the sh -c wrapper itself, no extra shell around it.
hyperfine -N --style basic --runs "$RUNS" --warmup "$WARMUP" \
    --export-json "$WORK/hyperfine.json" \
    -n baseline "$CMD_BASE" \
    -n upbound "$CMD_OURS" \
    -n secretservice "$CMD_SS" >&2

# --- memory: peak RSS of one `get`, median of MEM_SAMPLES runs ----------------
measure_rss() {  # measure_rss NAME BIN -> appends KiB values to $WORK/rss-NAME
    local name=$1 bin=$2 _
    : >"$WORK/rss-$name"
    for _ in $(seq 1 "$MEM_SAMPLES"); do
        if ! "$TIME_BIN" -f %M -o "$WORK/time.out" "$bin" get \
                <"$WORK/server" >/dev/null 2>"$WORK/time.err"; then
            echo "keyring_get: error: $name get failed under $TIME_BIN" >&2
            cat "$WORK/time.err" "$WORK/time.out" >&2
            return 1
        fi
        tail -n 1 "$WORK/time.out" >>"$WORK/rss-$name"
    done
}
echo "keyring_get: peak RSS, $MEM_SAMPLES samples per helper" >&2
measure_rss upbound "$BIN"
measure_rss secretservice "$SS_BIN"

# The keyring must still hold the same credential after all that.
check_get upbound "$BIN"
check_get secretservice "$SS_BIN"

# --- report ---------------------------------------------------------------------
"$PY" - "$WORK" "$BIN" "$SS_BIN" "$RUNS" "$MEM_SAMPLES" <<'EOF'
import json, statistics, sys
work, ours_bin, ss_bin, runs, mem_samples = sys.argv[1:6]
GOAL = 0.5

with open(f"{work}/hyperfine.json") as f:
    results = {r["command"]: r for r in json.load(f)["results"]}
def median_ms(name):
    return statistics.median(results[name]["times"]) * 1000.0
base = median_ms("baseline")
gross = {n: median_ms(n) for n in ("upbound", "secretservice")}
net = {n: gross[n] - base for n in gross}

def rss(name):
    with open(f"{work}/rss-{name}") as f:
        vals = [int(line) for line in f if line.strip()]
    return statistics.median(vals)
mem = {n: rss(n) for n in ("upbound", "secretservice")}

def ratio(a, b):
    return a / b if b > 0 else float("nan")
r_net = ratio(net["upbound"], net["secretservice"])
r_gross = ratio(gross["upbound"], gross["secretservice"])
r_mem = ratio(mem["upbound"], mem["secretservice"])
def verdict(r):
    return "PASS" if r == r and r <= GOAL else "MISS"

print()
print(f"keyring get benchmark  (direct, verdict cached; {runs} timed runs, "
      f"{mem_samples} RSS samples, medians)")
print(f"  ours:          {ours_bin}")
print(f"  secretservice: {ss_bin}")
print(f"  baseline (sh -c 'printf ... | cat /dev/null'): {base:.2f} ms")
print()
print(f"  {'':<16}{'gross ms':>10}{'net ms':>10}{'peak RSS KiB':>14}")
for n in ("upbound", "secretservice"):
    print(f"  {n:<16}{gross[n]:>10.2f}{net[n]:>10.2f}{mem[n]:>14.0f}")
print(f"  {'ratio ours/ss':<16}{r_gross:>10.2f}{r_net:>10.2f}{r_mem:>14.2f}")
# CPU time (user+sys, hyperfine's means; includes the sh/printf wrapper) is
# less sensitive than wall time to other jobs competing for the machine.
cpu = {n: (results[n]["user"] + results[n]["system"]) * 1000.0
       for n in ("baseline", "upbound", "secretservice")}
cpu_net = {n: cpu[n] - cpu["baseline"] for n in ("upbound", "secretservice")}
print(f"  {'cpu ms (mean user+sys)':<26}gross: ours {cpu['upbound']:.2f}, ss {cpu['secretservice']:.2f}, "
      f"ratio {ratio(cpu['upbound'], cpu['secretservice']):.2f};  "
      f"net ratio {ratio(cpu_net['upbound'], cpu_net['secretservice']):.2f}")
print()
print(f"Goal: at most {GOAL} of docker-credential-secretservice's time and memory")
print(f"  time   (net ratio {r_net:.3f}):  {verdict(r_net)}")
print(f"  memory (RSS ratio {r_mem:.3f}):  {verdict(r_mem)}")
overall = "PASS" if verdict(r_net) == verdict(r_mem) == "PASS" else "MISS"
print(f"  overall: {overall}  (informational; does not affect the exit status)")

# Warn when a command's timings are spread out (load from other jobs during
# its block of runs): median absolute deviation above 10 % of the median.
for n in ("baseline", "upbound", "secretservice"):
    t = results[n]["times"]
    med = statistics.median(t)
    mad = statistics.median(abs(x - med) for x in t)
    if med > 0 and mad / med > 0.10:
        print(f"  note: {n} timings are noisy (MAD {100 * mad / med:.0f}% of the median); "
              f"rerun on an idle machine before trusting the ratios")
EOF
