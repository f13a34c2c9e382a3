#!/bin/bash
# login, logout and status against the real keyring, the local Upbound
# stand-in and Debian's docker-registry using its token realm (issue 9):
#  1. direct (the default): login --token-file verifies once at the realm,
#     stores the pair, and the next get asks nobody; skopeo pushes and
#     pulls; status shows the source, access ID and verdict; a revoked
#     token and a loose-mode file are refused and nothing changes; logout
#     removes the keyring item
#  2. session: login exchanges once and caches the session, get reuses it;
#     logout ends it at Upbound (POST /v1/logout) and removes the item
#  3. --token-stdin; a failing get shows up in status (and status --json)
#     as the last failure, and a good get clears it; logout --all
# No secret on any stdout of login/logout/status, nor on any stderr.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REG
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache
cleanup_login() { HCALL_TIMEOUT=5 hcall erase "$REG"; }
e2e_on_exit cleanup_login

printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
printf 'unqualified-search-registries = []\n' >"$E2E_TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$E2E_TMP/registries.conf" --policy "$E2E_TMP/policy.json" --tmpdir "$E2E_TMP")
"$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "login e2e layer"

CMD_STDOUT=$E2E_TMP/command-stdout   # stdout of every login/logout/status
: >"$CMD_STDOUT"
# cmd ARGS...: a person's command (stdin /dev/null); its stdout is kept for the secret scan
cmd() { hcall_argv "$@"; cat "$E2E_TMP/h.out" >>"$CMD_STDOUT"; }
# cmd_in FILE ARGS...: the same with stdin from FILE
cmd_in() { local f=$1; shift; _hcall_run "$@" <"$f"; cat "$E2E_TMP/h.out" >>"$CMD_STDOUT"; }
# out_has TEXT...: the last stdout holds every TEXT, white space runs (and
# the line breaks of wrapped values) counting as one space
squeeze() { tr -s ' \n' '  '; }
out_has() {
    local t all
    all=$(squeeze <"$E2E_TMP/h.out")
    for t in "$@"; do
        case $all in *"$(printf '%s' "$t" | squeeze)"*) ;; *) return 1 ;; esac
    done
}
err_has() { grep -qF -- "$1" "$E2E_TMP/h.err"; }

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
out_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
# robot NAME: mint a robot of acme into $E2E_TMP/NAME.json; sets R_ID
robot() {
    mint_robot acme "$1" "$E2E_TMP/$1.json" || { not_ok "mint robot $1"; return 1; }
    R_ID=$(jfield "$E2E_TMP/$1.json" accessId)
    remember_secret "$(jfield "$E2E_TMP/$1.json" token)"
}
# verifications: realm requests with Basic robot credentials and no scope
verifications() {
    upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)
          if e["path"] == "/service/token" and not e.get("scope") and e["cred"] in ("robot-basic", "bad")))'
}
# status_json EXPR: evaluate a Python expression over the row of $REG in
# the last status --json output (d: the row, doc: the whole document)
status_json() {
    "$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
d = [h for h in doc["hosts"] if h["key"] == sys.argv[2]][0]
print(eval(sys.argv[3]))' "$E2E_TMP/h.out" "$REG" "$1" 2>&1
}
stored_user() { list_get "$REG"; }

# ================================================================ 1. direct
diag "---- direct, the default"
robot alice || e2e_finish; A_ID=$R_ID
upbound_clear
cmd login --token-file "$E2E_TMP/alice.json"
check_eq "login --token-file: exit 0" 0 "$H_RC" || h_diag
check "... says the host, access ID, exchange and where it stored it" \
    out_has "Logged in to $REG" "access ID:  $A_ID" "exchange:   direct" "stored in:  the secret store"
check "... and who verified it until when" out_has "verified:   127.0.0.1:$UPBOUND_PORT accepted robot $A_ID" "until:      get asks again after"
check_eq "... one verification at the realm (/v2/, then Basic, no scope)" 1 "$(verifications)"
check_eq "... the keyring holds the pair under the access ID" "$A_ID" "$(stored_user)"
get_is "get returns the pair" "$REG" "$A_ID" "$(jfield "$E2E_TMP/alice.json" token)"
check_eq "... without another verification (login cached the verdict)" 1 "$(verifications)"
if timeout 60 "${SKOPEO[@]}" copy --dest-tls-verify=false "oci:$E2E_TMP/image:v1" "docker://$REG/acme/login:v1" \
        >"$E2E_TMP/skopeo.out" 2>&1 &&
   timeout 60 "${SKOPEO[@]}" copy --src-tls-verify=false "docker://$REG/acme/login:v1" "oci:$E2E_TMP/pulled:v1" \
        >>"$E2E_TMP/skopeo.out" 2>&1; then
    ok "skopeo pushes and pulls after login"
else
    not_ok "skopeo pushes and pulls after login"; sed -n '1,5s/^/#   /p' "$E2E_TMP/skopeo.out"
fi

cmd status
check "status: the secret store, the access ID, the accepted verdict" \
    out_has "token:        the secret store" "access ID:    $A_ID" "verdict:      accepted until"
