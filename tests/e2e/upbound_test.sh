#!/bin/bash
# Robot tokens exchanged against a local Upbound: the stand-in of
# tests/upbound/ (session login, org-scoped token exchange, the registry's
# token realm) and Debian's docker-registry trusting its tokens. skopeo finds
# the helper only through credHelpers in $DOCKER_CONFIG/config.json.
#
#  1. session / org-token / direct: robot token from the keyring (store),
#     UP_ROBOT_TOKEN_FILE and UP_ROBOT_TOKEN (the last two with no keyring at
#     all); push a tiny OCI image, pull it back, compare; what get returns
#  2. a valid cache costs one exchange however many operations
#  3. expiry: short lifetimes re-exchange, the new credential works
#  4. the robot token never reaches the registry realm (only exchanged
#     credentials do), stderr, the stand-in's log or the cache
#  6. faults: 503s, 429 + Retry-After, revoked robot, malformed answer,
#     no cookie (slowness past the time bound: near the end, see there)
#  7. other hosts: stored credential unchanged, unknown host not found,
#     neither talks to Upbound
#  8. store (and erase) of the robot token invalidates the cache; so does
#     a new token written over UP_ROBOT_TOKEN_FILE; other spellings of the
#     registry share the cached credential
#  5. (last: it stops the stand-in) Upbound down: a valid cache still
#     serves; an expired or absent one fails with one line within the bound
#
# Secrets never go into argv: helper input through pipes/files, skopeo's
# credentials only via the helper, curl/python get them from files or the
# environment.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
umask 077

EXCHANGE_PATH=/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens
ROBOT_TOKENS=$E2E_TMP/robot-tokens        # every robot token: never in logs/cache
SKOPEO_LOG=$E2E_TMP/skopeo-all.log        # every skopeo output, checked for secrets
: >"$ROBOT_TOKENS"; : >"$SKOPEO_LOG"
REAL_DBUS=${DBUS_SESSION_BUS_ADDRESS:-}
NO_DBUS="unix:path=$E2E_TMP/no-such-bus/bus"

# Nothing from the caller's environment may change the helper's settings.
e2e_clean_env
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export UP_DEBUG=1            # diagnostics on stderr, checked for secrets like the rest

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
ok "Upbound stand-in on $UPBOUND_URL, docker-registry with token auth on $REGISTRY_HOST"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL OVERRIDE_REGISTRY_ENDPOINT=$REG

OTHER=other.upbound-e2e.example.test:5000     # a non-Upbound registry (test 7)
cleanup_upbound_test() {
    export DBUS_SESSION_BUS_ADDRESS=$REAL_DBUS
    HCALL_TIMEOUT=5 hcall erase "$REG"
    HCALL_TIMEOUT=5 hcall erase "$OTHER"
}
e2e_on_exit cleanup_upbound_test

printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
printf 'unqualified-search-registries = []\n' >"$E2E_TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$E2E_TMP/registries.conf" --policy "$E2E_TMP/policy.json"
        --tmpdir "$E2E_TMP")
diag "docker-credential-upbound on PATH: $(command -v docker-credential-upbound)"

# ---------------------------------------------------------------- helpers

# jfield FILE KEY: a string field of a JSON file
jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# robot ORG NAME FILE: mint a robot token into FILE, remember its secret
robot() {
    mint_robot "$1" "$2" "$3" || { not_ok "mint robot $2 of $1"; return 1; }
    local t
    t=$(jfield "$3" token)
    remember_secret "$t"
    printf '%s\n' "$t" >>"$ROBOT_TOKENS"
}

# use KIND SOURCE [TOKEN-FILE]: exchange KIND, robot token from SOURCE
# (keyring | file | env), with the real session bus (SOURCE keyring) or
# none at all (file, env).
use() {
    unset UP_ROBOT_TOKEN UP_ROBOT_TOKEN_FILE UP_ROBOT_ACCESS_ID DOCKER_CREDENTIAL_UPBOUND_TIMEOUT
    export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=$1 UP_ORGANIZATION=acme
    case $2 in
        keyring) export DBUS_SESSION_BUS_ADDRESS=$REAL_DBUS ;;
        file) export UP_ROBOT_TOKEN_FILE=$3 DBUS_SESSION_BUS_ADDRESS=$NO_DBUS ;;
        env) UP_ROBOT_TOKEN=$(jfield "$3" token); export UP_ROBOT_TOKEN
             export DBUS_SESSION_BUS_ADDRESS=$NO_DBUS ;;
    esac
}

