#!/bin/bash
# The unit tests under valgrind memcheck: no invalid read or write, no use
# of an uninitialised value, no bad free, no definite leak.
#
#   tests/memcheck.sh [--build DIR] [--shard I/N] [--log FILE] [-- CATCH2-ARGS...]
#
#   --build DIR   the build holding unit_tests (default build/, the Release
#                 build: -O3, symbols but no line numbers; for line numbers
#                 configure a build with -DCMAKE_BUILD_TYPE=RelWithDebInfo)
#   --shard I/N   run only the I-th of N slices of the test cases (1-based;
#                 test case k goes to slice k mod N): N shards can run on N
#                 cores, or a CI pass can run one slice a day
#   --log FILE    valgrind's report (default: a temporary file, printed in
#                 part on failure)
#   CATCH2-ARGS   passed to unit_tests (a test spec or tags)
#
# Prints TAP lines ("ok - memcheck: ...") and exits non-zero on any error,
# definite leak, or failed test case. Suppressions: tests/memcheck.supp,
# each one with the reason it is there. tests/run.sh starts this in the
# background at nice 19 and collects the result later (see README).
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$REPO/build
SHARD=
LOG=
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD=$2; shift 2 ;;
        --shard) SHARD=$2; shift 2 ;;
        --log) LOG=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "memcheck.sh: error: unknown argument $1" >&2; exit 2 ;;
    esac
done
BIN=$BUILD/unit_tests
if ! command -v valgrind >/dev/null; then
    echo "not ok - memcheck: valgrind is not installed"; exit 1
fi
if [ ! -x "$BIN" ]; then
    echo "not ok - memcheck: $BIN does not exist (build the unit_tests target first)"; exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/memcheck.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
[ -n "$LOG" ] || LOG=$TMP/valgrind.log
CATCH_OUT=$LOG.catch   # the test binary's own output, kept beside the log

ARGS=("$@")
LABEL="unit_tests"
# One test case re-executes /proc/self/exe, which under valgrind is
# valgrind's own tool (it refuses to run): it is left out, and the hidden
# test case it runs in that child runs under valgrind by itself instead.
RESPAWN="curl transport: creating a transport does not load libcurl"
CHILD_TAG="[.curl-not-loaded]"
CHILD_RUN=0
if [ ${#ARGS[@]} = 0 ]; then
    ARGS=("~$RESPAWN")
    [ -z "$SHARD" ] || [ "${SHARD%/*}" = 1 ] && CHILD_RUN=1
fi
if [ -n "$SHARD" ]; then
    i=${SHARD%/*} n=${SHARD#*/}
    if ! [[ $i =~ ^[0-9]+$ && $n =~ ^[0-9]+$ ]] || [ "$i" -lt 1 ] || [ "$i" -gt "$n" ]; then
        echo "memcheck.sh: error: --shard wants I/N with 1 <= I <= N" >&2; exit 2
    fi
    # Catch2 v2 has no sharding: list the names, keep every N-th, and pass
    # them back by name (-f reads one test name per line).
    # (a name's commas, brackets, backslashes, '*', '~' and '"' escaped)
    "$BIN" --list-test-names-only "${ARGS[@]}" 2>/dev/null | sed '/^$/d' |
        awk -v i="$i" -v n="$n" '(NR - 1) % n == i - 1' | sed 's/[],[\\*~"]/\\&/g' >"$TMP/names"
    ARGS=(-f "$TMP/names")
    LABEL="unit_tests shard $i/$n ($(wc -l <"$TMP/names") test cases)"
fi

START=$(date +%s)
# DCU_TEST_UNDER_VALGRIND: the few tests that check something ends
# promptly allow for valgrind's slowdown on a loaded machine.
# G_SLICE/G_DEBUG: GLib's allocator hands memory to valgrind directly.
# --errors-for-leak-kinds=definite: a leak fails only when definitely lost
# (still-reachable globals such as libcurl's and OpenSSL's are not leaks).
vg() { # vg LOG CATCH-OUTPUT ARGS...
    local log=$1 out=$2
    shift 2
    DCU_TEST_UNDER_VALGRIND=1 G_SLICE=always-malloc G_DEBUG=gc-friendly \
    valgrind --tool=memcheck --error-exitcode=99 --exit-on-first-error=no \
        --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
        --track-origins=yes --num-callers=30 --suppressions="$REPO/tests/memcheck.supp" \
        --log-file="$log" "$BIN" "$@" >"$out" 2>&1
}
vg "$LOG" "$CATCH_OUT" "${ARGS[@]}"
rc=$?
if [ "$CHILD_RUN" = 1 ]; then
    vg "$LOG.child" "$CATCH_OUT.child" "$CHILD_TAG"
    child_rc=$?
    # fold the child run into the main result
    [ "$child_rc" != 0 ] && [ "$rc" = 0 ] && rc=$child_rc
    cat "$LOG.child" >>"$LOG"
    cat "$CATCH_OUT.child" >>"$CATCH_OUT"
    grep -q '^All tests passed' "$CATCH_OUT.child" || LABEL="$LABEL (and $CHILD_TAG FAILED)"
    LABEL="$LABEL + $CHILD_TAG alone"
fi
SECS=$(( $(date +%s) - START ))
summary=$(grep -E '^(All tests passed|test cases:)' "$CATCH_OUT" | head -1)
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$LOG" | awk '{s += $1} END {print s + 0}')
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tr -d , | awk '{s += $1} END {print s + 0}')
desc="memcheck: $LABEL under valgrind: ${errors:-?} errors, ${definite:-0} bytes definitely lost, ${summary:-no Catch2 summary} (${SECS}s)"
if [ "$rc" = 0 ] && [ "${errors:-1}" = 0 ]; then
    echo "ok - $desc"
    exit 0
fi
echo "not ok - $desc (exit $rc)"
grep -E -A25 '^==[0-9]+== (Invalid|Conditional|Use of|Mismatched|Syscall param|Source and|[0-9,]+ bytes in [0-9,]+ blocks are definitely)' "$LOG" |
    head -150 | sed 's/^/#   /'
# the failed test cases: Catch2's blocks from the "----" header to the
# FAILED assertion and its expansion
awk '/^-{20,}$/ {n++} /FAILED:/ {show=1} show && c < 60 {print; c++} /^={20,}$/ {show=0}' "$CATCH_OUT" |
    sed 's/^/#   /'
grep -B3 'FAILED:' "$CATCH_OUT" | grep -E '^[^ ].*_test\.cpp:[0-9]+' | head -10 | sed 's/^/#   at /'
exit 1
