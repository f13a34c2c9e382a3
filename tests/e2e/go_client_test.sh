#!/bin/bash
# The helper driven through github.com/docker/docker-credential-helpers/client,
# the library the Docker CLI uses, built offline from Debian's sources in
# GOPATH mode (tests/e2e/goclient/main.go prints the checks).
. "$(dirname "$0")/lib.sh"

GOPATH_DIR=$E2E_TMP/gopath
PKG=upbound.test/e2e/goclient
mkdir -p "$GOPATH_DIR/src/$PKG"
cp "$REPO/tests/e2e/goclient/main.go" "$GOPATH_DIR/src/$PKG/"
if (cd "$GOPATH_DIR/src" &&
    GO111MODULE=off GOPATH="$GOPATH_DIR:/usr/share/gocode" GOPROXY=off GOFLAGS= \
    GOCACHE="$E2E_TMP/gocache" CGO_ENABLED=0 \
    timeout 300 go build -o "$E2E_TMP/goclient" "./$PKG") >"$E2E_TMP/go-build.log" 2>&1; then
    ok "build the Go client program offline (GOPATH mode)"
else
    not_ok "build the Go client program offline (GOPATH mode)"
    sed 's/^/#   /' "$E2E_TMP/go-build.log"
    e2e_finish
fi

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
