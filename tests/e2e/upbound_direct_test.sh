#!/bin/bash
# The default exchange, direct, against the local Upbound stand-in and
# Debian's docker-registry trusting its token realm; and the races of
# store/erase against refreshing gets (issue 7):
#  1. direct by default: get hands out the robot pair from the keyring,
#     verified once per period against the realm (as docker login does);
#     16 concurrent gets verify once; skopeo pushes and pulls with it
#  2. a revoked pair: not found with the reason on stderr, remembered for a
#     minute (one pull, one request); a new store asks again at once
#  3. a realm that fails: the pair is handed out unverified, nothing cached;
#     DOCKER_CREDENTIAL_UPBOUND_VERIFY=0 sends nothing
#  4. 16 concurrent stores for one server leave exactly one item
#  5. a store or erase while a get is exchanging with the old token: once
#     it returns, nothing derived from the old token is served
#  6. 16 concurrent gets of a credential shorter-lived than the 30 s margin:
#     one exchange
#  7. an unusable cache directory: the exchange still happens, one warning
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export UP_DEBUG=1

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REG
printf '%s' "$REG" >"$E2E_TMP/get.in"
cleanup_direct() { HCALL_TIMEOUT=5 hcall erase "$REG"; HCALL_TIMEOUT=5 hcall erase "race.example.test"; }
e2e_on_exit cleanup_direct

printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
printf 'unqualified-search-registries = []\n' >"$E2E_TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$E2E_TMP/registries.conf" --policy "$E2E_TMP/policy.json" --tmpdir "$E2E_TMP")
"$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "direct e2e layer"

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# out_field FILE KEY: a field of a helper's JSON answer, or ""
out_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
# robot NAME: mint a robot of acme into $E2E_TMP/NAME.json; sets R_ID, R_TOKEN
robot() {
    mint_robot acme "$1" "$E2E_TMP/$1.json" || { not_ok "mint robot $1"; return 1; }
    R_ID=$(jfield "$E2E_TMP/$1.json" accessId); R_TOKEN=$(jfield "$E2E_TMP/$1.json" token)
    remember_secret "$R_TOKEN"
}
# verifications: realm requests with Basic robot credentials and no scope
verifications() {
    upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)
          if e["path"] == "/service/token" and not e.get("scope") and e["cred"] in ("robot-basic", "bad")))'
}
scoped_robot_requests() {
    upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)
          if e["path"] == "/service/token" and e.get("scope") and e["cred"] == "robot-basic"))'
}
n_login() { upbound_count /v1/login; }
fresh_cache() { export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$1; }

# burst NAME N CMD...: N concurrent CMDs (stdin from $E2E_TMP/NAME.in.I, else
# get.in); outputs in $E2E_TMP/NAME/{out,err,rc}.I
burst() {
    local name=$1 n=$2 dir=$E2E_TMP/$1 i pids=() in
    shift 2
    rm -rf "$dir"; mkdir -p "$dir"
    for i in $(seq 1 "$n"); do
        in=$E2E_TMP/get.in; [ -f "$E2E_TMP/$name.in.$i" ] && in=$E2E_TMP/$name.in.$i
        timeout 30 "$@" <"$in" >"$dir/out.$i" 2>"$dir/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 "$n"); do wait "${pids[$((i - 1))]}"; echo $? >"$dir/rc.$i"; done
    cat "$dir"/err.* >>"$E2E_STDERR_ALL"
}
# burst_answers NAME: the distinct "rc Username" of a get burst
burst_answers() {
    "$PY" - "$E2E_TMP/$1" <<'EOF'
import glob, json, sys
seen = set()
for f in glob.glob(sys.argv[1] + "/out.*"):
    i = f.rsplit(".", 1)[1]
    rc = open("%s/rc.%s" % (sys.argv[1], i)).read().strip()
    try: u = json.load(open(f)).get("Username", "?")
    except Exception: u = "not-json"
    seen.add("%s %s" % (rc, u))
print(",".join(sorted(seen)))
EOF
}
remember_burst() {
    local f s
    for f in "$E2E_TMP/$1"/out.*; do
        s=$(out_field "$f" Secret); [ -n "$s" ] && remember_secret "$s"
    done
}

