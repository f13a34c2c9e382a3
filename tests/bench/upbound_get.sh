#!/usr/bin/env bash
# Benchmark `get` of docker-credential-upbound for an Upbound registry (robot
# token from UP_ROBOT_TOKEN_FILE, session exchange against the local stand-in
# of tests/upbound/) against the warm path of Debian's
# docker-credential-ecr-login (amazon-ecr-credential-helper 0.6), which
# answers offline from a prepared ~/.ecr/cache.json.
#
#   tests/bench/upbound_get.sh [BIN]
#
# BIN defaults to build/docker-credential-upbound under the repository root.
# Environment:
#   BENCH_QUICK=1        smoke test: 20 runs, 3 warmups, 3 memory samples
#   BENCH_RUNS=N         hyperfine runs per command (default 300)
#   BENCH_WARMUP=N       hyperfine warmup runs per command (default 20)
#   BENCH_MEM_SAMPLES=N  peak-RSS samples per case (default 15)
#   BENCH_INTERLEAVE=0   skip the interleaved cross-check (same commands,
#                        round-robin in random order, python-timed)
#   BENCH_KEEP=1         keep the temporary directory (path is printed)
#
# Exit status: 0 when every command worked and printed the expected
# credential (also when the performance goal is missed: the verdict is
# informational), non-zero when something failed. See tests/bench/upbound_get.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

PY=/usr/bin/python3
ECR_BIN=/usr/bin/docker-credential-ecr-login
TIME_BIN=/usr/bin/time
UB_HOST=127.0.0.1:5999          # the served registry host (nothing listens there)
# ECR: fake account, region and static keys; the helper never gets to use them.
ECR_ACCOUNT=123456789012
ECR_REGION=us-west-2
ECR_HOST=$ECR_ACCOUNT.dkr.ecr.$ECR_REGION.amazonaws.com
ECR_AKID=AKIABENCHMARKFAKE001
GOAL=0.2                        # ours-warm-net / ECR-warm-net must be at most this

BENCH_NAME=upbound_get
. "$SCRIPT_DIR/lib.sh"
note() { echo "upbound_get: $*" >&2; }
bench_args 300 20 "$@"
INTERLEAVE=${BENCH_INTERLEAVE:-1}
case $INTERLEAVE in
    ''|*[!0-9]*) die "BENCH_INTERLEAVE must be 0 or 1, got '$INTERLEAVE'" ;;
esac

