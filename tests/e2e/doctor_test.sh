#!/bin/bash
# doctor against the real keyring, the Upbound stand-in and a registry that
# trusts its token realm:
#  1. a good setup (token file, credHelpers in config.json and auth.json,
#     the binary on PATH): every check passes, exit 0; --json agrees
#  2. the session exchange with the token stored through `store` on stdin:
#     check 7 passes and the session doctor opened is ended
#  3. --repository: which exchange kinds get pull and push, as the
#     stand-in grants them (repository:<org>/... of the robot's org only)
#  4. a revoked robot: checks 7/8 fail with the fix, exit 1
#  5. a hanging token realm and a stopped stand-in: the endpoint check fails
#     within the timeout
# No secret on stdout or stderr, ever.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

e2e_clean_env XDG_RUNTIME_DIR
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache
export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=4

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REG
cleanup_doctor() { HCALL_TIMEOUT=5 hcall erase "$REG"; }
e2e_on_exit cleanup_doctor

# The binary under the name Docker runs, alone on PATH with the system's tools.
mkdir -p "$E2E_TMP/bin"
ln -s "$HELPER_BIN" "$E2E_TMP/bin/docker-credential-upbound"
export PATH=$E2E_TMP/bin:/usr/bin:/bin
printf '{"auths":{},"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
export REGISTRY_AUTH_FILE=$E2E_TMP/auth.json
printf '{"auths":{},"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$REGISTRY_AUTH_FILE"

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
mint_robot acme ci "$E2E_TMP/token.json" || { not_ok "mint a robot token"; e2e_finish; }
ACCESS_ID=$(jfield "$E2E_TMP/token.json" accessId)
TOKEN=$(jfield "$E2E_TMP/token.json" token)
remember_secret "$TOKEN"

# Every doctor output (stdout included) is scanned for secrets at the end.
ALL_OUT=$E2E_TMP/all-doctor-out
: >"$ALL_OUT"
doctor() { HCALL_TIMEOUT=${DOCTOR_TIMEOUT:-20} hcall_argv doctor "$@"; cat "$E2E_TMP/h.out" >>"$ALL_OUT"; }
# verdict N: check N's verdict in the last text output
verdict() {
    "$PY" - "$1" "$E2E_TMP/h.out" <<'PYEOF'
import re, sys
n, path = sys.argv[1], sys.argv[2]
for line in open(path):
    if line.startswith(n + ". "):
        m = re.search(r"[.)] (ok|FAIL|warning|skipped)(?: |:|$)", line)
        print(m.group(1) if m else "?")
        break
PYEOF
}
verdicts() { local n s=""; for n in 1 2 3 4 5 6 7 8; do s="$s$(verdict $n) "; done; echo "${s% }"; }
fix_of() { sed -n "/^$1\\. /,/^[0-9]\\. /p" "$E2E_TMP/h.out" | sed -n 's/^   fix: //p' | head -1; }
line_of() { grep "^$1\\. " "$E2E_TMP/h.out"; }

# 1. -------------------------------------------------------------- good setup
export UP_ROBOT_TOKEN_FILE=$E2E_TMP/token.json
doctor
check_eq "good setup: doctor exits 0" 0 "$H_RC" || { h_diag; cat "$E2E_TMP/h.out" | sed 's/^/#   /'; }
check_eq "good setup: every check passes (7 has nothing to exchange)" "ok ok ok ok ok ok skipped ok" "$(verdicts)"
check "check 1 finds the binary in $E2E_TMP/bin" grep -q "^1\\. .* ok ($E2E_TMP/bin/docker-credential-upbound)" "$E2E_TMP/h.out"
check "check 5 names the token file and the access ID" grep -qF "UP_ROBOT_TOKEN_FILE $E2E_TMP/token.json, access ID $ACCESS_ID" "$E2E_TMP/h.out"
check "check 8 asked the stand-in's realm" grep -qF "accepted robot $ACCESS_ID" "$E2E_TMP/h.out"
check "the summary line" grep -q "^8 checks: 7 ok, 0 failed, 0 warnings, 1 skipped$" "$E2E_TMP/h.out"
doctor --json
check_eq "--json exits 0" 0 "$H_RC"
check "--json parses, ok is true, the same verdicts" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["repository"] is None, d
assert [c["verdict"] for c in d["checks"]] == ["ok"] * 6 + ["skipped", "ok"], d
assert [c["number"] for c in d["checks"]] == list(range(1, 9))' "$E2E_TMP/h.out"

