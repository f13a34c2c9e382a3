# Shared helpers for the end-to-end scripts in tests/e2e/. Source it first.
#
# Environment (set by tests/run.sh; defaults let a script run on its own):
#   REPO          repository root
#   HELPER_BIN    the docker-credential-upbound binary under test
#   E2E_HAVE_SERVICES=1
#                 a private session bus and an unlocked gnome-keyring are
#                 already running (run.sh started them); otherwise this file
#                 starts its own in a temporary HOME and stops them on exit.
#
# Output: one line per check, "ok - ..." or "not ok - ...", diagnostics
# prefixed with "#". e2e_finish prints a count and exits non-zero on failure.
#
# Test secrets are never passed in argv: helper input goes through a pipe
# from the printf builtin, expectations through the environment of short
# python3 processes, and mismatches are reported without the secret values.

set -u

E2E_NAME=$(basename "$0" .sh)
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HELPER_BIN=${HELPER_BIN:-$REPO/build/docker-credential-upbound}
export REPO HELPER_BIN

# Never inherit (and then kill) another process's list of services.
unset SERVICES_PIDS
. "$REPO/tests/lib/services.sh"

# Debian's python3 (a pyenv shim on a developer machine costs ~0.3 s a call)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/e2e-$E2E_NAME.XXXXXX")
E2E_RESULTS=$E2E_TMP/results
E2E_STDERR_ALL=$E2E_TMP/helper-stderr     # stderr of every helper call
E2E_SECRETS=$E2E_TMP/secrets              # secrets that must never leak
: >"$E2E_RESULTS"
: >"$E2E_STDERR_ALL"
: >"$E2E_SECRETS"
chmod 0700 "$E2E_TMP"

E2E_CLEANUP_FUNCS=""
# e2e_on_exit FUNC: run FUNC (before services are stopped) when the script exits
e2e_on_exit() { E2E_CLEANUP_FUNCS="$1 $E2E_CLEANUP_FUNCS"; }

# e2e_clean_env [NAME...]: the helper sees only what the script sets, none
# of the caller's Upbound or helper settings (nor NAME...)
e2e_clean_env() {
    unset UP_DOMAIN UP_PROFILE UP_ROBOT_TOKEN UP_ROBOT_TOKEN_FILE UP_ROBOT_ACCESS_ID UP_ORGANIZATION \
        UP_CA_BUNDLE UP_DEBUG DOCKER_CREDENTIAL_UPBOUND_EXCHANGE DOCKER_CREDENTIAL_UPBOUND_TIMEOUT \
        DOCKER_CREDENTIAL_UPBOUND_SESSION_LIFETIME DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR \
        DOCKER_CREDENTIAL_UPBOUND_VERIFY "$@"
}

e2e_cleanup() {
    local f
    for f in $E2E_CLEANUP_FUNCS; do "$f" || true; done
    stop_services
    rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

if [ "${E2E_HAVE_SERVICES:-}" != 1 ]; then
    make_test_home "$E2E_TMP/env"
    start_session_bus "$E2E_TMP/env/bus" || exit 1
    start_keyring "$E2E_TMP/env/keyring" || exit 1
fi

# Each script gets its own Docker config directory.
export DOCKER_CONFIG=$E2E_TMP/docker
mkdir -p "$DOCKER_CONFIG"
unset REGISTRY_AUTH_FILE
HELPER_DIR=$(dirname "$HELPER_BIN")
export PATH="$HELPER_DIR:$PATH"

if [ ! -x "$HELPER_BIN" ]; then
    echo "not ok - helper binary $HELPER_BIN exists and is executable"
    echo F >>"$E2E_RESULTS"
    exit 1
fi

# ---------------------------------------------------------------- reporting

diag() { printf '#   %s\n' "$*"; }
ok() { printf 'ok - %s\n' "$*"; echo P >>"$E2E_RESULTS"; }
not_ok() { printf 'not ok - %s\n' "$*"; echo F >>"$E2E_RESULTS"; }

# check DESC CMD...: ok when CMD succeeds
check() {
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; return 1; fi
}

# check_eq DESC EXPECTED GOT (never use it for values that contain secrets)
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; return 0; fi
    not_ok "$1"
    diag "expected: $(printf '%q' "$2")"
    diag "got:      $(printf '%q' "$3")"
    return 1
}