cmd status --json
check_eq "status --json: source, access ID, exchange, verdict" "secret-store $A_ID direct accepted" \
    "$(status_json '" ".join([d["source"], d["access_id"], d["exchange"], d["verdict"]["verdict"]])')"

robot revoked || e2e_finish; B_ID=$R_ID
upbound_revoke "$B_ID"
cmd login --token-file "$E2E_TMP/revoked.json"
check_eq "a revoked token: login exits 1" 1 "$H_RC"
check "... saying who rejected it" err_has "not stored: the registry's token service (127.0.0.1:$UPBOUND_PORT) rejected robot $B_ID (HTTP 401)"
check_eq "... and the keyring still holds the previous token" "$A_ID" "$(stored_user)"

robot loose || e2e_finish
chmod 0644 "$E2E_TMP/loose.json"
cmd login --token-file "$E2E_TMP/loose.json"
check_eq "a token file others may read: login exits 1" 1 "$H_RC"
check "... with the chmod to run" err_has "run \`chmod 600 $E2E_TMP/loose.json\`"
check_eq "... and nothing changed" "$A_ID" "$(stored_user)"

upbound_clear
cmd logout
check "logout: says what it removed" out_has "Removed the credential for $REG (user $A_ID)"
check_eq "... the keyring item is gone" "0 1" "$(count_ours "$REG") $(stored_user >/dev/null; echo $?)"
check_eq "... and for direct nothing was sent to Upbound" 0 "$(upbound_count /v1/logout)"
cmd logout
check_eq "logout again: not logged in, exit 0" "0 Not logged in to $REG" "$H_RC $H_OUT"

# ================================================================ 2. session
diag "---- session"
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session
robot sessions || e2e_finish; S_ID=$R_ID
upbound_clear
cmd login --token-file "$E2E_TMP/sessions.json"
check_eq "login with the session exchange: exit 0" 0 "$H_RC"
check "... says the exchange and the session's expiry" out_has "exchange:   session" "the session expires"
check_eq "... one session login at Upbound" 1 "$(upbound_count /v1/login)"
hcall get "$REG"
SID=$(out_field "$E2E_TMP/h.out" Secret); [ -n "$SID" ] && remember_secret "$SID"
check_eq "get returns the cached session without another login" "0 _token 1" \
    "$H_RC $(out_field "$E2E_TMP/h.out" Username) $(upbound_count /v1/login)"
cmd status
check "status shows the cached session and its expiry" out_has "cached:       _token, expires"
printf 'Cookie: SID=%s\n' "$SID" >"$E2E_TMP/cookie.hdr"
self_status() { curl -s -o /dev/null -w '%{http_code}' -H @"$E2E_TMP/cookie.hdr" "$UPBOUND_URL/v1/self"; }
check_eq "... the session is live at Upbound" 200 "$(self_status)"
cmd logout
check "logout: ends the session, then removes the token" \
    out_has "$REG: ended the Upbound session" "Removed the credential for $REG (user $S_ID)"
check_eq "... one POST /v1/logout" 1 "$(upbound_count /v1/logout POST)"
check_eq "... the session no longer works" 401 "$(self_status)"
check_eq "... the keyring item is gone" 0 "$(count_ours "$REG")"

# ================================================================ 3. stdin, failures
diag "---- --token-stdin, the last failure"
upbound_clear
cmd_in "$E2E_TMP/sessions.json" login --token-stdin --no-verify
check_eq "login --token-stdin --no-verify: stored, nothing sent" "0 $S_ID 0" \
    "$H_RC $(stored_user) $(upbound_count /v1/login)"
upbound_fault '{"path":"/v1/login","status":503}'
hcall get "$REG"
check_eq "a get while Upbound answers 503 fails" 1 "$H_RC"
cmd status
check "status shows the last failure" out_has "last failure: " "answered 503"
cmd status --json
check_eq "status --json: last_failure with RFC 3339 and Unix times" "True True True" \
    "$(status_json '" ".join(str(x) for x in ["503" in d["last_failure"]["message"], d["last_failure"]["at"].endswith("Z"), isinstance(d["last_failure"]["at_unix"], int)])')"
upbound_clear
hcall get "$REG"
s=$(out_field "$E2E_TMP/h.out" Secret); [ -n "$s" ] && remember_secret "$s"; unset s
cmd status
check_eq "a good get clears it" "0 yes" "$H_RC $(out_has 'last failure: none' && echo yes)"
cmd logout --all
check "logout --all: removes the token" out_has "Removed the credential for $REG"
check_eq "... nothing left in the keyring for it" 0 "$(count_ours "$REG")"

if [ -s "$E2E_SECRETS" ] && grep -qF -f "$E2E_SECRETS" "$CMD_STDOUT"; then
    not_ok "no test secret on the stdout of login, logout or status"
else
    ok "no test secret on the stdout of login, logout or status ($(wc -l <"$CMD_STDOUT") lines checked)"
fi
e2e_finish