# --- prerequisites --------------------------------------------------------------
[ -x "$BIN" ] || die "helper not found or not executable: $BIN (build it first, or pass BIN)"
[ -x "$ECR_BIN" ] || die "$ECR_BIN missing (apt-get install amazon-ecr-credential-helper)"
[ -x "$TIME_BIN" ] || die "$TIME_BIN missing (apt-get install time)"
[ -x "$PY" ] || die "$PY missing"
command -v hyperfine >/dev/null || die "hyperfine not found in PATH (apt-get install hyperfine)"
HAVE_STRACE=0
command -v strace >/dev/null && HAVE_STRACE=1
# The paths end up inside sh -c '...' strings; refuse characters that would
# need another level of quoting (or word splitting by hyperfine -N).
for p in "$BIN" "${TMPDIR:-/tmp}"; do
    case $p in
        *[\'\"\$\`\\\ ]*) die "path contains a quote, \$, backtick, backslash or space: $p" ;;
    esac
done

# shellcheck source=../lib/services.sh source-path=SCRIPTDIR
. "$REPO_ROOT/tests/lib/services.sh"
# shellcheck source=../lib/upbound.sh source-path=SCRIPTDIR
. "$REPO_ROOT/tests/lib/upbound.sh"

# The stand-in is on 127.0.0.1: no proxy of the caller's may get in between
# (curl/python in tests/lib/upbound.sh and the checks below).
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# --- temporary directory, services, cleanup -----------------------------------
bench_workdir

umask 077
make_test_home "$WORK"   # HOME, XDG_*, DOCKER_CONFIG inside $WORK
mkdir -p "$WORK/cache-warm" "$WORK/cache-cold" "$WORK/empty" "$HOME/.ecr"
printf '{}\n' >"$WORK/helper-config.json"
printf '%s' "$UB_HOST" >"$WORK/ub-server"    # stdin for `get`: bare host, no newline
printf '%s' "$ECR_HOST" >"$WORK/ecr-server"

start_upbound "$WORK/upbound"
# Two robots in two organizations: the stand-in logs the org of every login,
# so logins of the warm and the cold case can be told apart.
mint_robot bench-warm warm "$WORK/robot-warm.json"
mint_robot bench-cold cold "$WORK/robot-cold.json"

# --- the ECR helper's offline cache ----------------------------------------------
# The secret key and the password are random and never on a command line:
# python writes them to 0600 files in $WORK.
"$PY" - "$WORK" "$HOME/.ecr/cache.json" "$ECR_AKID" "$ECR_REGION" "$ECR_ACCOUNT" <<'EOF'
import base64, datetime, hashlib, json, os, secrets, string, sys
work, cache, akid, region, account = sys.argv[1:6]
alphabet = string.ascii_letters + string.digits
def write(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
password = "".join(secrets.choice(alphabet) for _ in range(40))
write(os.path.join(work, "aws-secret-key"), "".join(secrets.choice(alphabet) for _ in range(40)))
write(os.path.join(work, "ecr-password"), password)
# 0.6's cache key: <region>-<base64(AKID bytes + md5 of the empty string)>-<registry id>
# (its checksum appends md5.New().Sum(AKID) instead of hashing the AKID).
key = "%s-%s-%s" % (region,
                    base64.b64encode(akid.encode() + hashlib.md5(b"").digest()).decode(),
                    account)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
fmt = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
write(cache, json.dumps({
    "Registries": {key: {
        "AuthorizationToken": base64.b64encode(("AWS:" + password).encode()).decode(),
        "RequestedAt": fmt(now),
        "ExpiresAt": fmt(now + datetime.timedelta(hours=12)),
        "ProxyEndpoint": "https://%s.dkr.ecr.%s.amazonaws.com" % (account, region),
        "Service": "ecr"}},
    "Version": "1.0"}))
EOF

# --- one environment for every measured process ---------------------------------
# Everything runs under `env -i` with exactly these variables (hyperfine
# passes them on), so nothing of the caller's leaks into either helper. Any
# HTTPS the ECR helper might attempt goes to a proxy at 127.0.0.1:1 (refused);
# loopback is never proxied. No D-Bus: the helper has no keyring to reach.
# shellcheck disable=SC2054  # the commas are in values (NO_PROXY)
BENCH_ENV=(
    PATH=/usr/bin:/bin LC_ALL=C
    HOME="$HOME" XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
    XDG_CACHE_HOME="$XDG_CACHE_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" DOCKER_CONFIG="$DOCKER_CONFIG"
    DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/no-such-bus"
    DOCKER_CREDENTIAL_UPBOUND_CONFIG="$WORK/helper-config.json"
    OVERRIDE_API_ENDPOINT="$UPBOUND_URL" OVERRIDE_AUTH_ENDPOINT="$UPBOUND_URL"
    OVERRIDE_REGISTRY_ENDPOINT="$UB_HOST"
    UP_ROBOT_TOKEN_FILE="$WORK/robot-warm.json"
    DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR="$WORK/cache-warm"
    DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session   # the cached exchanged credential
    AWS_ACCESS_KEY_ID="$ECR_AKID" AWS_SECRET_ACCESS_KEY="$(cat "$WORK/aws-secret-key")"
    AWS_REGION="$ECR_REGION" AWS_EC2_METADATA_DISABLED=true
    AWS_CONFIG_FILE="$WORK/no-such-aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/no-such-aws-credentials"
    HTTPS_PROXY=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1
    NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
)
# The cold case: another robot and cache directory (set by sh, no extra process).
COLD_ENV=(UP_ROBOT_TOKEN_FILE="$WORK/robot-cold.json" DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR="$WORK/cache-cold")
COLD_VARS="${COLD_ENV[*]}"
benv() { env -i "${BENCH_ENV[@]}" "$@"; }
make_cold() { rm -f "$WORK"/cache-cold/*.json; }

# logins ORG: how many POST /v1/login the stand-in logged for ORG (any status)
logins() {
    upbound_requests | "$PY" -c '
import json, sys
org = sys.argv[1]
print(sum(1 for r in json.load(sys.stdin)
          if r.get("path") == "/v1/login" and r.get("org") == org))' "$1"
}
# failed_logins: /v1/login requests that did not answer 200
failed_logins() {
    upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin)
          if r.get("path") == "/v1/login" and r.get("status") != 200))'
}

# --- correctness: every command prints the right credential ---------------------
# check_ub NAME ORG [SAME-AS-FILE]: BIN get of UB_HOST (cold vars when NAME is
# cold) must print ServerURL UB_HOST, Username _token and a Secret that is a
# live session of ORG's robot at the stand-in (GET /v1/self with the cookie).
# With SAME-AS-FILE, the Secret must equal the one in that earlier output.
check_ub() {
    local name=$1 org=$2 same=${3:-} out="$WORK/get-$1.out" err="$WORK/get-$1.err"
    local pre=()
    [ "$name" = cold ] && pre=("${COLD_ENV[@]}")
    if ! benv "${pre[@]}" "$BIN" get <"$WORK/ub-server" >"$out" 2>"$err"; then
        echo "upbound_get: error: ours ($name) get exited non-zero" >&2
        cat "$err" >&2
        return 1
    fi
    "$PY" - "$name" "$out" "$UB_HOST" "$UPBOUND_URL" "$org" "$same" <<'EOF'
import json, sys, urllib.request
name, out, host, url, org, same = sys.argv[1:7]
raw = open(out).read()
try:
    cred = json.loads(raw)
except ValueError as e:
    sys.exit(f"upbound_get: error: ours ({name}) get printed no JSON ({e})")
problems = []
if cred.get("ServerURL") != host:
    problems.append(f"ServerURL {cred.get('ServerURL')!r}, expected {host!r}")
if cred.get("Username") != "_token":
    problems.append(f"Username {cred.get('Username')!r}, expected '_token'")
secret = cred.get("Secret")
if not isinstance(secret, str) or not secret:
    problems.append("no Secret")
elif same and json.load(open(same)).get("Secret") != secret:
    problems.append("Secret differs from the cached one (expected a cache hit)")
else:
    req = urllib.request.Request(url + "/v1/self", headers={"Cookie": "SID=" + secret})
    try:
        me = json.loads(urllib.request.urlopen(req, timeout=10).read())
        if me.get("organization", {}).get("name") != org:
            problems.append(f"session belongs to {me.get('organization')!r}, expected {org!r}")
    except Exception as e:
        problems.append(f"the stand-in does not accept the Secret as a session ({e})")
if problems:
    sys.exit(f"upbound_get: error: ours ({name}) get: " + "; ".join(problems))
EOF
}

check_ecr() {
    local out="$WORK/get-ecr.out" err="$WORK/get-ecr.err" log="$HOME/.ecr/log/ecr-login.log"
    [ ! -f "$log" ] || : >"$log"     # judge this get's log lines only
    if ! benv "$ECR_BIN" get <"$WORK/ecr-server" >"$out" 2>"$err"; then
        echo "upbound_get: error: ecr-login get exited non-zero" >&2
        cat "$out" "$err" >&2
        return 1
    fi
    "$PY" - "$out" "$ECR_HOST" "$WORK/ecr-password" "$log" <<'EOF'
import json, os, sys
out, host, pw_file, log = sys.argv[1:5]
raw = open(out).read()
try:
    cred = json.loads(raw)
except ValueError as e:
    sys.exit(f"upbound_get: error: ecr-login get printed no JSON ({e})")
problems = []
if cred.get("ServerURL") != host:
    problems.append(f"ServerURL {cred.get('ServerURL')!r}, expected {host!r}")
if cred.get("Username") != "AWS":
    problems.append(f"Username {cred.get('Username')!r}, expected 'AWS'")
if cred.get("Secret") != open(pw_file).read():
    problems.append("Secret differs from the cached password")
text = open(log).read() if os.path.exists(log) else ""
if "Using cached token" not in text:
    problems.append("its log does not say 'Using cached token'")
if "GetAuthorizationToken" in text:
    problems.append("it called ECR.GetAuthorizationToken")
if problems:
    sys.exit("upbound_get: error: ecr-login get: " + "; ".join(problems))
EOF
}

# no_network NAME CMD...: under strace, CMD (a get reading its stdin) opens no
# inet socket; and no socket at all when NAME is not "cold".
no_network() {
    local name=$1 st="$WORK/strace-$1.out"
    shift
    benv strace -f -qq -e trace=socket,connect -o "$st" "$@" >/dev/null 2>"$WORK/strace-$name.err" || {
        echo "upbound_get: error: $name get failed under strace" >&2
        cat "$WORK/strace-$name.err" >&2
        return 1
    }
    if grep -q 'AF_INET' "$st"; then
        echo "upbound_get: error: $name get used the network:" >&2
        grep 'AF_INET' "$st" >&2
        return 1
    fi
    if grep -q 'socket(\|connect(' "$st"; then
        echo "upbound_get: error: $name get opened a socket (keyring or network):" >&2
        grep 'socket(\|connect(' "$st" >&2
        return 1
    fi
}

note "verifying outputs (stand-in on $UPBOUND_URL)"
n0=$(upbound_count /v1/login)
check_ub warm bench-warm                              # exchanges: the one cold get of warm
cp "$WORK/get-warm.out" "$WORK/warm-first.out"
check_ub warm bench-warm "$WORK/warm-first.out"       # a cache hit: same session
make_cold
check_ub cold bench-cold
make_cold
check_ub cold bench-cold
check_ecr
[ "$(logins bench-warm)" = 1 ] || die "the warm robot logged in $(logins bench-warm) times, expected 1"
[ "$(logins bench-cold)" = 2 ] || die "the cold robot logged in $(logins bench-cold) times, expected 2"
[ "$(upbound_count /v1/login)" = $((n0 + 3)) ] || die "unexpected logins during the checks"
if [ "$HAVE_STRACE" = 1 ]; then
    no_network ecr sh -c "exec \"$ECR_BIN\" get <\"$WORK/ecr-server\""
    no_network warm sh -c "exec \"$BIN\" get <\"$WORK/ub-server\""
    check_ecr    # (its log was not reset by the strace run: check again)
    note "strace: neither warm get opened a socket"
else
    note "strace not installed: skipping the no-network check"
fi
WARM_LOGINS=$(logins bench-warm)

# --- time: one hyperfine run, four commands ---------------------------------------
wrap() { printf "sh -c 'printf %s | %s >/dev/null'" "$1" "$2"; }
CMD_BASE=$(wrap "$UB_HOST" "cat")
CMD_WARM=$(wrap "$UB_HOST" "\"$BIN\" get")
CMD_ECR=$(wrap "$ECR_HOST" "\"$ECR_BIN\" get")
CMD_COLD=$(wrap "$UB_HOST" "$COLD_VARS \"$BIN\" get")
# Before every run (warmups too) of each command, an untimed `sh -c 'rm -f
# DIR/*.json'`: for the cold case DIR is its cache (the next get must log
# in), for the others an empty directory, so all four see the same prepare.
prep() { printf "sh -c 'rm -f %s/*.json'" "$1"; }

logins_before=$(upbound_count /v1/login)
cold_before=$(logins bench-cold)
note "hyperfine, $RUNS runs + $WARMUP warmups per command"
# -N: hyperfine execs the sh -c wrapper itself, no extra shell around it.
benv hyperfine -N --style basic --runs "$RUNS" --warmup "$WARMUP" \
    --export-json "$WORK/hyperfine.json" \
    --prepare "$(prep "$WORK/empty")" -n baseline "$CMD_BASE" \
    --prepare "$(prep "$WORK/empty")" -n ours-warm "$CMD_WARM" \
    --prepare "$(prep "$WORK/empty")" -n ecr-warm "$CMD_ECR" \
    --prepare "$(prep "$WORK/cache-cold")" -n ours-cold "$CMD_COLD" >&2

expected=$((RUNS + WARMUP))
got_all=$(($(upbound_count /v1/login) - logins_before))
got_cold=$(($(logins bench-cold) - cold_before))
[ "$got_cold" = "$expected" ] ||
    die "cold gets logged in $got_cold times during hyperfine, expected $expected (runs + warmups)"
[ "$got_all" = "$expected" ] ||
    die "/v1/login grew by $got_all during hyperfine, expected $expected"
[ "$(logins bench-warm)" = "$WARM_LOGINS" ] || die "warm gets logged in during hyperfine"
[ "$(failed_logins)" = 0 ] || die "$(failed_logins) logins did not answer 200"
note "logins during hyperfine: $got_all (= $RUNS runs + $WARMUP warmups of ours-cold); warm: 0"

# --- cross-check: the same four commands interleaved ---------------------------
# hyperfine runs all runs of one command before the next, so a burst of load
# from other jobs can land on one command only. Here every round runs each
# command once, in a fresh random order (same argv as hyperfine -N, same
# untimed prepare), timed by python around posix_spawn + wait4.
if [ "$INTERLEAVE" = 1 ]; then
    note "interleaved cross-check, $RUNS rounds"
    cold_before=$(logins bench-cold)
    benv "$PY" - "$WORK/interleaved.json" "$RUNS" \
        baseline "$WORK/empty" "$CMD_BASE" \
        ours-warm "$WORK/empty" "$CMD_WARM" \
        ecr-warm "$WORK/empty" "$CMD_ECR" \
        ours-cold "$WORK/cache-cold" "$CMD_COLD" <<'EOF'
import glob, json, os, random, shlex, shutil, sys, time
out, rounds = sys.argv[1], int(sys.argv[2])
cmds = []
for i in range(3, len(sys.argv), 3):
    name, prep_dir, line = sys.argv[i:i + 3]
    argv = shlex.split(line)
    cmds.append((name, prep_dir, shutil.which(argv[0]), argv))
res = {name: {"times": [], "cpu": []} for name, _, _, _ in cmds}
rng = random.Random(2)
for _ in range(rounds):
    order = cmds[:]
    rng.shuffle(order)
    for name, prep_dir, path, argv in order:
        for f in glob.glob(os.path.join(prep_dir, "*.json")):
            os.unlink(f)
        t0 = time.perf_counter()
        pid = os.posix_spawn(path, argv, os.environ)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if status != 0:
            sys.exit(f"upbound_get: error: {name} exited with status {status} (interleaved)")
        res[name]["times"].append(t1 - t0)
        res[name]["cpu"].append(ru.ru_utime + ru.ru_stime)
with open(out, "w") as f:
    json.dump(res, f)
EOF
    got_cold=$(($(logins bench-cold) - cold_before))
    [ "$got_cold" = "$RUNS" ] || die "interleaved cold gets logged in $got_cold times, expected $RUNS"
    [ "$(logins bench-warm)" = "$WARM_LOGINS" ] || die "warm gets logged in during the interleaved pass"
fi

# --- memory: peak RSS of one get, median of MEM_SAMPLES runs ----------------------
# measure_rss NAME SERVERFILE BIN [VAR=VALUE...]: peak RSS (KiB) of BIN get;
# env sets the variables and execs /usr/bin/time, which execs BIN directly.
measure_rss() {
    local name=$1 server=$2 bin=$3 _
    shift 3
    : >"$WORK/rss-$name"
    for _ in $(seq 1 "$MEM_SAMPLES"); do
        [ "$name" = ours-cold ] && make_cold
        if ! benv "$@" "$TIME_BIN" -f %M -o "$WORK/time.out" "$bin" get \
                <"$server" >/dev/null 2>"$WORK/time.err"; then
            echo "upbound_get: error: $name get failed under $TIME_BIN" >&2
            cat "$WORK/time.err" "$WORK/time.out" >&2
            return 1
        fi
        tail -n 1 "$WORK/time.out" >>"$WORK/rss-$name"
    done
}
note "peak RSS, $MEM_SAMPLES samples per case"
cold_before=$(logins bench-cold)
measure_rss ours-warm "$WORK/ub-server" "$BIN"
measure_rss ours-cold "$WORK/ub-server" "$BIN" "${COLD_ENV[@]}"
measure_rss ecr-warm "$WORK/ecr-server" "$ECR_BIN"
[ $(($(logins bench-cold) - cold_before)) = "$MEM_SAMPLES" ] ||
    die "cold RSS samples logged in $(($(logins bench-cold) - cold_before)) times, expected $MEM_SAMPLES"
[ "$(logins bench-warm)" = "$WARM_LOGINS" ] || die "warm RSS samples logged in"

# The same credentials after all that.
check_ub warm bench-warm "$WORK/warm-first.out"
make_cold
check_ub cold bench-cold
check_ecr

# --- report ---------------------------------------------------------------------
"$PY" - "$WORK" "$BIN" "$ECR_BIN" "$RUNS" "$WARMUP" "$MEM_SAMPLES" "$GOAL" "$INTERLEAVE" <<'EOF'
import json, os, random, statistics, sys
work, ours_bin, ecr_bin, runs, warmup, mem_samples, goal, interleave = sys.argv[1:9]
GOAL = float(goal)
NAMES = ("ours-warm", "ecr-warm", "ours-cold")
ALL = ("baseline",) + NAMES
LABELS = {"ours-warm": "ours warm (cache hit)",
          "ecr-warm": "ecr-login warm (cache.json)",
          "ours-cold": "ours cold (1 loopback login)"}

def rss(name):
    with open(f"{work}/rss-{name}") as f:
        return statistics.median(int(l) for l in f if l.strip())
mem = {n: rss(n) for n in NAMES}

def ratio(a, b):
    return a / b if b > 0 else float("nan")
def verdict(r):
    # A negative ratio means the baseline was slower than a helper: noise,
    # not a result.
    if r != r or r < 0:
        return "NO RESULT (noise: rerun)"
    return "PASS" if r <= GOAL else "MISS"
ms_median = lambda xs: statistics.median(xs) * 1000.0

def bootstrap(times):
    """95 % interval of the net ratio, resampling each command's runs."""
    rng = random.Random(1)
    pick = lambda xs: statistics.median(rng.choices(xs, k=len(xs)))
    boot = []
    for _ in range(1000):
        b = pick(times["baseline"])
        e = pick(times["ecr-warm"]) - b
        if e > 0:
            boot.append((pick(times["ours-warm"]) - b) / e)
    boot.sort()
    if len(boot) < 100:
        return float("nan"), float("nan")
    return boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1]

def table(title, times, cpu_ms, show_rss):
    """Print one table; return the net ratio ours-warm / ecr-warm."""
    base = ms_median(times["baseline"])
    gross = {n: ms_median(times[n]) for n in NAMES}
    net = {n: gross[n] - base for n in NAMES}
    cpu_net = {n: cpu_ms[n] - cpu_ms["baseline"] for n in NAMES}
    r_net = ratio(net["ours-warm"], net["ecr-warm"])
    print(title)
    print(f"  baseline (sh -c 'printf ... | cat >/dev/null'): {base:.3f} ms")
    rss_head = f"{'peak RSS KiB':>14}" if show_rss else ""
    print(f"  {'':<30}{'gross ms':>10}{'net ms':>10}{'cpu net ms':>12}{rss_head}")
    for n in NAMES:
        r = f"{mem[n]:>14.0f}" if show_rss else ""
        print(f"  {LABELS[n]:<30}{gross[n]:>10.3f}{net[n]:>10.3f}{cpu_net[n]:>12.3f}{r}")
    r = f"{ratio(mem['ours-warm'], mem['ecr-warm']):>14.3f}" if show_rss else ""
    print(f"  {'ratio ours-warm / ecr-warm':<30}{ratio(gross['ours-warm'], gross['ecr-warm']):>10.3f}"
          f"{r_net:>10.3f}{ratio(cpu_net['ours-warm'], cpu_net['ecr-warm']):>12.3f}{r}")
    print(f"  ours cold - ours warm (the exchange): {gross['ours-cold'] - gross['ours-warm']:.3f} ms")
    lo, hi = bootstrap(times)
    print(f"  net ratio {r_net:.3f}, bootstrap 95% interval {lo:.3f} .. {hi:.3f}: {verdict(r_net)}")
    for n in NAMES:
        if net[n] <= 0:
            print(f"  note: {n} is not above the baseline (net {net[n]:.3f} ms): its net time "
                  f"is lost in the noise; the ratios say nothing")
    for n in ALL:
        t = times[n]
        m = statistics.median(t)
        mad = statistics.median(abs(x - m) for x in t)
        if m > 0 and mad / m > 0.10:
            print(f"  note: {n} timings are noisy (MAD {100 * mad / m:.0f}% of the median)")
    return r_net

print()
print(f"upbound get benchmark  ({runs} timed runs + {warmup} warmups per command, "
      f"{mem_samples} RSS samples, medians)")
print(f"  ours: {ours_bin}")
print(f"  ecr:  {ecr_bin}")
print()
with open(f"{work}/hyperfine.json") as f:
    hf = {r["command"]: r for r in json.load(f)["results"]}
# cpu: hyperfine's mean user+sys per run (wrapper included)
r_hf = table("hyperfine (one run, four commands side by side):",
             {n: hf[n]["times"] for n in ALL},
             {n: (hf[n]["user"] + hf[n]["system"]) * 1000.0 for n in ALL}, True)
r_il = None
if interleave == "1":
    with open(f"{work}/interleaved.json") as f:
        il = json.load(f)
    print()
    r_il = table("interleaved cross-check (round-robin, random order, python-timed):",
                 {n: il[n]["times"] for n in ALL},
                 {n: statistics.mean(il[n]["cpu"]) * 1000.0 for n in ALL}, False)
print()
print(f"Goal: warm get at most {GOAL} of the ECR helper's time, net of the process-start baseline")
print(f"  hyperfine net ratio {r_hf:.3f}:  {verdict(r_hf)}"
      + (f"   (interleaved: {r_il:.3f}, {verdict(r_il)})" if r_il is not None else ""))
print("  informational: the exit status does not depend on it. On a busy machine the")
print("  ratios move between runs; trust them when both passes agree and no 'noisy' note shows.")
EOF