e2e_finish() {
    e2e_check_no_secret_leak
    e2e_hygiene_scan
    # which commands this script ran (tests/run.sh checks that the sanitizer
    # pass runs every command of --help)
    if [ -n "${E2E_COMMANDS_FILE:-}" ] && [ -f "$E2E_TMP/helper-argv.log" ]; then
        awk '{for (i = 1; i <= NF; i++) if ($i !~ /^-/) {print $i; break}}' \
            "$E2E_TMP/helper-argv.log" | sort -u >>"$E2E_COMMANDS_FILE"
    fi
    if [ "${E2E_SANITIZER:-}" = 1 ]; then
        if grep -qE 'Sanitizer|runtime error:' "$E2E_STDERR_ALL"; then
            not_ok "$E2E_NAME: no sanitizer report on the helper's stderr"
            grep -E -m5 'Sanitizer|runtime error:' "$E2E_STDERR_ALL" | sed 's/^/#   /'
        else
            ok "$E2E_NAME: no sanitizer report on the helper's stderr"
        fi
    fi
    local p f
    p=$(grep -c '^P$' "$E2E_RESULTS")
    f=$(grep -c '^F$' "$E2E_RESULTS")
    echo "# $E2E_NAME: $p passed, $f failed"
    [ "$f" -eq 0 ]
    exit $?
}

# ---------------------------------------------------------------- helper calls

# remember_secret VALUE: a secret that must never show up on stderr, in a
# log, in argv or a stray file: also a canary of the run-wide hygiene checks
# (tests/lib/canary_scan.py) when tests/run.sh exports E2E_CANARY_FILE.
remember_secret() {
    printf '%s\n' "$1" >>"$E2E_SECRETS"
    [ -n "${E2E_CANARY_FILE:-}" ] && printf '%s\n' "$1" >>"$E2E_CANARY_FILE"
    return 0
}

# file_has_secret FILE VALUE...: whether FILE holds any VALUE. The values
# reach grep through a pipe, never its argv, where the hygiene sampler
# (and anyone running ps) would see them.
file_has_secret() {
    local file=$1; shift
    printf '%s\n' "$@" | grep -qF -f - "$file"
}