# cache_dir NAME: a fresh cache directory for the helper
cache_dir() {
    export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/caches/$1
    mkdir -p "$E2E_TMP/caches"
}

# get_cred: `get $REG`; on success (exit 0, one JSON line, ServerURL as asked,
# non-empty Username and Secret) sets G_USER and G_SECRET and returns 0;
# otherwise G_WHY says what was wrong.
get_cred() {
    G_USER='' G_SECRET='' G_WHY=''
    hcall get "$REG"
    if [ "$H_RC" != 0 ]; then G_WHY="exit $H_RC"; return 1; fi
    local parsed
    parsed=$(E_URL=$REG "$PY" - "$E2E_TMP/h.out" <<'EOF'
import json, os, sys
raw = open(sys.argv[1], "rb").read()
if raw.count(b"\n") != 1 or not raw.endswith(b"\n"):
    print("ERR stdout is not exactly one line"); sys.exit()
try:
    d = json.loads(raw)
except Exception:
    print("ERR stdout is not JSON"); sys.exit()
if not isinstance(d, dict) or d.get("ServerURL") != os.environ["E_URL"]:
    print("ERR ServerURL differs"); sys.exit()
u, s = d.get("Username"), d.get("Secret")
if not isinstance(u, str) or not u or not isinstance(s, str) or not s or "\n" in u + s:
    print("ERR Username or Secret missing"); sys.exit()
print("OK"); print(u); print(s)
EOF
)
    case $parsed in
        OK*) { read -r _; read -r G_USER; read -r G_SECRET; } <<<"$parsed"
             remember_secret "$G_SECRET"; return 0 ;;
        *) G_WHY=${parsed#ERR }; return 1 ;;
    esac
}

# get_ok DESC USER: get_cred and Username must be USER
get_ok() {
    if get_cred && [ "$G_USER" = "$2" ]; then ok "$1"; return 0; fi
    not_ok "$1"; diag "${G_WHY:-Username is $(printf '%q' "$G_USER")}"; h_diag; return 1
}

# get_fails DESC PATTERN: get exits 1 with one line on stdout matching PATTERN
get_fails() {
    hcall get "$REG"
    if [ "$H_RC" = 1 ] && [ "$H_LINES" = 1 ] && printf '%s' "$H_OUT" | grep -q -- "$2"; then
        ok "$1"; diag "$H_OUT (${H_SECS}s)"; return 0
    fi
    not_ok "$1"; h_diag out; return 1
}

# is_robot_token VALUE: VALUE is one of the minted robot tokens (compared in
# the shell: no secret in any argv)
is_robot_token() {
    local t
    while IFS= read -r t; do [ "$t" = "$1" ] && return 0; done <"$ROBOT_TOKENS"
    return 1
}

# whoami: the robot name /v1/self reports for the session in the last get
# output (python reads the SID from the file, never from argv)
whoami() {
    "$PY" - "$UPBOUND_URL/v1/self" "$E2E_TMP/h.out" <<'EOF' 2>/dev/null
import json, sys, urllib.request
sid = json.load(open(sys.argv[2]))["Secret"]
req = urllib.request.Request(sys.argv[1], headers={"Cookie": "SID=" + sid})
try:
    print(json.load(urllib.request.urlopen(req, timeout=5))["robot"]["name"])
except Exception as e:
    print("error: %s" % getattr(e, "code", type(e).__name__))
EOF
}