# ================================================================ 1. direct
diag "---- direct, the default"
robot ci-direct || e2e_finish
fresh_cache direct
store_ok "store the robot pair (docker login -u <accessId>)" "$REG" "$R_ID" "$R_TOKEN"
upbound_clear
get_is "get without DOCKER_CREDENTIAL_UPBOUND_EXCHANGE: the robot pair" "$REG" "$R_ID" "$R_TOKEN"
check_eq "... verified once against the realm (GET /v2/, then the realm, no scope)" 1 "$(verifications)"
check "... the debug line says the realm accepted it" grep -q "accepted robot $R_ID" "$E2E_TMP/h.err"
for i in 1 2 3 4 5; do hcall get "$REG"; done
check_eq "five more gets: still one verification" 1 "$(verifications)"
check_eq "no exchange at all (no /v1/login)" 0 "$(n_login)"
if timeout 60 "${SKOPEO[@]}" copy --dest-tls-verify=false "oci:$E2E_TMP/image:v1" "docker://$REG/acme/direct:v1" \
        >"$E2E_TMP/skopeo.out" 2>&1 &&
   timeout 60 "${SKOPEO[@]}" inspect --tls-verify=false "docker://$REG/acme/direct:v1" >>"$E2E_TMP/skopeo.out" 2>&1; then
    ok "skopeo push and inspect with the direct pair through credHelpers"
else
    not_ok "skopeo push and inspect with the direct pair through credHelpers"; sed -n '1,5s/^/#   /p' "$E2E_TMP/skopeo.out"
fi
check "the registry's realm saw the robot pair with a scope" test "$(scoped_robot_requests)" -ge 1

fresh_cache direct-burst; upbound_clear
upbound_fault '{"path":"/service/token","delay":1,"count":1}'
burst direct16 16 "$HELPER_BIN" get
check_eq "16 concurrent gets on a cold cache: all answer the pair" "0 $R_ID" "$(burst_answers direct16)"
check_eq "... and the realm was asked once" 1 "$(verifications)"

# The registry endpoint without a scheme: https is tried once, then http
# (a loopback registry, as Docker treats them).
fresh_cache direct-scheme; upbound_clear
OVERRIDE_REGISTRY_ENDPOINT=$REG hcall get "$REG"
check_eq "registry endpoint without a scheme: verified over http after one https try" "0 1" "$H_RC $(verifications)"

# ================================================================ 2. revoked
diag "---- a revoked pair"
robot ci-revoked || e2e_finish
fresh_cache revoked
store_ok "store a robot pair" "$REG" "$R_ID" "$R_TOKEN"
upbound_revoke "$R_ID"
upbound_clear
get_absent "revoked: get answers not found (public packages pull anonymously)" "$REG"
check "... and says why on stderr" grep -q "warning: $REG: the registry's token service .* rejected robot $R_ID (HTTP 401)" "$E2E_TMP/h.err"
for i in 1 2 3; do hcall get "$REG"; done
check_eq "three more gets within the minute: still one request to the realm" 1 "$(verifications)"
robot ci-replacement || e2e_finish
store_ok "store a new robot pair" "$REG" "$R_ID" "$R_TOKEN"
get_is "after the store the new pair is asked about at once, and served" "$REG" "$R_ID" "$R_TOKEN"
check_eq "... two realm requests in all" 2 "$(verifications)"

# ================================================================ 3. realm down
diag "---- the realm fails"
fresh_cache realm-down; upbound_clear
upbound_fault '{"path":"/service/token","status":503}'
get_is "realm answers 503: the pair is handed out unverified" "$REG" "$R_ID" "$R_TOKEN"
get_is "... and nothing was cached: the next get asks again" "$REG" "$R_ID" "$R_TOKEN"
check "... (the realm was asked by both)" test "$(upbound_count /service/token)" -ge 2
check "... no verdict file" test -z "$(ls "$DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR" 2>/dev/null | grep verdict)"
upbound_clear
fresh_cache verify-off
DOCKER_CREDENTIAL_UPBOUND_VERIFY=0 hcall get "$REG"
check_eq "DOCKER_CREDENTIAL_UPBOUND_VERIFY=0: the pair, and no request at all" "0 0" "$H_RC $(upbound_count /service/token)"