# _remember_printed TEXT: every credential the helper printed (a Secret of
# get, a password of the kubelet mode) is a secret too. Bash pattern
# matching only: no process, no argv.
_remember_printed() {
    local rest=${1:0:65536}
    while [[ $rest =~ \"(Secret|password)\":\ ?\"([^\"\\]+)\" ]]; do
        # short ones are protocol tests' placeholders ("x"), not credentials
        [ "${#BASH_REMATCH[2]}" -ge 8 ] && remember_secret "${BASH_REMATCH[2]}"
        rest=${rest#*"${BASH_REMATCH[0]}"}
    done
}

# e2e_hygiene_scan: the files this script leaves in $E2E_TMP (its logs, the
# helper's stderr, client configuration, the cache) hold no canary outside
# the allowed places, cache files are 0600 in 0700 directories, no core
# file (tests/lib/canary_scan.py states the rule). One check each.
e2e_hygiene_scan() {
    local line args=(--canaries "$E2E_SECRETS" --scratch "$E2E_TMP" --name "$E2E_NAME")
    if [ -n "${E2E_CANARY_FILE:-}" ]; then
        args+=(--canaries "$E2E_CANARY_FILE" --add-to "$E2E_CANARY_FILE")
    fi
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok "${line#ok - }" ;;
            "not ok - "*) not_ok "${line#not ok - }" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < <("$PY" "$REPO/tests/lib/canary_scan.py" scan "${args[@]}" 2>&1)
}

e2e_check_no_secret_leak() {
    if [ ! -s "$E2E_SECRETS" ]; then return 0; fi
    if grep -qF -f "$E2E_SECRETS" "$E2E_STDERR_ALL"; then
        not_ok "$E2E_NAME: no test secret appears on the helper's stderr"
    else
        ok "$E2E_NAME: no test secret appears on the helper's stderr ($(wc -l <"$E2E_STDERR_ALL") lines checked)"
    fi
}

# hcall ACTION [INPUT]: run the helper with INPUT (exactly, no newline added)
# on stdin; INPUT absent means stdin is /dev/null. Sets H_RC, H_OUT (stdout,
# trailing newlines stripped), H_ERR, H_LINES (number of stdout lines) and
# H_SECS (elapsed seconds, decimal). Files: $E2E_TMP/h.out, $E2E_TMP/h.err.
# Optional: HCALL_TIMEOUT (default 10), HCALL_BIN (default $HELPER_BIN).
hcall() {
    local action=$1
    if [ $# -ge 2 ]; then
        _hcall_run "$action" < <(printf '%s' "$2" 2>/dev/null)
    else
        _hcall_run "$action" </dev/null
    fi
}

# hcall_file ACTION FILE: like hcall with stdin from FILE
hcall_file() { _hcall_run "$1" <"$2"; }

# hcall_argv ARGS...: run the helper with arbitrary arguments, stdin /dev/null
hcall_argv() { _hcall_run "$@" </dev/null; }

# _hcall_run ARGS...: run the helper with ARGS and the caller's stdin
_hcall_run() {
    local t0 t1
    # every argv the helper gets, for the hygiene scan (a canary in a *.log
    # of $E2E_TMP fails it): deterministic where the /proc sampler samples
    printf '%s\n' "$*" >>"$E2E_TMP/helper-argv.log"
    t0=$(date +%s.%N)
    timeout "${HCALL_TIMEOUT:-10}" "${HCALL_BIN:-$HELPER_BIN}" "$@" \
        >"$E2E_TMP/h.out" 2>"$E2E_TMP/h.err"
    H_RC=$?
    t1=$(date +%s.%N)
    _hcall_finish "$t0" "$t1"
}

_hcall_finish() {
    H_SECS=$(awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b-a}')
    H_OUT=$(cat "$E2E_TMP/h.out")
    H_ERR=$(cat "$E2E_TMP/h.err")
    H_LINES=$(awk 'END{print NR}' "$E2E_TMP/h.out")
    cat "$E2E_TMP/h.err" >>"$E2E_STDERR_ALL"
    [[ $H_OUT == *\"* ]] && _remember_printed "$H_OUT"
    if [ "$H_RC" = 124 ]; then diag "helper call timed out (${HCALL_TIMEOUT:-10}s)"; fi
}

# describe the last call for diagnostics (stdout is shown only when asked,
# since it may carry a secret)
h_diag() {
    diag "exit=$H_RC lines=$H_LINES secs=$H_SECS"
    [ "${1:-}" = out ] && diag "stdout: $(printf '%q' "$H_OUT")"
    [ -n "$H_ERR" ] && diag "stderr: $(printf '%q' "$(head -c 400 "$E2E_TMP/h.err")")"
    return 0
}

# json_str VALUE: VALUE as a JSON string literal
json_str() {
    case $1 in
        *[!\ -~]*) ;;                      # not plain printable ASCII: python
        *)  local v=${1//\\/\\\\}
            v=${v//\"/\\\"}
            printf '"%s"\n' "$v"; return ;;
    esac
    "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.buffer.read().decode("utf-8", "surrogateescape")))' \
        < <(printf '%s' "$1")
}

# store_ok DESC URL USER SECRET: store must exit 0 with empty stdout
store_ok() {
    local desc=$1
    remember_secret "$4"
    hcall store "{\"ServerURL\":$(json_str "$2"),\"Username\":$(json_str "$3"),\"Secret\":$(json_str "$4")}"
    if [ "$H_RC" = 0 ] && [ -z "$H_OUT" ]; then ok "$desc"; return 0; fi
    not_ok "$desc"; h_diag out; return 1
}

# erase_ok DESC URL: erase must exit 0 with empty stdout
erase_ok() {
    hcall erase "$2"
    if [ "$H_RC" = 0 ] && [ -z "$H_OUT" ]; then ok "$1"; return 0; fi
    not_ok "$1"; h_diag out; return 1
}

# get_is DESC URL USER SECRET: get URL must exit 0 and print exactly one line,
# a JSON object {"ServerURL":URL,"Username":USER,"Secret":SECRET}.
get_is() {
    local desc=$1 why
    hcall get "$2"
    if [ "$H_RC" != 0 ]; then
        not_ok "$desc"; h_diag out; return 1
    fi
    why=$(E_URL=$2 E_USER=$3 "$PY" - "$E2E_TMP/h.out" 3< <(printf '%s' "$4") <<'EOF'
import json, os, sys
secret = os.fdopen(3, encoding="utf-8", errors="surrogateescape").read()
raw = open(sys.argv[1], "rb").read()
if raw.count(b"\n") != 1 or not raw.endswith(b"\n"):
    print("stdout is not exactly one newline-terminated line"); sys.exit()
try:
    d = json.loads(raw)
except Exception as e:
    print("stdout is not JSON: %s" % type(e).__name__); sys.exit()
if not isinstance(d, dict):
    print("stdout is not a JSON object"); sys.exit()
bad = []
if d.get("ServerURL") != os.environ["E_URL"]:
    bad.append("ServerURL=%r" % (d.get("ServerURL"),))
if d.get("Username") != os.environ["E_USER"]:
    bad.append("Username=%r" % (d.get("Username"),))
if d.get("Secret") != secret:
    bad.append("Secret differs (%s)" % ("missing" if "Secret" not in d else "len %d" % len(d["Secret"])))
if bad:
    print("; ".join(bad))
EOF
)
    if [ -z "$why" ]; then ok "$desc"; return 0; fi
    not_ok "$desc"; diag "$why"; h_diag; return 1
}

NOT_FOUND="credentials not found in native keychain"

# get_absent DESC URL: get must print exactly the not-found message, exit 1
get_absent() {
    hcall get "$2"
    if [ "$H_RC" = 1 ] && [ "$H_OUT" = "$NOT_FOUND" ] && [ "$H_LINES" = 1 ]; then
        ok "$1"; return 0
    fi
    not_ok "$1"; h_diag out; return 1
}

# list_get KEY: run list, print the username for KEY (exit 1 when absent,
# exit 2 when list failed or printed something other than a JSON object of
# strings). The list output itself is in $E2E_TMP/list.json.
list_get() {
    hcall list "unused"
    cp "$E2E_TMP/h.out" "$E2E_TMP/list.json"
    [ "$H_RC" = 0 ] || return 2
    K=$1 "$PY" - "$E2E_TMP/list.json" <<'EOF'
import json, os, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(2)
if not isinstance(d, dict) or not all(isinstance(v, str) for v in d.values()):
    sys.exit(2)
k = os.environ["K"]
if k not in d:
    sys.exit(1)
print(d[k])
EOF
}

# list_keys: print every key of the last list_get output, one per line
list_keys() {
    "$PY" -c 'import json,sys; [print(k) for k in json.load(open(sys.argv[1]))]' "$E2E_TMP/list.json"
}

# count_items ATTR VALUE...: number of keyring items matching all attributes
# (secret-tool prints one "[/org/freedesktop/secrets/collection/...]" line each)
count_items() {
    timeout 10 secret-tool search --all "$@" 2>/dev/null </dev/null | grep -c '^\[/' || true
}

# count_ours SERVER / count_legacy SERVER
count_ours() { count_items xdg:schema io.upbound.Credentials server "$1"; }
count_legacy() { count_items xdg:schema io.docker.Credentials server "$1"; }

# legacy_store URL USER SECRET: store with docker-credential-secretservice
LEGACY_BIN=${LEGACY_BIN:-/usr/bin/docker-credential-secretservice}
legacy_store() {
    remember_secret "$3"
    { printf '{"ServerURL":%s,"Username":%s,"Secret":%s}' \
        "$(json_str "$1")" "$(json_str "$2")" "$(json_str "$3")"; } |
        timeout 10 "$LEGACY_BIN" store >"$E2E_TMP/legacy.out" 2>&1
}

# elapsed_under SECS: last helper call took less than SECS seconds
elapsed_under() { awk -v s="$H_SECS" -v m="$1" 'BEGIN{exit !(s < m)}'; }

# start_keyring_with_legacy DIR COUNT PREFIX: a private session bus and
# gnome-keyring in DIR (HOME and XDG_* move there too) whose "legacyscale"
# collection already holds COUNT items of docker-credential-secretservice
# (tests/platform/secret_service/legacy_items.py: key PREFIX<i>.example,
# username user<i>, secret secret-<i>), unlocked. Stopped with the others.
start_keyring_with_legacy() {
    local dir=$1 count=$2 prefix=$3 tool=$REPO/tests/platform/secret_service/legacy_items.py
    make_test_home "$dir" || return 1
    mkdir -p "$XDG_DATA_HOME/keyrings"
    "$PY" "$tool" keyring "$XDG_DATA_HOME/keyrings/legacyscale.keyring" "$count" "$prefix" || return 1
    start_session_bus "$dir/bus" || return 1
    start_keyring "$dir/keyring" || return 1
    timeout 60 "$PY" "$tool" unlock legacyscale
}

# go_build_offline DESC DIR OUT: build the Go program in $REPO/tests/e2e/DIR
# (main.go) into OUT, offline in GOPATH mode with Debian's Go sources
# (/usr/share/gocode) on the path; one check named DESC, and the script
# ends there when the build fails.
go_build_offline() {
    local desc=$1 dir=$2 out=$3 gopath=$E2E_TMP/gopath pkg=upbound.test/e2e/$2
    mkdir -p "$gopath/src/$pkg"
    cp "$REPO/tests/e2e/$dir/main.go" "$gopath/src/$pkg/"
    if (cd "$gopath/src" &&
        GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOPROXY=off GOFLAGS= \
        GOCACHE="$E2E_TMP/gocache" CGO_ENABLED=0 \
        timeout 300 go build -o "$out" "./$pkg") >"$E2E_TMP/go-build.log" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
        sed 's/^/#   /' "$E2E_TMP/go-build.log"
        e2e_finish
    fi
}