n_login() { upbound_count /v1/login; }
n_orgtok() { upbound_count "$EXCHANGE_PATH"; }
# n_all: requests to Upbound's endpoints (the test API's own are logged too)
n_all() {
    upbound_requests |
        "$PY" -c 'import json,sys; print(sum(not r["path"].startswith("/_test/") for r in json.load(sys.stdin)))'
}
# realm_creds: the sorted set of credential kinds presented to /service/token
realm_creds() {
    upbound_requests | "$PY" -c '
import json, sys
print(",".join(sorted({r["cred"] for r in json.load(sys.stdin) if r["path"] == "/service/token"})))'
}

# A tiny OCI image layout, made by hand (as in skopeo_test.sh)
"$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "hello from the docker-credential-upbound upbound e2e test"
LAYER=$(cat "$E2E_TMP/image/layer.digest"); LAYER=${LAYER#sha256:}
CONFIG=$(cat "$E2E_TMP/image/config.digest"); CONFIG=${CONFIG#sha256:}

sk() { # sk ARGS...: skopeo, output in $E2E_TMP/skopeo.out (and the overall log)
    timeout 60 "${SKOPEO[@]}" "$@" >"$E2E_TMP/skopeo.out" 2>&1
    local rc=$?
    cat "$E2E_TMP/skopeo.out" >>"$SKOPEO_LOG"
    return $rc
}
skopeo_diag() { sed -n '1,6s/^/#   /p' "$E2E_TMP/skopeo.out"; }
push() { sk copy --dest-tls-verify=false "oci:$E2E_TMP/image:v1" "docker://$REG/acme/pkg:$1"; }
# pull TAG: pull it back into a fresh layout; same layer and config bytes?
pull_same() {
    rm -rf "$E2E_TMP/out"
    sk copy --src-tls-verify=false "docker://$REG/acme/pkg:$1" "oci:$E2E_TMP/out:$1" &&
        cmp -s "$E2E_TMP/image/blobs/sha256/$LAYER" "$E2E_TMP/out/blobs/sha256/$LAYER" &&
        cmp -s "$E2E_TMP/image/blobs/sha256/$CONFIG" "$E2E_TMP/out/blobs/sha256/$CONFIG"
}
inspect() { sk inspect --tls-verify=false "docker://$REG/acme/pkg:$1" && grep -q "$LAYER" "$E2E_TMP/skopeo.out"; }

# ================================================================ 1, 2, 4
# robot tokens: one per exchange kind
robot acme ci-session "$E2E_TMP/robot-session.json" || e2e_finish
robot acme ci-orgtoken "$E2E_TMP/robot-orgtoken.json" || e2e_finish
robot acme ci-direct "$E2E_TMP/robot-direct.json" || e2e_finish

# The session kind reads its robot token from the keyring: `store` it
# (ServerURL = the registry, Username = accessId, Secret = token).
ID_SESSION=$(jfield "$E2E_TMP/robot-session.json" accessId)
use session keyring
store_ok "store the session robot token for $REG in the keyring" "$REG" "$ID_SESSION" \
    "$(jfield "$E2E_TMP/robot-session.json" token)"

for kind in session org-token direct; do
    case $kind in
        session)   use session keyring; src="the keyring"; user=_token
                   exch_count() { n_login; }; want_realm=session-basic ;;
        org-token) use org-token file "$E2E_TMP/robot-orgtoken.json"; user=_token
                   src="UP_ROBOT_TOKEN_FILE, no session bus"
                   exch_count() { n_orgtok; }; want_realm=org-token-basic ;;
        direct)    use direct env "$E2E_TMP/robot-direct.json"; src="UP_ROBOT_TOKEN, no session bus"
                   user=$(jfield "$E2E_TMP/robot-direct.json" accessId)
                   exch_count() { echo $(( $(n_login) + $(n_orgtok) )); }; want_realm=robot-basic ;;
    esac
    cache_dir main
    upbound_clear
    diag "---- $kind exchange, robot token from $src"
    if push "$kind"; then
        ok "$kind: skopeo copy oci:IMAGE docker://$REG/acme/pkg:$kind (credHelpers -> upbound, token from $src)"
    else
        not_ok "$kind: skopeo copy oci:IMAGE docker://$REG/acme/pkg:$kind (token from $src)"; skopeo_diag
    fi
    if pull_same "$kind"; then
        ok "$kind: skopeo pulls acme/pkg:$kind back with the same layer and config"
    else
        not_ok "$kind: skopeo pulls acme/pkg:$kind back with the same layer and config"; skopeo_diag
    fi
    get_ok "$kind: get $REG answers Username $([ "$kind" = direct ] && echo '<accessId>' || echo "$user")" "$user"
    first=$G_SECRET
    if [ "$kind" = direct ]; then
        t=$(jfield "$E2E_TMP/robot-direct.json" token)
        check "direct: the Secret is the robot token as given" test "$G_SECRET" = "$t"
    else
        if [ -n "$G_SECRET" ] && ! is_robot_token "$G_SECRET"; then
            ok "$kind: the Secret is an exchanged credential, not a robot token"
        else
            not_ok "$kind: the Secret is an exchanged credential, not a robot token"
        fi
    fi
    case $kind in
        session) check_eq "session: the Secret is a live session of robot ci-session (/v1/self)" \
                     ci-session "$(whoami)" ;;
        org-token) kind_claim=$("$PY" -c '
import base64, json, sys
d = json.load(open(sys.argv[1])); p = d["Secret"].split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
print(c.get("kind"), c.get("org"), c.get("scope"))' "$E2E_TMP/h.out" 2>/dev/null)
                   check_eq "org-token: the Secret is an org-scoped token for acme" \
                       "org-scoped acme upbound:org:acme" "$kind_claim" ;;
    esac

    # 2. more operations while the cache is valid: still one exchange
    n=0
    inspect "$kind" && n=$((n + 1))
    sk inspect --tls-verify=false --raw "docker://$REG/acme/pkg:$kind" && n=$((n + 1))
    sk list-tags --tls-verify=false "docker://$REG/acme/pkg" && grep -q "\"$kind\"" "$E2E_TMP/skopeo.out" && n=$((n + 1))
    pull_same "$kind" && n=$((n + 1))
    push "$kind-again" && n=$((n + 1))
    check_eq "$kind: 5 more skopeo operations (inspect, inspect --raw, list-tags, pull, push) succeed" 5 "$n"
    get_cred
    check "$kind: a second get answers the same credential" test -n "$first" -a "$G_SECRET" = "$first"
    if [ "$kind" = direct ]; then
        check_eq "direct: no exchange at all (no /v1/login, no org-token requests)" 0 "$(exch_count)"
    else
        check_eq "$kind: all of that cost exactly one exchange" 1 "$(exch_count)"
    fi

    # 4. what the registry's token realm saw
    check_eq "$kind: the registry realm (/service/token) only saw $want_realm credentials" \
        "$want_realm" "$(realm_creds)"
done

# cache files and directory are private; no robot token in it
perm_bad=$(find "$E2E_TMP/caches/main" \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \) | wc -l)
n_files=$(find "$E2E_TMP/caches/main" -type f -name '*.json' | wc -l)
check_eq "cache: 2 entries (session, org-token; none for direct)" 2 "$n_files"
check_eq "cache: directory mode 0700, every file mode 0600" 0 "$perm_bad"

