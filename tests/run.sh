#!/bin/bash
# The project's single test command (CI: `bash .ci/run`).
#
#   1. run install/install.sh as a newcomer would (it installs its own
#      build dependencies), then install the Debian packages the tests need
#      (skip both with SKIP_APT=1 for quick local runs)
#   2. Release build + unit tests; in the background: the unit tests under
#      valgrind (tests/memcheck.sh, nice 19) and an ASan/UBSan build (nice 10) with
#      clang that also makes the libFuzzer targets; once it is done, its
#      unit tests and a short run of every fuzz target (tests/fuzz/ci.sh)
#      go on in the background beside the sanitizer e2e pass. The Windows
#      part (tests/windows.sh: the MinGW cross build at nice 19, at nice 10
#      once the sanitizer build is done, then its unit tests and
#      tests/e2e/wine_test.sh under wine) runs beside both e2e passes and
#      is collected at the end
#   3. with a private session bus and an unlocked gnome-keyring in a
#      temporary HOME: build/keyring_tests, then every tests/e2e/*_test.sh
#      against build/docker-credential-upbound and again against
#      build-asan/docker-credential-upbound
#      (a /proc sampler and a final scan look for the tests' canary
#      secrets where none may be), then install/demo.sh and the benchmarks
#      as smoke tests
#   4. stop everything that was started (by PID), remove temporary files
#   5. print "N passed, N failed" and exit non-zero if anything failed
#
# Environment knobs (none is set by CI):
#   SKIP_APT=1        do not run apt-get
#   SKIP_ASAN=1       skip the sanitizer build (and the e2e pass using it)
#   SKIP_ASAN_E2E=1   build with sanitizers but run the e2e tests only once
#   SKIP_MEMCHECK=1   do not run the unit tests under valgrind
#   SKIP_FUZZ=1       do not run the fuzz targets
#   SKIP_WINDOWS=1    no Windows cross build, no tests under wine
#   FUZZ_SECONDS=N    seconds per fuzz target (default 10)
#   E2E_ONLY=PATTERN  run only tests/e2e/PATTERN*_test.sh
#   HELPER_BIN=PATH   run the e2e tests against another binary (skips nothing)
#   JOBS=N            build parallelism (default 2)
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
JOBS=${JOBS:-2}
START=$(date +%s)

PASSED=0
FAILED=0
FAILURES=()
pass() { PASSED=$((PASSED + ${2:-1})); }
fail() { FAILED=$((FAILED + ${2:-1})); FAILURES+=("$1"); }
say() { printf '\n=== [%ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' "$*"; }

summary() {
    local secs=$(( $(date +%s) - START ))
    echo
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        echo "=== failures:"
        printf '  - %s\n' "${FAILURES[@]}"
    fi
    echo "=== done in ${secs}s"
    echo "$PASSED passed, $FAILED failed"
}

# ------------------------------------------------------------------ 1. packages
PACKAGES=(cmake g++ make pkg-config libsecret-1-dev libglib2.0-dev nlohmann-json3-dev
    catch2 libcurl4-openssl-dev dbus gnome-keyring libsecret-tools docker-registry skopeo
    golang-go golang-github-docker-docker-credential-helpers-dev golang-golang-x-sys-dev
    golang-docker-credential-helpers amazon-ecr-credential-helper python3 python3-jwt
    python3-cryptography python3-yaml hyperfine time openssl apache2-utils ca-certificates procps curl
    podman buildah containerd valgrind dpkg-dev clang-14 libclang-rt-14-dev
    g++-mingw-w64-x86-64-posix wine64)

if [ "${SKIP_APT:-}" = 1 ]; then
    say "SKIP_APT=1: not installing packages"
else
    # First, what a newcomer runs on a fresh machine: install.sh installs
    # its own build dependencies (the Release build it makes is reused below).
    say "install/install.sh on this machine, before any package is installed"
    # The demo below runs the binary it installed.
    INSTALL_PREFIX=$(mktemp -d "${TMPDIR:-/tmp}/upbound-install.XXXXXX")
    if bash install/install.sh --prefix "$INSTALL_PREFIX" 2>&1; then
        pass "install/install.sh installs its build dependencies, builds and installs"
        INSTALLED_BIN=$INSTALL_PREFIX/bin/docker-credential-upbound
    else
        fail "install/install.sh on this machine"
    fi
    say "installing packages"
    if [ "$(id -u)" != 0 ]; then
        echo "tests/run.sh: must run as root to install packages (or set SKIP_APT=1)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update || { echo "apt-get update failed" >&2; exit 1; }
    apt-get install -y --no-install-recommends "${PACKAGES[@]}" ||
        { echo "apt-get install failed" >&2; exit 1; }
    if ! command -v docker >/dev/null; then
        # only the client is used; no daemon is started
        apt-get install -y --no-install-recommends docker.io ||
            { echo "apt-get install docker.io failed" >&2; exit 1; }
    fi