# ================================================================ 4. concurrent stores
diag "---- concurrent stores"
for i in $(seq 1 16); do
    printf '{"ServerURL":"race.example.test","Username":"user-%d","Secret":"race-secret-%d"}' "$i" "$i" \
        >"$E2E_TMP/stores.in.$i"
    remember_secret "race-secret-$i"
done
burst stores 16 "$HELPER_BIN" store
check_eq "16 concurrent stores for one server: all exit 0" 16 "$(grep -l '^0$' "$E2E_TMP"/stores/rc.* | wc -l)"
check_eq "... exactly one keyring item afterwards" 1 "$(count_ours race.example.test)"
hcall get race.example.test
winner=$(out_field "$E2E_TMP/h.out" Username)
whole=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["Secret"] == "race-secret-" + d["Username"].split("-")[1])' "$E2E_TMP/h.out" 2>/dev/null)
check_eq "... and get returns one of the stored pairs, whole ($winner)" True "$whole"

# ================================================================ 5. store/erase vs a refresh
diag "---- store and erase while a get exchanges with the old token"
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session
robot ci-old || e2e_finish; OLD_ID=$R_ID OLD_TOKEN=$R_TOKEN
robot ci-new || e2e_finish; NEW_ID=$R_ID NEW_TOKEN=$R_TOKEN
for what in store erase; do
    fresh_cache "race-$what"; upbound_clear
    store_ok "$what race: store the old robot token" "$REG" "$OLD_ID" "$OLD_TOKEN"
    upbound_fault '{"path":"/v1/login","delay":2,"count":1}'
    "$HELPER_BIN" get <"$E2E_TMP/get.in" >"$E2E_TMP/slow.out" 2>"$E2E_TMP/slow.err" &
    slow=$!
    sleep 0.7    # the slow get holds the host lock, exchanging the old token
    if [ "$what" = store ]; then
        store_ok "store race: store a new robot token while the old one is being exchanged" "$REG" "$NEW_ID" "$NEW_TOKEN"
    else
        erase_ok "erase race: erase while the old token is being exchanged" "$REG"
    fi
    wait "$slow"
    cat "$E2E_TMP/slow.err" >>"$E2E_STDERR_ALL"
    old_sid=$(out_field "$E2E_TMP/slow.out" Secret)
    [ -n "$old_sid" ] && remember_secret "$old_sid"
    check "$what race: the slow get finished with the old token's session" test -n "$old_sid"
    hcall get "$REG"
    new_sid=$(out_field "$E2E_TMP/h.out" Secret)
    [ -n "$new_sid" ] && remember_secret "$new_sid"
    if [ "$what" = store ]; then
        check "store race: the next get does not serve the old token's session" test -n "$new_sid" -a "$new_sid" != "$old_sid"
        check_eq "store race: ... it logged in with the new token (2 logins)" 2 "$(n_login)"
    else
        check_eq "erase race: the next get finds nothing" "$NOT_FOUND" "$H_OUT"
    fi
done
upbound_clear

# ================================================================ 6. short lifetimes
diag "---- a credential shorter-lived than the margin"
fresh_cache short; upbound_clear
store_ok "store the robot token" "$REG" "$NEW_ID" "$NEW_TOKEN"
upbound_config '{"session_max_age":20}'
upbound_fault '{"path":"/v1/login","delay":1,"count":1}'
burst short16 16 "$HELPER_BIN" get
remember_burst short16
check_eq "Max-Age 20: 16 concurrent gets all answer _token" "0 _token" "$(burst_answers short16)"
check_eq "... with one login" 1 "$(n_login)"
upbound_config '{"session_max_age":2592000}'

# ================================================================ 7. unusable cache
diag "---- an unusable cache directory"
: >"$E2E_TMP/not-a-dir"
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/not-a-dir/cache
upbound_clear
hcall get "$REG"
s=$(out_field "$E2E_TMP/h.out" Secret); [ -n "$s" ] && remember_secret "$s"; unset s
check_eq "cache directory under a file: the exchange still answers" "0 _token 1" \
    "$H_RC $(out_field "$E2E_TMP/h.out" Username) $(n_login)"
check_eq "... with one warning" 1 "$(grep -c 'warning: .*going on without the cache' "$E2E_TMP/h.err")"

e2e_finish