# ================================================================ 3. expiry
diag "---- expiry"
use session file "$E2E_TMP/robot-session.json"
cache_dir expiry
upbound_clear
# A session that lives 20 s, below the 30 s margin: the margin shrinks to
# a quarter of the lifetime, so the cache serves it (issue 7: before, every
# get logged in again).
upbound_config '{"session_max_age":20}'
get_cred; s1=$G_SECRET
get_cred; s2=$G_SECRET
check_eq "Max-Age 20 (< 30 s margin): two gets, one login" 1 "$(n_login)"
check "Max-Age 20: the two gets answer the same session" test -n "$s1" -a "$s1" = "$s2"

# Max-Age 4: usable for 3 s (margin 1 s), then a new login
upbound_config '{"session_max_age":4}'
cache_dir expiry4
upbound_clear
t0=$(date +%s.%N)
get_ok "Max-Age 4: get logs in" _token; s1=$G_SECRET
get_cred; s2=$G_SECRET
check_eq "Max-Age 4: an immediate second get is a cache hit (one login)" 1 "$(n_login)"
check "Max-Age 4: same session both times" test -n "$s1" -a "$s1" = "$s2"
upbound_config '{"session_max_age":3600}'
sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN{w = t0 + 4.2 - now; print (w > 0 ? w : 0)}')"
get_ok "Max-Age 4, 4 s later: get succeeds" _token; s3=$G_SECRET
check_eq "Max-Age 4, 4 s later: a new login happened" 2 "$(n_login)"
check "Max-Age 4, 4 s later: a new session" test -n "$s3" -a "$s3" != "$s1"
check_eq "the new session is live (/v1/self)" ci-session "$(whoami)"
if push expiry; then ok "skopeo push with the refreshed session"; else not_ok "skopeo push with the refreshed session"; skopeo_diag; fi
check_eq "the push reused the refreshed session (no further login)" 2 "$(n_login)"