fi

# ------------------------------------------------------------------ 2. layout, build + unit tests
# The core owns its contracts: nothing under helper/ but main.cpp may include
# platform/ (README, Layout).
say "layout: helper/ includes platform/ only from main.cpp"
LAYOUT_BREAKS=$(grep -rln '#include "platform/' helper --include='*.h' --include='*.cpp' | grep -vx 'helper/main.cpp')
if [ -z "$LAYOUT_BREAKS" ]; then
    pass "layout: helper/ includes no platform/ header outside main.cpp"
else
    fail "layout: helper/ includes platform/ from: $(echo $LAYOUT_BREAKS)"
fi

# ctest_count LOG RC LABEL: count the unit tests of a ctest run from its log
ctest_count() {
    local log=$1 rc=$2 what=$3 line total nfail
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -n "$line" ]; then
        nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
        total=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
        pass "$what" $((total - nfail))
        [ "$nfail" -gt 0 ] && fail "$what: $nfail of $total unit tests failed" "$nfail"
        [ "$rc" != 0 ] && [ "$nfail" = 0 ] && fail "$what: ctest exited $rc"
    elif [ "$rc" = 0 ]; then
        pass "$what"
    else
        fail "$what: ctest exited $rc (no unit tests labelled 'unit'?)"
    fi
    return "$rc"
}

# ctest_run DIR LABEL: run the unit tests in DIR and count them
ctest_run() {
    local dir=$1 what=$2 log rc
    log=$(mktemp)
    ctest --test-dir "$dir" --output-on-failure --no-tests=error -L unit 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    ctest_count "$log" "$rc" "$what"
    rc=$?
    rm -f "$log"
    return "$rc"
}

BUILD_OK=0
say "Release build"
if cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDCU_TESTS=ON && cmake --build build -j"$JOBS"; then
    BUILD_OK=1
    pass "release build"
    # --- memcheck (issue 10, item 6): the unit tests under valgrind, in the
    # background at nice 19 (mostly an idle core while the e2e scripts wait
    # on services); its result is collected after the e2e passes.
    if [ "${SKIP_MEMCHECK:-}" != 1 ]; then
        MEMCHECK_OUT=$(mktemp "${TMPDIR:-/tmp}/upbound-memcheck.XXXXXX")
        nice -n 19 bash tests/memcheck.sh --log "$MEMCHECK_OUT.valgrind" >"$MEMCHECK_OUT" 2>&1 &
        MEMCHECK_PID=$!
        say "memcheck: unit tests under valgrind, started in the background at nice 19"
    fi
    # --- end memcheck
else
    fail "release build"
fi

# The sanitizer build runs in the background at nice 10 while the Release
# binary's tests (mostly waiting on services and clients) run: it takes the
# idle core instead of four minutes of its own, ahead of the nice-19 jobs
# (memcheck, the Windows build), since the second e2e pass waits for it.
ASAN_BUILD_PID=
if [ "${SKIP_ASAN:-}" = 1 ]; then
    say "SKIP_ASAN=1: no sanitizer build"
