#!/bin/bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang, ASan and
# UBSan in build-fuzz/, then runs each for FUZZ_SECONDS (default 300) on a
# copy of its seed corpus (tests/fuzz/corpus/<target>/), two at a time.
# A finding (crash, sanitizer report, broken property) is kept as
# build-fuzz/findings/<target>-crash-*; reproduce one with
#   build-fuzz/<target>_fuzz build-fuzz/findings/<file>
# and fix it with a regression test beside the code's unit tests.
#
#   tests/fuzz/run.sh [TARGET...]     (default: every target)
#   FUZZ_SECONDS=20 tests/fuzz/run.sh
# Needs clang-14 and libclang-rt-14-dev (Debian 12).
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$REPO/build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-300}
JOBS=${JOBS:-2}

. "$REPO/tests/fuzz/targets.sh"
fuzz_targets "$@"

mkdir -p "$BUILD"
CC=clang-14 CXX=clang++-14 cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DDCU_FUZZ=ON -DDCU_TESTS=OFF \
    >"$BUILD/build.log" 2>&1 &&
    cmake --build "$BUILD" -j"$JOBS" --target $(printf '%s_fuzz ' "${targets[@]}") >>"$BUILD/build.log" 2>&1 ||
    { grep -E -m20 'error' "$BUILD/build.log"; echo "fuzz: build failed (see $BUILD/build.log)" >&2; exit 1; }
mkdir -p "$BUILD/findings"

# run_one TARGET: prints "TARGET: N runs, ok" or "TARGET: FINDING ..."
run_one() {
    local t=$1 work=$BUILD/corpus/$1 log=$BUILD/$1.log
    mkdir -p "$work"
    cp -n "$REPO/tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null
    "$BUILD/${t}_fuzz" -max_total_time="$SECONDS_EACH" -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$BUILD/findings/$t-" "$work" >"$log" 2>&1
    local rc=$? runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ "$rc" = 0 ]; then
        echo "$t: ${runs:-?} runs in ${SECONDS_EACH}s, no finding"
    else
        echo "$t: FINDING (exit $rc) after ${runs:-?} runs: $(grep -m1 -E 'SUMMARY|ERROR|deadly signal' "$log")"
    fi
    return "$rc"
}

failed=0
i=0
pids=()
for t in "${targets[@]}"; do
    run_one "$t" &
    pids+=($!)
    i=$((i + 1))
    if [ $((i % JOBS)) = 0 ]; then
        for p in "${pids[@]}"; do wait "$p" || failed=1; done
        pids=()
    fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
ls "$BUILD/findings" 2>/dev/null | sed 's/^/finding: /'
exit "$failed"
