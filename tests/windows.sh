# The Windows part of tests/run.sh (sourced by it): the MinGW cross build
# of docker-credential-upbound.exe and unit_tests.exe, then, under wine with
# one wineserver for the whole run, the unit tests and tests/e2e/wine_test.sh.
# It runs in the background and is collected at the end of the run: the
# build at nice 19 beside the first e2e pass (behind the sanitizer build at
# nice 10, which the second pass waits for; at nice 15 it starved memcheck
# and the sanitizer build alike), at nice 10 beside the second, the tests
# at nice 0, so that their time limits hold on a loaded machine.
#
#   windows_start   start the background job
#   windows_sooner  raise the build to nice 10 (once the sanitizer build,
#                   which the second e2e pass waits for, is done: the
#                   Windows build was the last thing CI waited for, while
#                   the nice-19 fuzzing had what it lacked)
#   windows_collect wait for it, count its results, stop the wineserver
#
# The build is unoptimised (-O0): it is here to be tested, and -O3 took
# three times the CPU on two cores; README.md builds the release .exe.
# The wine prefix (about 700 MB of Windows files) lives in build-windows/,
# away from the temporary directories the hygiene scan reads.

WINDOWS_PID=
WINDOWS_DIR=$REPO/build-windows
WINDOWS_LOG=
WINE_BIN=/usr/lib/wine/wine64
WINESERVER_BIN=/usr/lib/wine/wineserver

windows_job() {
    local rc
    echo "== cross build (MinGW-w64, -O0)"
    mkdir -p "$WINDOWS_DIR"
    if ! cmake -S "$REPO" -B "$WINDOWS_DIR" -DCMAKE_TOOLCHAIN_FILE="$REPO/platform/windows/mingw-w64.cmake" \
            -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O0 -DDCU_TESTS=ON >"$WINDOWS_DIR/cmake.log" 2>&1; then
        cat "$WINDOWS_DIR/cmake.log"
        echo "windows: cmake failed"
        return 1
    fi
    # the prefix is made while the build runs (about 700 MB written)
    mkdir -p "$WINEPREFIX"
    ( "$WINE_BIN" wineboot --init && "$WINESERVER_BIN" -w ) >"$WINDOWS_DIR/wineboot.log" 2>&1 &
    local boot=$!
    cmake --build "$WINDOWS_DIR" -j"$JOBS" --target docker-credential-upbound unit_tests 2>&1 | tail -5
    rc=${PIPESTATUS[0]}
    wait "$boot" || { echo "windows: the wine prefix could not be made:"; tail -5 "$WINDOWS_DIR/wineboot.log"; }
    [ "$rc" = 0 ] || { echo "windows: build failed"; return 1; }
    echo "windows: build ok"
    # the tests at normal priority, with one wineserver for all of them
    renice -n 0 -p "$BASHPID" >/dev/null 2>&1
    "$WINESERVER_BIN" -p
    echo "== unit tests under wine"
    (cd "$WINDOWS_DIR" && timeout 600 "$WINE_BIN" ./unit_tests.exe 2>&1)
    echo "unit_tests.exe exit $?"
    echo "== tests/e2e/wine_test.sh"
    WINDOWS_BIN=$WINDOWS_DIR/docker-credential-upbound.exe timeout 420 bash "$REPO/tests/e2e/wine_test.sh" 2>&1
    echo "wine_test.sh exit $?"
}

windows_start() {
    if [ "${SKIP_WINDOWS:-}" = 1 ]; then say "SKIP_WINDOWS=1: no Windows build"; return; fi
    say "windows: cross build (nice 19), unit tests and e2e under wine, in the background"
    mkdir -p "$WINDOWS_DIR"
    export WINEPREFIX=$WINDOWS_DIR/wine WINEDEBUG=-all
    WINDOWS_LOG=$TMP_ROOT/windows.log
    (renice -n 19 -p "$BASHPID" >/dev/null; windows_job) >"$WINDOWS_LOG" 2>&1 &
    WINDOWS_PID=$!
}

windows_sooner() {
    [ -n "$WINDOWS_PID" ] || return 0
    local pids=$WINDOWS_PID next p
    next=$WINDOWS_PID
    while [ -n "$next" ]; do   # the job and all its descendants
        next=$(for p in $next; do pgrep -P "$p"; done)
        pids="$pids $next"
    done
    # compilers started later inherit make's new priority; the tests under
    # wine already run at nice 0, which renice does not lower again here
    local raised=0
    for p in $pids; do
        [ "$(ps -o ni= -p "$p" 2>/dev/null | tr -d ' ')" = 19 ] && renice -n 10 -p "$p" >/dev/null 2>&1 &&
            raised=$((raised + 1))
    done
    [ "$raised" = 0 ] || say "windows: the build raised to nice 10 ($raised processes)"
}

windows_collect() {
    [ -n "$WINDOWS_PID" ] || return 0
    say "windows: collecting"
    wait "$WINDOWS_PID"
    WINDOWS_PID=
    cat "$WINDOWS_LOG"
    local line
    grep -q '^windows: build ok$' "$WINDOWS_LOG" && pass "windows: cross build (MinGW-w64)" ||
        fail "windows: cross build (MinGW-w64)"
    # Catch2's summary: "All tests passed (A assertions in N test cases)" or
    # "test cases: N | P passed | F failed"
    line=$(grep -E '^(All tests passed|test cases:)' "$WINDOWS_LOG" | head -1)
    if [[ $line =~ ^All\ tests\ passed.*\ in\ ([0-9]+)\ test\ case ]] &&
        grep -q '^unit_tests.exe exit 0$' "$WINDOWS_LOG"; then
        pass "unit tests (Windows, under wine)" "${BASH_REMATCH[1]}"
    elif [[ $line =~ ^test\ cases:\ *([0-9]+)\ \|\ ([0-9]+)\ passed\ \|\ ([0-9]+)\ failed ]]; then
        pass "unit tests (Windows, under wine)" "${BASH_REMATCH[2]}"
        fail "unit tests (Windows, under wine): ${BASH_REMATCH[3]} of ${BASH_REMATCH[1]} test cases failed" \
            "${BASH_REMATCH[3]}"
    else
        fail "unit tests (Windows, under wine): no result ($(grep '^unit_tests.exe exit' "$WINDOWS_LOG"))"
    fi
    local p f
    p=$(grep -c '^ok - ' "$WINDOWS_LOG")
    f=$(grep -c '^not ok - ' "$WINDOWS_LOG")
    pass "windows/wine_test" "$p"
    if [ "$f" -gt 0 ]; then
        fail "windows/wine_test: $f checks failed:" "$f"
        while IFS= read -r line; do FAILURES+=("    $line"); done < <(grep '^not ok - ' "$WINDOWS_LOG")
    fi
    grep -q '^wine_test.sh exit 0$' "$WINDOWS_LOG" || fail "windows/wine_test: $(grep '^wine_test.sh exit' "$WINDOWS_LOG" || echo 'not run')"
    windows_stop
}

# windows_stop: the job (if still running) and the wineserver of our prefix
windows_stop() {
    if [ -n "$WINDOWS_PID" ]; then
        pkill -TERM -P "$WINDOWS_PID" 2>/dev/null; kill "$WINDOWS_PID" 2>/dev/null; wait "$WINDOWS_PID" 2>/dev/null
        WINDOWS_PID=
    fi
    if [ -n "${WINEPREFIX:-}" ] && [ -d "$WINEPREFIX" ]; then
        "$WINESERVER_BIN" -k 2>/dev/null
        "$WINESERVER_BIN" -w 2>/dev/null
    fi
}