else
    # clang, so that the same build also makes the libFuzzer targets
    # (tests/fuzz/): the helper and unit_tests link the sanitizer runtime
    # only, which answers the coverage hooks (CMakeLists.txt, DCU_FUZZ).
    say "sanitizer build (clang, ASan+UBSan, with the fuzz targets): started in the background, at nice 10"
    ASAN_BUILD_LOG=$(mktemp "${TMPDIR:-/tmp}/upbound-asan-build.XXXXXX")
    FUZZ_TARGETS=$(for f in tests/fuzz/*_fuzz.cpp; do basename "$f" .cpp; done)
    if CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON \
        -DDCU_FUZZ=ON -DDCU_TESTS=ON >"$ASAN_BUILD_LOG" 2>&1; then
        nice -n 10 cmake --build build-asan -j"$JOBS" --target docker-credential-upbound unit_tests \
            $FUZZ_TARGETS >>"$ASAN_BUILD_LOG" 2>&1 &
        ASAN_BUILD_PID=$!
    else
        cat "$ASAN_BUILD_LOG"
        fail "sanitizer build: cmake"
    fi
fi

# The Release unit tests run once the background builds have started:
# their 15 s are mostly waits (timeouts, loopback servers) those fill.
if [ "$BUILD_OK" = 1 ]; then
    say "unit tests (Release)"
    ctest_run build "unit tests (Release)"
fi

# asan_build_finish: wait for the background sanitizer build, then start
# its unit tests and the short fuzzing run in the background (both
# collected by asan_collect); false when there is no sanitizer binary.
ASAN_UNIT_PID=
FUZZ_PID=
asan_build_finish() {
    [ -n "$ASAN_BUILD_PID" ] || return 1
    say "sanitizer build: waiting for it to finish"
    if wait "$ASAN_BUILD_PID"; then
        ASAN_BUILD_PID=
        tail -3 "$ASAN_BUILD_LOG"
        rm -f "$ASAN_BUILD_LOG"
        pass "sanitizer build"
        # Mostly waiting (locks, timeouts): it runs beside the e2e pass.
        say "unit tests (sanitizers): started in the background"
        ASAN_UNIT_LOG=$TMP_ROOT/asan-unit.log
        (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
            UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
            ctest --test-dir build-asan --output-on-failure --no-tests=error -L unit \
            >"$ASAN_UNIT_LOG" 2>&1; echo $? >"$ASAN_UNIT_LOG.rc") &
        ASAN_UNIT_PID=$!
        if [ "${SKIP_FUZZ:-}" != 1 ]; then
            say "fuzz: every target for ${FUZZ_SECONDS:-10} s, one at a time, in the background at nice 19"
            FUZZ_LOG=$TMP_ROOT/fuzz.log
            nice -n 19 bash tests/fuzz/ci.sh build-asan >"$FUZZ_LOG" 2>&1 &
            FUZZ_PID=$!
        fi
        return 0
    fi
    ASAN_BUILD_PID=
    grep -E -m20 'error|Error' "$ASAN_BUILD_LOG"
    fail "sanitizer build"
    return 1
}

# asan_collect: the results of what asan_build_finish started
asan_collect() {
    if [ -n "$ASAN_UNIT_PID" ]; then
        say "unit tests (sanitizers): collecting"
        wait "$ASAN_UNIT_PID"
        ASAN_UNIT_PID=
        cat "$ASAN_UNIT_LOG"
        ctest_count "$ASAN_UNIT_LOG" "$(cat "$ASAN_UNIT_LOG.rc" 2>/dev/null || echo 1)" "unit tests (sanitizers)"
    fi
    if [ -n "$FUZZ_PID" ]; then
        say "fuzz: collecting"
        wait "$FUZZ_PID"
        FUZZ_PID=
        local line
        while IFS= read -r line; do
            echo "$line"
            case $line in
                "fuzz/"*": "*" runs, no finding") pass "${line%%:*}" ;;
                "fuzz/"*"not run"*) echo "    (not counted)" ;;
                "fuzz/"*) fail "$line" ;;
            esac
        done <"$FUZZ_LOG"
        grep -q '^fuzz/' "$FUZZ_LOG" || { cat "$FUZZ_LOG"; fail "fuzz: tests/fuzz/ci.sh printed no result"; }
    fi
}

HELPER_BIN=${HELPER_BIN:-$REPO/build/docker-credential-upbound}
if [ ! -x "$HELPER_BIN" ]; then
    [ -n "$ASAN_BUILD_PID" ] && { pkill -TERM -P "$ASAN_BUILD_PID"; kill "$ASAN_BUILD_PID"; } 2>/dev/null
    [ -n "${MEMCHECK_PID:-}" ] && { pkill -TERM -P "$MEMCHECK_PID"; kill "$MEMCHECK_PID"; } 2>/dev/null
    fail "helper binary $HELPER_BIN missing: e2e tests not run"
    summary
    exit 1
fi

# ------------------------------------------------------------------ 3. services + e2e
unset SERVICES_PIDS
. "$REPO/tests/lib/services.sh"
. "$REPO/tests/windows.sh"
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/upbound-tests.XXXXXX")
cleanup() {
    if [ -n "${MEMCHECK_PID:-}" ]; then
        pkill -TERM -P "$MEMCHECK_PID" 2>/dev/null
        kill "$MEMCHECK_PID" 2>/dev/null
        wait "$MEMCHECK_PID" 2>/dev/null
        MEMCHECK_PID=
        rm -f "$MEMCHECK_OUT" "$MEMCHECK_OUT".valgrind*
    fi
    if [ -n "${HYGIENE_SAMPLER_PID:-}" ]; then
        kill "$HYGIENE_SAMPLER_PID" 2>/dev/null
        wait "$HYGIENE_SAMPLER_PID" 2>/dev/null
        HYGIENE_SAMPLER_PID=
    fi
    local p
    for p in ${ASAN_UNIT_PID:-} ${FUZZ_PID:-}; do   # their children first
        pkill -TERM -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
    done
    ASAN_UNIT_PID= FUZZ_PID=
    if [ -n "${ASAN_BUILD_PID:-}" ]; then
        pkill -TERM -P "$ASAN_BUILD_PID" 2>/dev/null
        kill "$ASAN_BUILD_PID" 2>/dev/null
        wait "$ASAN_BUILD_PID" 2>/dev/null
        ASAN_BUILD_PID=
    fi
    windows_stop
    stop_services
    [ -n "${TMP_ROOT:-}" ] && rm -rf "$TMP_ROOT"
    [ -n "${INSTALL_PREFIX:-}" ] && rm -rf "$INSTALL_PREFIX"
    TMP_ROOT=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a private session bus and gnome-keyring in $TMP_ROOT"
make_test_home "$TMP_ROOT/env"
export TMPDIR="$TMP_ROOT/tmp"
mkdir -p "$TMPDIR"
if ! { start_session_bus "$TMP_ROOT/env/bus" && start_keyring "$TMP_ROOT/env/keyring"; }; then
    fail "start session bus and gnome-keyring"
    cleanup
    summary
    exit 1
fi
pass "start session bus and gnome-keyring"
export E2E_HAVE_SERVICES=1 REPO HELPER_BIN
export PATH="$(dirname "$HELPER_BIN"):$PATH"
echo "helper: $HELPER_BIN"
echo "docker-credential-upbound on PATH: $(command -v docker-credential-upbound)"

# keyring_tests: Catch2 binary that needs the real keyring
KT=$REPO/build/keyring_tests
if [ -x "$KT" ]; then
    say "keyring tests ($KT)"
    (cd "$TMP_ROOT" && timeout 300 "$KT") 2>&1 | tee "$TMP_ROOT/keyring_tests.log"
    rc=${PIPESTATUS[0]}
    # Catch2 v2/v3 summaries:
    #   "All tests passed (N assertions in M test cases)"
    #   "test cases: M | P passed | F failed"
    line=$(grep -E '^(All tests passed|test cases:)' "$TMP_ROOT/keyring_tests.log" | tail -1)
    if [[ $line =~ ^All\ tests\ passed.*\ in\ ([0-9]+)\ test\ case ]]; then
        pass "keyring tests" "${BASH_REMATCH[1]}"
        [ "$rc" != 0 ] && fail "keyring_tests exited $rc"
    elif [[ $line =~ ^test\ cases:\ *([0-9]+)\ \|\ ([0-9]+)\ passed\ \|\ ([0-9]+)\ failed ]]; then
        pass "keyring tests" "${BASH_REMATCH[2]}"
        fail "keyring_tests: ${BASH_REMATCH[3]} of ${BASH_REMATCH[1]} test cases failed" "${BASH_REMATCH[3]}"
    elif [[ $line =~ ^test\ cases:\ *([0-9]+)\ \|\ ([0-9]+)\ failed ]]; then
        fail "keyring_tests: all ${BASH_REMATCH[2]} test cases failed" "${BASH_REMATCH[2]}"
    elif [ "$rc" = 0 ]; then
        pass "keyring tests"
    else
        fail "keyring_tests exited $rc"
    fi
else
    loud "build/keyring_tests DOES NOT EXIST: the keyring unit tests were NOT run"
fi

# e2e scripts: against the Release binary, then again against the
# sanitizer build's binary (any ASan/UBSan/LSan report fails the check)
run_e2e() { # run_e2e PREFIX HELPER_BIN SCRIPTS [ENV=VALUE...]
    local prefix=$1 bin=$2 scripts=$3 script name log rc p f
    shift 3
    for script in $scripts; do
        [ -f "$script" ] || continue
        name=$prefix$(basename "$script" .sh)
        say "e2e: $name"
        log="$TMP_ROOT/${name//\//_}.log"
        # the script's CPU time (its own and its children's, from bash's
        # `times`) is printed after it: CI's budget is two cores' time
        env HELPER_BIN="$bin" "$@" timeout 420 bash -c 'bash "$1"; rc=$?; times >"$2"; exit $rc' \
            e2e "$script" "$log.cpu" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        [ -s "$log.cpu" ] && awk -v n="$name" 'NR == 2 { gsub(/[ms]/, " "); \
            printf "# %s: %.1f CPU-s\n", n, $1 * 60 + $2 + $3 * 60 + $4 }' "$log.cpu"
        p=$(grep -c '^ok - ' "$log")
        f=$(grep -c '^not ok - ' "$log")
        pass "$name" "$p"
        if [ "$f" -gt 0 ]; then
            fail "$name: $f checks failed:" "$f"
            while IFS= read -r l; do FAILURES+=("    $l"); done < <(grep '^not ok - ' "$log")
        fi
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
            fail "$name exited $rc without a failed check$([ "$rc" = 124 ] && echo ' (timed out)')"
        elif [ "$rc" = 0 ] && [ "$f" -gt 0 ]; then
            fail "$name exited 0 despite failed checks"
        fi
    done
}
# wine_test drives the Windows build: tests/windows.sh runs it
E2E_SCRIPTS=$(ls "$REPO"/tests/e2e/${E2E_ONLY:-}*_test.sh | grep -v '/wine_test\.sh$')

# --- secret hygiene (issue 10, item 5): every secret an e2e script
# remembers is also a canary in $E2E_CANARY_FILE; a sampler reads
# /proc/*/cmdline and /proc/*/environ while the scripts run, and the final
# scan (below, after both passes) checks files, logs, modes and cores.
# tests/lib/canary_scan.py states the rule.
HYGIENE_SINCE=$(date +%s)
E2E_CANARY_FILE=$TMP_ROOT/canaries
( umask 077; : >"$E2E_CANARY_FILE" )
export E2E_CANARY_FILE
ulimit -S -c unlimited 2>/dev/null   # a crash leaves a core for the scan to find
/usr/bin/python3 "$REPO/tests/lib/canary_scan.py" sample --canaries "$E2E_CANARY_FILE" \
    --out "$TMP_ROOT/hygiene.findings" --stats "$TMP_ROOT/hygiene.stats" </dev/null &
HYGIENE_SAMPLER_PID=$!
# --- end secret hygiene

# The Windows part (tests/windows.sh): its build beside both e2e passes.
windows_start
run_e2e "" "$HELPER_BIN" "$REPO/tests/upbound/standin_test.sh $E2E_SCRIPTS"
# The sanitizer pass skips what only repeats the same helper paths more
# slowly (skopeo's copies, the concurrency storm), to keep CI short.
# docker_cli, podman and go_client drive the same store/get/erase/list
# paths as protocol_test through real clients; install_test tests packaging.
# crash_safety and load repeat get and store thousands of times, paths
# the other scripts take under the sanitizers too; keyring_scale's
# thousand items go through the D-Bus reader that protocol_test and the
# dbus_message and secret_service fuzz targets check under the sanitizers.
# fault_matrix's error paths (HTTP faults, retries, TLS refusals) are the
# exchange, retry, token_service and http_headers fuzz targets' under the
# sanitizers, through the real HttpClient; its 90 s, mostly spent waiting
# for timeouts, went to CI's time budget for the Windows part, and so did
# upbound_test's skopeo copies: its exchanges run under the sanitizers in
# login_test, upbound_direct_test and kubelet_test.
ASAN_SCRIPTS=$(printf '%s\n' $E2E_SCRIPTS | grep -v -e skopeo_test -e concurrency_test \
    -e buildah_test -e cross_client_test -e keyring_stress_test -e install_test \
    -e docker_cli_test -e podman_test -e go_client_test -e canary_selftest_test \
    -e crash_safety_test -e load_test -e keyring_scale_test -e fault_matrix_test -e '/upbound_test')
ASAN_BIN=$REPO/build-asan/docker-credential-upbound
ASAN_READY=0
asan_build_finish && ASAN_READY=1
windows_sooner
if [ "$ASAN_READY" = 1 ] && [ "${SKIP_ASAN_E2E:-}" != 1 ] && [ -x "$ASAN_BIN" ]; then
    : >"$TMP_ROOT/asan-commands"
    run_e2e "asan/" "$ASAN_BIN" "$ASAN_SCRIPTS" E2E_SANITIZER=1 \
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        E2E_COMMANDS_FILE="$TMP_ROOT/asan-commands"
    # every command of --help ran at least once against the sanitizer build
    # (skipped when E2E_ONLY picks a few scripts)
    if [ -z "${E2E_ONLY:-}" ]; then
        ASAN_MISSING=$("$ASAN_BIN" --help 2>&1 | awk '/^Commands:|^Credential-helper protocol/ {on=1; next}
            /^$/ {on=0} on && $1 ~ /^[a-z]+$/ {print $1}' | grep -vxF -f "$TMP_ROOT/asan-commands")
        if [ -z "$ASAN_MISSING" ]; then
            pass "sanitizer pass: every command of --help ran"
        else
            fail "sanitizer pass: never ran: $(echo $ASAN_MISSING)"
        fi
    fi
fi

asan_collect

# --- secret hygiene: stop the sampler (by PID), report it, scan the run's
# files: the test HOME and XDG dirs, the run's logs and temporary files
# (all under $TMP_ROOT), files created in /tmp and /var/tmp during the run,
# core files in the working directory.
hygiene_tap() { # count the TAP lines of a hygiene check
    local line
    while IFS= read -r line; do
        echo "$line"
        case $line in
            "ok - "*) pass "${line#ok - }" ;;
            "not ok - "*) fail "${line#not ok - }" ;;
        esac
    done
}
say "secret hygiene: /proc sampler and final scan"
kill "$HYGIENE_SAMPLER_PID" 2>/dev/null
wait "$HYGIENE_SAMPLER_PID" 2>/dev/null
HYGIENE_SAMPLER_PID=
hygiene_tap < <(/usr/bin/python3 "$REPO/tests/lib/canary_scan.py" report \
    --out "$TMP_ROOT/hygiene.findings" --stats "$TMP_ROOT/hygiene.stats")
HYGIENE_SCRATCH=()
for d in "$TMPDIR"/e2e-*; do [ -d "$d" ] && HYGIENE_SCRATCH+=(--scratch "$d"); done  # left by a killed script
hygiene_tap < <(/usr/bin/python3 "$REPO/tests/lib/canary_scan.py" scan --name "whole run" \
    --canaries "$E2E_CANARY_FILE" --root "$TMP_ROOT" "${HYGIENE_SCRATCH[@]}" \
    --new-root /tmp --new-root /var/tmp --since "$HYGIENE_SINCE" --core-dir "$REPO" --core-dir "$PWD")
# --- end secret hygiene

# --- memcheck: collect the background run (started after the unit tests)
if [ -n "${MEMCHECK_PID:-}" ]; then
    say "memcheck: waiting for valgrind"
    wait "$MEMCHECK_PID"
    MEMCHECK_PID=
    hygiene_tap <"$MEMCHECK_OUT"
    grep -q '^\(not \)\?ok - ' "$MEMCHECK_OUT" || fail "memcheck: tests/memcheck.sh printed no result"
    rm -f "$MEMCHECK_OUT" "$MEMCHECK_OUT".valgrind*
fi
# --- end memcheck

# The README's first command, as a newcomer runs it (its own keyring,
# stand-in and registry; it stops them itself).
say "install/demo.sh"
DEMO_LOG=$TMP_ROOT/demo.log
DEMO_BIN=${INSTALLED_BIN:-$HELPER_BIN} timeout 300 bash "$REPO/install/demo.sh" 2>&1 | tee "$DEMO_LOG"
if [ "${PIPESTATUS[0]}" = 0 ] && grep -q '^demo.sh: every step worked$' "$DEMO_LOG"; then
    pass "install/demo.sh: every step worked"
else
    fail "install/demo.sh"
fi

# Benchmarks as smoke tests: they must run and see the right credentials;
# their timings are not judged here.
for bench in "$REPO"/tests/bench/*.sh; do
    [ "$(basename "$bench")" = lib.sh ] && continue   # shared functions, not a benchmark
    name=bench/$(basename "$bench" .sh)
    say "$name (BENCH_QUICK=1)"
    if BENCH_QUICK=1 timeout 300 bash "$bench" "$HELPER_BIN"; then
        pass "$name runs"
    else
        fail "$name failed"
    fi
done

windows_collect

# ------------------------------------------------------------------ 4./5.
cleanup
summary
[ "$FAILED" -eq 0 ]
