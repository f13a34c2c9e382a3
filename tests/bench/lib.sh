# Shared by the benchmark scripts: arguments and run-count settings.
# Source after setting BENCH_NAME and REPO_ROOT; then call
#   bench_args DEFAULT_RUNS DEFAULT_WARMUP "$@"
# which sets BIN (absolute), RUNS, WARMUP and MEM_SAMPLES, and
#   bench_workdir
# which makes $WORK and stops the services (tests/lib/services.sh) and
# removes it on exit (BENCH_KEEP=1 keeps it).

die() { echo "$BENCH_NAME: error: $*" >&2; exit 1; }

bench_args() {
    local default_runs=$1 default_warmup=$2 v
    shift 2
    [ $# -le 1 ] || die "usage: $0 [BIN]"
    BIN=${1:-$REPO_ROOT/build/docker-credential-upbound}
    case $BIN in
        /*) ;;
        *) BIN=$PWD/$BIN ;;   # relative to the caller's cwd
    esac
    local def_runs=$default_runs def_warmup=$default_warmup def_mem=15
    if [ "${BENCH_QUICK:-0}" = 1 ]; then
        def_runs=20 def_warmup=3 def_mem=3
    fi
    RUNS=${BENCH_RUNS:-$def_runs}
    WARMUP=${BENCH_WARMUP:-$def_warmup}
    MEM_SAMPLES=${BENCH_MEM_SAMPLES:-$def_mem}
    for v in RUNS WARMUP MEM_SAMPLES; do
        case ${!v} in
            ''|*[!0-9]*) die "$v must be a non-negative integer, got '${!v}'" ;;
        esac
    done
    [ "$RUNS" -ge 2 ] || die "BENCH_RUNS must be at least 2"
    [ "$MEM_SAMPLES" -ge 1 ] || die "BENCH_MEM_SAMPLES must be at least 1"
}

bench_workdir() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
    trap _bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

_bench_cleanup() {
    local rc=$?
    set +e
    stop_services
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "$BENCH_NAME: kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