# 2. ------------------------------------------- session, token in the keyring
unset UP_ROBOT_TOKEN_FILE
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$REG" "$ACCESS_ID" "$TOKEN" >"$E2E_TMP/store.in"
hcall_file store "$E2E_TMP/store.in"
check_eq "store the robot token in the keyring" 0 "$H_RC"
rm -f "$E2E_TMP/store.in"
upbound_clear
DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session doctor
check_eq "session: doctor exits 0" 0 "$H_RC" || cat "$E2E_TMP/h.out" | sed 's/^/#   /'
check_eq "session: every check passes" "ok ok ok ok ok ok ok ok" "$(verdicts)"
check "check 5 names the secret store" grep -qF "the robot token stored for $REG, access ID $ACCESS_ID" "$E2E_TMP/h.out"
check_eq "one session login" 1 "$(upbound_count /v1/login)"
check_eq "the session doctor opened was ended" 1 "$(upbound_count /v1/logout)"

# 3. ---------------------------------------------------------- --repository
doctor --repository acme/pkg
check_eq "--repository acme/pkg exits 0" 0 "$H_RC"
check "direct gets pull,push (as the stand-in grants)" grep -q "^   direct    pull,push" "$E2E_TMP/h.out"
check "session gets pull,push" grep -q "^   session   pull,push" "$E2E_TMP/h.out"
check "org-token gets pull,push" grep -q "^   org-token pull,push" "$E2E_TMP/h.out"
check "the setting for push is the current one" grep -q "^for push: DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=direct" "$E2E_TMP/h.out"
n=$(upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin) if e["path"] == "/service/token" and e.get("scope") == ["repository:acme/pkg:pull,push"]))')
check_eq "the token service was asked once per kind for repository:acme/pkg:pull,push" 3 "$n"
doctor --repository other/pkg --json
check "another organization's repository: nothing granted, no setting" "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))["repository"]
assert all(k.get("granted", []) == [] for k in r["kinds"].values()), r
assert r["pull"] is None and r["push"] is None, r' "$E2E_TMP/h.out"

# 4. ------------------------------------------------------------- revoked
upbound_revoke "$ACCESS_ID"
doctor
check_eq "revoked, direct: doctor exits 1" 1 "$H_RC"
check_eq "revoked, direct: check 8 fails" FAIL "$(verdict 8)"
check "check 8 names the realm that rejected robot $ACCESS_ID" grep -qF "token service (127.0.0.1:$UPBOUND_PORT) rejected robot $ACCESS_ID" "$E2E_TMP/h.out"
check "check 8's fix: a new token and login" sh -c 'case "$1" in *"up robot token create"*"docker-credential-upbound login --server"*) exit 0;; esac; exit 1' _ "$(fix_of 8)"
DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session doctor
check_eq "revoked, session: doctor exits 1" 1 "$H_RC"
check_eq "revoked, session: check 7 fails, 8 is skipped" "FAIL skipped" "$(verdict 7) $(verdict 8)"

# 5. ------------------------------------------------- hanging, then stopped
upbound_fault '{"path":"/service/token","delay":30}'
DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=2 doctor
check_eq "a hanging token realm: doctor exits 1" 1 "$H_RC"
check_eq "a hanging token realm: check 6 fails" FAIL "$(verdict 6)"
check "a hanging token realm: doctor ends within the timeout ($H_SECS s)" elapsed_under 6
upbound_clear
kill "$UPBOUND_PID" 2>/dev/null; await_stop "$UPBOUND_PID" 60
doctor
check_eq "a stopped stand-in: doctor exits 1" 1 "$H_RC"
check_eq "a stopped stand-in: check 6 fails" FAIL "$(verdict 6)"
check "check 6 says which endpoint" sh -c 'grep -q "^6\\. .*token realm 127.0.0.1:$1 unreachable" "$2"' _ "$UPBOUND_PORT" "$E2E_TMP/h.out"
check "check 6's fix names the endpoint settings" sh -c 'case "$1" in *OVERRIDE_*) exit 0;; esac; exit 1' _ "$(fix_of 6)"
check "a stopped stand-in: doctor ends within the timeout ($H_SECS s)" elapsed_under 6

check "no secret in doctor's stdout" sh -c '! grep -qF -f "$1" "$2"' _ "$E2E_SECRETS" "$ALL_OUT"
e2e_finish
