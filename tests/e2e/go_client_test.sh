#!/bin/bash
# The helper driven through github.com/docker/docker-credential-helpers/client,
# the library the Docker CLI uses, built offline from Debian's sources in
# GOPATH mode (tests/e2e/goclient/main.go prints the checks).
. "$(dirname "$0")/lib.sh"

go_build_offline "build the Go client program offline (GOPATH mode)" goclient "$E2E_TMP/goclient"

# The library runs the helper by name from PATH; lib.sh put $HELPER_BIN's
# directory first. Check that it resolves to the binary under test.
resolved=$(command -v docker-credential-upbound)
check_eq "docker-credential-upbound on PATH is the helper under test" \
    "$(readlink -f "$HELPER_BIN")" "$(readlink -f "$resolved")"

timeout 120 "$E2E_TMP/goclient" docker-credential-upbound >"$E2E_TMP/go.out" 2>"$E2E_TMP/go.err"
rc=$?
cat "$E2E_TMP/go.out"
cat "$E2E_TMP/go.err" >>"$E2E_STDERR_ALL"
grep '^ok - ' "$E2E_TMP/go.out" | sed 's/.*/P/' >>"$E2E_RESULTS"
grep '^not ok - ' "$E2E_TMP/go.out" | sed 's/.*/F/' >>"$E2E_RESULTS"
if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$E2E_TMP/go.out"; then
    not_ok "go client program exited $rc without reporting a failed check"
fi
for s in go-secret-1-Pw7 go-secret-2-Tr4 refresh-token-Qm2 Lk9; do remember_secret "$s"; done
e2e_finish
