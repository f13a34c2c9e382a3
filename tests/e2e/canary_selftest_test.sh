#!/bin/bash
# The secret-hygiene checks fail when their property breaks: plants a
# canary in each kind of forbidden place (a script's stderr, a log, a base64
# Basic header, a client config, a robot token in a cache entry, a leftover
# cache temporary file, a world-readable cache file, a cache directory that
# is not 0700, a core file, a new file outside the scratch directory, a
# process's argv and an environment variable other than UP_ROBOT_TOKEN) and
# shows that tests/lib/canary_scan.py reports each one, by fingerprint,
# never by value; and that a clean tree and UP_ROBOT_TOKEN pass (the
# planting is tests/lib/canary_selftest.py).
. "$(dirname "$0")/lib.sh"

while IFS= read -r line; do
    case $line in
        "ok - "*) ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        *) printf '%s\n' "$line" ;;
    esac
done < <("$PY" "$REPO/tests/lib/canary_selftest.py" 2>&1)
[ "$(grep -c . "$E2E_RESULTS")" -ge 13 ] || not_ok "canary self-test ran all its checks"
e2e_finish