# org-scoped token that lives 34 s
use org-token file "$E2E_TMP/robot-orgtoken.json"
upbound_config '{"org_token_expires_in":4}'
upbound_clear
t0=$(date +%s.%N)
get_cred; o1=$G_SECRET
get_cred; o2=$G_SECRET
check "expires_in 4: second get is a cache hit (one exchange, same token)" \
    test "$(n_orgtok)" = 1 -a -n "$o1" -a "$o1" = "$o2"
upbound_config '{"org_token_expires_in":3600}'
sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN{w = t0 + 4.2 - now; print (w > 0 ? w : 0)}')"
get_ok "expires_in 4, 4 s later: get succeeds" _token; o3=$G_SECRET
check "expires_in 4, 4 s later: a new exchange and a new token" \
    test "$(n_orgtok)" = 2 -a -n "$o3" -a "$o3" != "$o1"
if push expiry-org; then ok "skopeo push with the refreshed org-scoped token"; else not_ok "skopeo push with the refreshed org-scoped token"; skopeo_diag; fi
upbound_config '{"session_max_age":3600,"org_token_expires_in":3600}'

# ================================================================ 6. faults
diag "---- faults"
use session file "$E2E_TMP/robot-session.json"

cache_dir f503; upbound_clear
upbound_fault '{"path":"/v1/login","status":503,"count":2}'
get_ok "503 twice, then success: get succeeds" _token
check_eq "503 twice, then success: 3 login attempts" 3 "$(n_login)"

cache_dir f503all; upbound_clear
upbound_fault '{"path":"/v1/login","status":503}'
get_fails "503 always: one line naming the 503" "^docker-credential-upbound: error: Upbound failed: .*answered 503"
check_eq "503 always: 4 attempts in all" 4 "$(n_login)"
upbound_clear

cache_dir f429; upbound_clear
upbound_fault '{"path":"/v1/login","status":429,"retry_after":1,"count":1}'
get_ok "429 with Retry-After 1: get succeeds" _token
check "429 with Retry-After 1: the retry waited at least 1 s (${H_SECS}s)" \
    awk -v s="$H_SECS" 'BEGIN{exit !(s >= 1.0)}'
check_eq "429 with Retry-After 1: 2 login attempts" 2 "$(n_login)"

robot acme revoked "$E2E_TMP/robot-revoked.json"
upbound_revoke "$(jfield "$E2E_TMP/robot-revoked.json" accessId)"
for kind in session org-token; do
    use "$kind" file "$E2E_TMP/robot-revoked.json"
    cache_dir "revoked-$kind"; upbound_clear
    # not found (public packages pull anonymously), and why on stderr
    get_fails "$kind with a revoked robot: not found" "^credentials not found in native keychain$"
    check "$kind with a revoked robot: stderr says Upbound rejected the robot token" \
        grep -q "warning: $REG: Upbound rejected the robot token.* answered 40[13] 0 s ago; answering without credentials" "$E2E_TMP/h.err"
    check_eq "$kind with a revoked robot: no retry (1 request)" 1 "$(( $(n_login) + $(n_orgtok) ))"
    # one docker pull asks several times: the rejection is remembered
    for i in 1 2 3; do hcall get "$REG"; done
    check_eq "$kind with a revoked robot: three more gets, still 1 request to Upbound" 1 "$(( $(n_login) + $(n_orgtok) ))"
