#!/bin/bash
# The short fuzzing run for CI: every libFuzzer target in an already built
# build directory (DCU_FUZZ=ON; see tests/fuzz/run.sh for the long runs),
# ONE at a time, each for FUZZ_SECONDS (default 10) on a scratch copy of
# its seed corpus (tests/fuzz/corpus/<target>/), all within
# FUZZ_TOTAL_SECONDS (default: 30 s per target). Prints one line a target:
#
#   fuzz/<target>: N runs, no finding
#   fuzz/<target>: FINDING (exit E) after N runs: <sanitizer summary>; input kept as <file>
#   fuzz/<target>: not run (total time cap reached)
#   fuzz/<target>: FAILED: not built
#
# A finding's input is kept in <build dir>/fuzz-findings/; reproduce it with
#   <build dir>/<target>_fuzz <build dir>/fuzz-findings/<file>
# Exit 1 on any finding or a target that was not built; 0 otherwise (a
# target the cap left out is said, not failed). Meant to run in the
# background at nice 19:  nice -n 19 tests/fuzz/ci.sh build-asan >log 2>&1 &
#
#   tests/fuzz/ci.sh BUILD_DIR [TARGET...]
set -u -o pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: tests/fuzz/ci.sh BUILD_DIR [TARGET...]" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
shift
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EACH=${FUZZ_SECONDS:-10}

. "$REPO/tests/fuzz/targets.sh"
fuzz_targets "$@"
TOTAL=${FUZZ_TOTAL_SECONDS:-$((${#targets[@]} * (EACH + 10)))}

FINDINGS=$BUILD/fuzz-findings
mkdir -p "$FINDINGS"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/dcu-fuzz.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

start=$(date +%s)
failed=0
for t in "${targets[@]}"; do
    bin=$BUILD/${t}_fuzz
    if [ ! -x "$bin" ]; then
        echo "fuzz/$t: FAILED: not built ($bin missing)"
        failed=1
        continue
    fi
    left=$((start + TOTAL - $(date +%s)))
    if [ "$left" -lt 5 ]; then
        echo "fuzz/$t: not run (total time cap of ${TOTAL}s reached)"
        continue
    fi
    secs=$((EACH < left ? EACH : left))
    work=$SCRATCH/$t
    mkdir -p "$work"
    cp "$REPO/tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null
    log=$SCRATCH/$t.log
    # The outer timeout only guards against a fuzzer that cannot stop
    # (libFuzzer's own -timeout catches a slow input).
    timeout -k 5 $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$FINDINGS/$t-" "$work" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # A crash prints no final stats: the last progress line's count then.
    [ -n "$runs" ] || runs=$(grep -o -E '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    if [ "$rc" = 0 ]; then
        echo "fuzz/$t: ${runs:-?} runs, no finding"
    else
        what=$(grep -m1 -E 'SUMMARY|ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|deadly signal' "$log")
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "fuzz/$t: FINDING (exit $rc) after ${runs:-?} runs: ${what:-see below}; input kept as ${artifact:-none}"
        grep -E -A12 'ERROR|runtime error' "$log" | head -30 | sed "s|^|fuzz/$t:   |"
        failed=1
    fi
done
exit "$failed"