done

use org-token file "$E2E_TMP/robot-orgtoken.json"
cache_dir malformed; upbound_clear
upbound_fault "{\"path\":\"$EXCHANGE_PATH\",\"malformed\":true}"
get_fails "org-token answered with HTML instead of JSON: one clear line" \
    "^docker-credential-upbound: error: Upbound failed: .*orgscopedtokens.*access_token"
upbound_clear
upbound_fault "{\"path\":\"$EXCHANGE_PATH\",\"malformed\":true,\"body\":\"{\\\"token_type\\\":\\\"Bearer\\\"}\",\"content_type\":\"application/json\"}"
get_fails "org-token answered JSON without access_token: one clear line" \
    "^docker-credential-upbound: error: Upbound failed: .*access_token"
upbound_clear

use session file "$E2E_TMP/robot-session.json"
cache_dir nocookie; upbound_clear
upbound_fault '{"path":"/v1/login","no_cookie":true}'
get_fails "login answered 200 without a SID cookie: one clear line" \
    "^docker-credential-upbound: error: Upbound failed: .*without a SID cookie"
upbound_clear


# ================================================================ 7. other hosts
diag "---- hosts that are not Upbound registries"
use session file "$E2E_TMP/robot-session.json"
export DBUS_SESSION_BUS_ADDRESS=$REAL_DBUS
cache_dir main
upbound_clear
OTHER_SECRET='other-registry-pass-Wd7'
store_ok "store a credential for the non-Upbound registry $OTHER" "$OTHER" alice "$OTHER_SECRET"
get_is "get $OTHER returns the stored credential unchanged" "$OTHER" alice "$OTHER_SECRET"
get_absent "get unknown.upbound-e2e.example.test answers '$NOT_FOUND'" unknown.upbound-e2e.example.test
check_eq "neither get sent a request to Upbound" 0 "$(n_all)"

# ================================================================ 8. store invalidates
diag "---- store of a new robot token"
use session keyring
cache_dir store
upbound_clear
get_ok "keyring robot ci-session: get logs in" _token
check_eq "get with the keyring robot: one login" 1 "$(n_login)"
get_cred
check_eq "a second get is a cache hit" 1 "$(n_login)"
robot acme ci-rotated "$E2E_TMP/robot-rotated.json"
store_ok "store the new robot token ci-rotated for $REG" "$REG" \
    "$(jfield "$E2E_TMP/robot-rotated.json" accessId)" "$(jfield "$E2E_TMP/robot-rotated.json" token)"
get_ok "get after store succeeds" _token
check_eq "get after store logged in again" 2 "$(n_login)"
check_eq "... as the new robot (/v1/self says ci-rotated)" ci-rotated "$(whoami)"
if push rotated; then ok "skopeo push with the new robot's session"; else not_ok "skopeo push with the new robot's session"; skopeo_diag; fi
erase_ok "erase $REG" "$REG"
get_absent "get $REG after erase: '$NOT_FOUND' (the cached session is dropped too)" "$REG"
check_eq "... without another login" 2 "$(n_login)"

# the same for UP_ROBOT_TOKEN_FILE: a new token written over the file
use session file "$E2E_TMP/robot-file.json"
robot acme ci-file-1 "$E2E_TMP/robot-file.json"
cache_dir file-rotation; upbound_clear
get_cred; get_cred
check_eq "UP_ROBOT_TOKEN_FILE: two gets, one login" 1 "$(n_login)"
robot acme ci-file-2 "$E2E_TMP/robot-file.json"     # rewrites the same file
get_ok "UP_ROBOT_TOKEN_FILE rewritten with another robot: get succeeds" _token
check_eq "... after a new login" 2 "$(n_login)"
check_eq "... as the new robot (/v1/self says ci-file-2)" ci-file-2 "$(whoami)"

# other spellings of the Upbound registry share the cached credential
get_cred; plain=$G_SECRET
for spelling in "https://$REG" "https://$REG/" "http://$REG/v2/"; do
    hcall get "$spelling"
    same=$(E_URL=$spelling "$PY" -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
print(d.get("ServerURL") == os.environ["E_URL"] and d.get("Username") == "_token"
      and d.get("Secret") == os.fdopen(3).read())' "$E2E_TMP/h.out" 3< <(printf '%s' "$plain") 2>/dev/null)
    check_eq "get '$spelling' answers the cached session of $REG (ServerURL echoed)" "0 True" "$H_RC $same"
done
check_eq "... without another login" 2 "$(n_login)"

# ================================================================ 4. leaks so far
leak_check() { # leak_check WHAT FILES...: no robot token in FILES
    if grep -rqF -f "$ROBOT_TOKENS" "${@:2}" 2>/dev/null; then not_ok "no robot token in $1"
    else ok "no robot token in $1"; fi
}

# ================================================================ 6. slowness
# (the stand-in logs the delayed login only when it ends, 8 s later: this
# runs last before the stand-in is stopped, so that no count sees it)
use session file "$E2E_TMP/robot-session.json"
cache_dir slow; upbound_clear
upbound_fault '{"path":"/v1/login","delay":8}'
export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=3
get_fails "login slower (8 s) than DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=3: one line" \
    "^docker-credential-upbound: error: "
check "... and within the bound: ${H_SECS}s < 3 + 2 s" elapsed_under 5
unset DOCKER_CREDENTIAL_UPBOUND_TIMEOUT
upbound_clear

# ================================================================ 5. Upbound down
diag "---- Upbound down"
use session file "$E2E_TMP/robot-session.json"
cache_dir warm; upbound_clear
get_ok "warm the cache (session lives an hour)" _token; warm=$G_SECRET
upbound_config '{"session_max_age":1}'
cache_dir stale
get_ok "a session that is usable for less than a second" _token
upbound_config '{"session_max_age":3600}'
sleep 1.2
kill "$UPBOUND_PID" 2>/dev/null; wait "$UPBOUND_PID" 2>/dev/null
SERVICES_PIDS=${SERVICES_PIDS/ $UPBOUND_PID/}
check "the stand-in is stopped" test ! -e "/proc/$UPBOUND_PID" -o "$(ps -o stat= -p "$UPBOUND_PID" 2>/dev/null | cut -c1)" = Z

export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=5     # (use unsets it)
cache_dir warm
get_ok "Upbound down, valid cache: get still answers" _token
check "Upbound down, valid cache: the cached session" test -n "$warm" -a "$G_SECRET" = "$warm"
check "... at once (${H_SECS}s < 2 s)" elapsed_under 2
cache_dir stale
get_fails "Upbound down, expired cache: one line 'cannot reach Upbound'" \
    "^docker-credential-upbound: error: cannot reach Upbound: "
check "... within the bound (${H_SECS}s < 5 + 2 s)" elapsed_under 7
cache_dir absent
get_fails "Upbound down, no cache: one line 'cannot reach Upbound'" \
    "^docker-credential-upbound: error: cannot reach Upbound: "
check "... within the bound (${H_SECS}s < 5 + 2 s)" elapsed_under 7
use org-token file "$E2E_TMP/robot-orgtoken.json"
export DOCKER_CREDENTIAL_UPBOUND_TIMEOUT=5
get_fails "Upbound down, org-token, no cache: one line 'cannot reach Upbound'" \
    "^docker-credential-upbound: error: cannot reach Upbound: "
check "... within the bound (${H_SECS}s < 5 + 2 s)" elapsed_under 7
unset DOCKER_CREDENTIAL_UPBOUND_TIMEOUT

# ================================================================ 4. leaks
leak_check "the stand-in's request log and output ($UPBOUND_DIR)" "$UPBOUND_DIR"
leak_check "any cache file ($(find "$E2E_TMP/caches" -type f | wc -l) files)" "$E2E_TMP/caches"
leak_check "the registry's log" "$E2E_TMP/registry/registry.log"
if grep -qF -f "$E2E_SECRETS" "$SKOPEO_LOG"; then not_ok "no secret in skopeo's output"
else ok "no secret in skopeo's output ($(wc -l <"$SKOPEO_LOG") lines)"; fi

e2e_finish
