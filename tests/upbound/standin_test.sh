#!/bin/bash
# Proves the Upbound stand-in (tests/upbound/standin.py) and the shell
# functions of tests/lib/upbound.sh: curl against the stand-in's endpoints,
# skopeo against Debian's docker-registry that trusts the stand-in's tokens.
#
# Output: "ok - ..." / "not ok - ..." per check, "#" diagnostics; exits
# non-zero when a check fails.  Secrets never appear in any argv: curl reads
# headers from a config on stdin (printf builtin), bodies from 0600 files,
# skopeo reads credentials from an auth.json.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
unset SERVICES_PIDS
. "$REPO/tests/lib/services.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/tls.sh"
PY=/usr/bin/python3

T0=$(date +%s)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/upbound-standin.XXXXXX")
chmod 0700 "$TMP"
cleanup() { stop_services; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
umask 077

make_test_home "$TMP/home"     # skopeo must not find anybody's credentials

FAILS=0
PASSES=0
ok() { echo "ok - $*"; PASSES=$((PASSES + 1)); }
not_ok() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESC CMD...: ok when CMD succeeds
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { sed -n '1,8s/^/#   /p' "$@"; }
SECRETS=$TMP/secrets              # every secret value, one per line, for the leak check
: >"$SECRETS"
remember_secret() { [ -n "$1" ] && printf '%s\n' "$1" >>"$SECRETS"; }

# call METHOD PATH [CONFIG]: curl the stand-in; CONFIG holds curl config
# lines (headers, data) and goes through stdin. Sets STATUS; the body is in
# $TMP/body, the response headers in $TMP/hdr.
call() {
    local method=$1 path=$2 cfg=${3:-}
    STATUS=$(printf '%s\n' "$cfg" | curl -s --max-time 20 -K - -X "$method" \
        -D "$TMP/hdr" -o "$TMP/body" -w '%{http_code}' "$UPBOUND_URL$path")
}
# json EXPR: evaluate a python expression over d = the last response body
json() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/body" "$1" 2>/dev/null; }
header() { tr -d '\r' <"$TMP/hdr" | sed -n "s/^$1: //Ip" | head -1; }
b64() { printf '%s' "$1" | base64 -w0; }
cookie_cfg() { printf 'header = "Cookie: SID=%s"' "$1"; }
basic_cfg() { printf 'header = "Authorization: Basic %s"' "$(b64 "$1:$2")"; }
json_cfg() { # json_cfg FILE: send FILE as a JSON body
    printf 'header = "Content-Type: application/json"\ndata-binary = "@%s"' "$1"
}

login() { # login ID PASSWORD: POST /v1/login; SID set from the cookie
    printf '{"id":"%s","password":"%s","remember":true}' "$1" "$2" >"$TMP/login.json"
    call POST /v1/login "$(json_cfg "$TMP/login.json")"
    SID=$(tr -d '\r' <"$TMP/hdr" | sed -n 's/^Set-Cookie: SID=\([^;]*\).*/\1/Ip' | head -1)
    remember_secret "$SID"
}
exchange() { # exchange SUBJECT ORG [EXTRA-FORM]: POST the org-scoped token exchange
    printf 'grant_type=%s&subject_token_type=%s&subject_token=%s&scope=upbound:org:%s&audience=upbound:spaces:api&audience=upbound:spaces:controlplanes%s' \
        'urn:ietf:params:oauth:grant-type:token-exchange' \
        'urn:ietf:params:oauth:token-type:id_token' "$1" "$2" "${3:-}" >"$TMP/form"
    call POST /apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens \
        "$(printf 'header = "Content-Type: %s"\ndata-binary = "@%s"' \
            "${FORM_CTYPE:-application/x-www-form-urlencoded}" "$TMP/form")"
}
realm() { # realm USER PASS SCOPE: GET the registry token realm (USER empty: anonymous)
    local cfg=
    [ -n "$1" ] && cfg=$(basic_cfg "$1" "$2")
    call GET "/service/token?service=$UPBOUND_SERVICE&scope=$3" "$cfg"
}
# claims FILE-OR-TOKEN-IN-BODY: decode the token of the last realm answer
token_claims() {
    "$PY" -c '
import json, sys, jwt
t = json.load(open(sys.argv[1]))["token"]
print(json.dumps({"header": jwt.get_unverified_header(t),
                  "claims": jwt.decode(t, options={"verify_signature": False})}))' "$TMP/body"
}
auth_json() { # auth_json FILE USER PASS: a containers auth.json for the registry, 0600
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY_HOST" "$(b64 "$2:$3")" >"$1"
    chmod 0600 "$1"
}

# ------------------------------------------------------------------ services
if make_test_certs "$TMP/certs"; then
    ok "tests/lib/tls.sh: a CA; valid, self-signed, expired and wrong-host certificates (openssl verify agrees)"
else
    not_ok "tests/lib/tls.sh makes the test certificates"; diag "$TMP/certs/openssl.log"
fi
if start_upbound "$TMP/upbound" --listen "tls:$TMP/certs/valid.crt:$TMP/certs/valid.key" \
        --listen "self:$TMP/certs/selfsigned.crt:$TMP/certs/selfsigned.key"; then
    ok "stand-in listens on $UPBOUND_URL, wrote token.crt"
else
    not_ok "start the stand-in"; exit 1
fi
if start_token_registry "$TMP/registry"; then
    ok "docker-registry with token auth on $REGISTRY_HOST answers 401 Bearer"
else
    not_ok "start docker-registry with token auth"; exit 1
fi
check "the stand-in's certificate is a critical CA:TRUE" \
    sh -c "openssl x509 -in '$UPBOUND_DIR/token.crt' -noout -text | grep -A1 'Basic Constraints: critical' | grep -q 'CA:TRUE'"

# ------------------------------------------------------------------ robots
mint_robot acme ci "$TMP/robot.json"
check "mint_robot writes {accessId, token} with mode 0600" \
    test "$(stat -c %a "$TMP/robot.json")" = 600
AID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$TMP/robot.json")
TOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/robot.json")
remember_secret "$TOKEN"
check "the robot token is a JWT with jti = accessId, sub = robot|ci, org acme" \
    "$PY" -c '
import json, sys, uuid, jwt
d = json.load(open(sys.argv[1]))
c = jwt.decode(d["token"], options={"verify_signature": False})
assert sorted(d) == ["accessId", "token"]
assert uuid.UUID(d["accessId"]).version == 4
assert c["jti"] == d["accessId"] and c["sub"] == "robot|ci" and c["org"] == "acme"
assert "exp" not in c' "$TMP/robot.json"
mint_robot other bot "$TMP/other.json"
OAID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$TMP/other.json")
OTOKEN=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/other.json")
remember_secret "$OTOKEN"

# ------------------------------------------------------------------ login / self / logout
login "$AID" "${TOKEN}x"
check "login with a bad password: 401 {\"message\":\"Unauthorized\"}" \
    test "$STATUS:$(json 'd["message"]'):$SID" = "401:Unauthorized:"
login "$OAID" "$TOKEN"
check "login with an id that is not the token's jti: 401" test "$STATUS" = 401
login "$AID" "$TOKEN"
SETCOOKIE=$(header Set-Cookie | sed 's/SID=[^;]*/SID=<sid>/')
check "login: 200 and an SID cookie" test "$STATUS" = 200 -a -n "$SID"
check "cookie: Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax, no Secure ($SETCOOKIE)" \
    test "$SETCOOKIE" = "SID=<sid>; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax"
check "login body carries no token" sh -c "! grep -qF -f '$SECRETS' '$TMP/body'"
SESSION=$SID
call GET /v1/self "$(cookie_cfg "$SESSION")"
check "/v1/self with the cookie: 200, robot ci of acme" \
    test "$STATUS:$(json 'd["organization"]["name"]+"/"+d["robot"]["name"]')" = "200:acme/ci"
call GET /v1/self
check "/v1/self without a cookie: 401" test "$STATUS" = 401
call GET /v1/self "$(cookie_cfg "not-a-session")"
check "/v1/self with an unknown SID: 401" test "$STATUS" = 401
login "$AID" "$TOKEN"; SESSION2=$SID
call POST /v1/logout "$(cookie_cfg "$SESSION2")"
check "logout: 200" test "$STATUS" = 200
call GET /v1/self "$(cookie_cfg "$SESSION2")"
check "/v1/self after logout: 401" test "$STATUS" = 401

# ------------------------------------------------------------------ org-scoped token exchange
exchange "$TOKEN" acme
ORGTOKEN=$(json 'd["access_token"]')
remember_secret "$ORGTOKEN"
check "exchange a robot token for acme: 200, Bearer access_token, expires_in 3600" \
    test "$STATUS:$(json 'd["token_type"]+" "+d["issued_token_type"]+" "+str(d["expires_in"])')" = \
        "200:Bearer urn:ietf:params:oauth:token-type:access_token 3600"
exchange "$SESSION" acme
ORGTOKEN2=$(json 'd["access_token"]')
remember_secret "$ORGTOKEN2"
check "exchange a session id for acme: 200" test "$STATUS" = 200 -a -n "$ORGTOKEN2"
exchange "$TOKEN" other
check "exchange for another org: 403" test "$STATUS" = 403
exchange "${TOKEN}x" acme
check "exchange a bad subject token: 401" test "$STATUS" = 401
exchange "$SESSION2" acme
check "exchange a logged-out session: 401" test "$STATUS" = 401
exchange "$TOKEN" acme "&grant_type=password"
check "exchange with grant_type twice: 400 invalid_request" \
    test "$STATUS:$(json 'd["error"]')" = "400:invalid_request"
exchange "$TOKEN" acme "&audience=somewhere-else"
check "exchange with an unknown audience: 400 invalid_target" \
    test "$STATUS:$(json 'd["error"]')" = "400:invalid_target"
FORM_CTYPE=application/json exchange "$TOKEN" acme
check "exchange not form-encoded: 400 invalid_request" \
    test "$STATUS:$(json 'd["error"]')" = "400:invalid_request"
printf 'grant_type=client_credentials&subject_token=x' >"$TMP/form"
call POST /apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens \
    "$(printf 'header = "Content-Type: application/x-www-form-urlencoded"\ndata-binary = "@%s"' "$TMP/form")"
check "exchange with another grant_type: 400 unsupported_grant_type" \
    test "$STATUS:$(json 'd["error"]')" = "400:unsupported_grant_type"
printf 'grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=x&scope=upbound:org:acme' >"$TMP/form"
call POST /apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens \
    "$(printf 'header = "Content-Type: application/x-www-form-urlencoded"\ndata-binary = "@%s"' "$TMP/form")"
check "exchange without subject_token_type: 400 invalid_request" \
    test "$STATUS:$(json 'd["error"]')" = "400:invalid_request"

# ------------------------------------------------------------------ registry token realm
realm "$AID" "$TOKEN" "repository:acme/pkg:pull,push&scope=repository:other/pkg:pull"
remember_secret "$(json 'd["token"]')"
check "realm with robot Basic creds: 200, token = access_token, expires_in 300, issued_at" \
    test "$STATUS:$(json 'd["token"]==d["access_token"] and d["expires_in"]==300 and d["issued_at"].endswith("Z")')" = "200:True"
check "realm token: RS256, typ JWT, x5c = token.crt; iss/aud/sub; acme/pkg pull,push, other/pkg nothing" \
    "$PY" -c '
import base64, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
t = json.loads(sys.stdin.read())
h, c = t["header"], t["claims"]
der = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read()).public_bytes(serialization.Encoding.DER)
assert h["alg"] == "RS256" and h["typ"] == "JWT" and h["x5c"] == [base64.b64encode(der).decode()]
assert c["iss"] == "test-issuer" and c["aud"] == "test-registry" and c["sub"] == "robot|ci"
assert c["nbf"] <= c["iat"] < c["exp"] and c["jti"]
acc = {a["name"]: a["actions"] for a in c["access"]}
assert acc == {"acme/pkg": ["pull", "push"], "other/pkg": []}, acc
' "$UPBOUND_DIR/token.crt" < <(token_claims)
realm "" "" "repository:acme/pkg:pull"
check "realm anonymous: 200 with a token granting nothing" \
    test "$STATUS:$(token_claims | "$PY" -c 'import json,sys; c=json.load(sys.stdin)["claims"]; print(all(not a["actions"] for a in c["access"]))')" = "200:True"
realm "$AID" "${TOKEN}x" "repository:acme/pkg:pull"
check "realm with bad robot creds: 401 with a JSON error" \
    test "$STATUS:$(json 'd["errors"][0]["code"]')" = "401:UNAUTHORIZED"
realm _token "$SESSION" "repository:acme/pkg:pull"
check "realm with _token:<SID>: 200" test "$STATUS" = 200
realm _token "$ORGTOKEN" "repository:acme/pkg:pull"
check "realm with _token:<org token>: 200" test "$STATUS" = 200
realm _token "$TOKEN" "repository:acme/pkg:pull"
check "realm with _token:<robot token>: 401" test "$STATUS" = 401
realm _token "$SESSION2" "repository:acme/pkg:pull"
check "realm with a logged-out SID: 401" test "$STATUS" = 401

# ------------------------------------------------------------------ skopeo against the registry
printf 'unqualified-search-registries = []\n' >"$TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$TMP/registries.conf" --policy "$TMP/policy.json" --tmpdir "$TMP")

"$PY" "$REPO/tests/lib/make_oci_layout.py" "$TMP/image" "hello from the upbound stand-in test"

push() { # push AUTHFILE REPO:TAG
    timeout 60 "${SKOPEO[@]}" copy --dest-tls-verify=false --authfile "$1" \
        "oci:$TMP/image:v1" "docker://$REGISTRY_HOST/$2" >"$TMP/skopeo.out" 2>&1
}
pull() { # pull AUTHFILE REPO:TAG DIR
    rm -rf "$3"
    timeout 60 "${SKOPEO[@]}" copy --src-tls-verify=false --authfile "$1" \
        "docker://$REGISTRY_HOST/$2" "oci:$3:v1" >"$TMP/skopeo.out" 2>&1
}

auth_json "$TMP/auth-robot.json" "$AID" "$TOKEN"
auth_json "$TMP/auth-session.json" _token "$SESSION"
auth_json "$TMP/auth-org.json" _token "$ORGTOKEN"
auth_json "$TMP/auth-other.json" "$OAID" "$OTOKEN"
: >"$TMP/auth-none.json"; printf '{"auths":{}}\n' >"$TMP/auth-none.json"

upbound_clear
if push "$TMP/auth-robot.json" acme/pkg:v1; then
    ok "skopeo push with robot creds (accessId:token) to acme/pkg:v1"
else
    not_ok "skopeo push with robot creds (accessId:token) to acme/pkg:v1"; diag "$TMP/skopeo.out"
fi
check "that push asked the realm with robot-basic credentials" \
    sh -c "grep -q '\"path\":\"/service/token\",\"cred\":\"robot-basic\",\"status\":200' '$UPBOUND_LOG'"
if push "$TMP/auth-session.json" acme/pkg:v2; then
    ok "skopeo push with _token:<SID> to acme/pkg:v2"
else
    not_ok "skopeo push with _token:<SID> to acme/pkg:v2"; diag "$TMP/skopeo.out"
fi
if pull "$TMP/auth-org.json" acme/pkg:v1 "$TMP/pulled" && [ -s "$TMP/pulled/index.json" ]; then
    ok "skopeo pull with _token:<org-scoped token> from acme/pkg:v1"
else
    not_ok "skopeo pull with _token:<org-scoped token> from acme/pkg:v1"; diag "$TMP/skopeo.out"
fi
if pull "$TMP/auth-none.json" acme/pkg:v1 "$TMP/pulled-anon"; then
    not_ok "anonymous pull of acme/pkg:v1 is refused"
else
    ok "anonymous pull of acme/pkg:v1 is refused"
fi
if push "$TMP/auth-other.json" acme/pkg:v3; then
    not_ok "a robot of another org cannot push to acme/pkg"
else
    ok "a robot of another org cannot push to acme/pkg"
fi

# ------------------------------------------------------------------ revocation
upbound_revoke "$AID"
login "$AID" "$TOKEN"
check "revoked robot: login 401" test "$STATUS" = 401
realm "$AID" "$TOKEN" "repository:acme/pkg:pull"
check "revoked robot: realm 401" test "$STATUS" = 401
exchange "$TOKEN" acme
check "revoked robot: token exchange 401" test "$STATUS" = 401
if push "$TMP/auth-robot.json" acme/pkg:v4; then
    not_ok "revoked robot: skopeo push refused"
else
    ok "revoked robot: skopeo push refused"
fi

# ------------------------------------------------------------------ faults
mint_robot acme faults "$TMP/robot2.json"
AID2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accessId"])' "$TMP/robot2.json")
TOKEN2=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$TMP/robot2.json")
remember_secret "$TOKEN2"
upbound_clear

upbound_fault '{"path":"/v1/login","status":503,"count":2}'
login "$AID2" "$TOKEN2"; s1=$STATUS
login "$AID2" "$TOKEN2"; s2=$STATUS
login "$AID2" "$TOKEN2"; s3=$STATUS
check "fault 503 count 2: 503, 503, then 200 ($s1 $s2 $s3)" test "$s1 $s2 $s3" = "503 503 200"

upbound_fault '[{"path":"/v1/login","status":429,"retry_after":1,"count":1}]'
login "$AID2" "$TOKEN2"
check "fault 429 with Retry-After: 1" test "$STATUS:$(header Retry-After)" = "429:1"

login "$AID2" "$TOKEN2"; SESSION3=$SID
upbound_fault '{"path":"/v1/self","delay":1.5,"count":1}'
t=$(date +%s%N); call GET /v1/self "$(cookie_cfg "$SESSION3")"; s1=$STATUS
t=$(( ($(date +%s%N) - t) / 1000000 ))
t2=$(date +%s%N); call GET /v1/self "$(cookie_cfg "$SESSION3")"; s2=$STATUS
t2=$(( ($(date +%s%N) - t2) / 1000000 ))
check "fault delay 1.5 s: first /v1/self took ${t} ms ($s1), the next ${t2} ms ($s2)" \
    test "$t" -ge 1450 -a "$t2" -lt 1000 -a "$s1:$s2" = "200:200"

upbound_fault '{"path":"/service/token","malformed":true,"count":1}'
realm "$AID2" "$TOKEN2" "repository:acme/pkg:pull"
check "fault malformed: 200 with a body that is not JSON" \
    sh -c "test '$STATUS' = 200 && ! '$PY' -c 'import json,sys; json.load(open(sys.argv[1]))' '$TMP/body' 2>/dev/null"

upbound_fault '{"path":"/v1/login","no_cookie":true,"count":1}'
login "$AID2" "$TOKEN2"
check "fault no_cookie: login 200 without Set-Cookie" test "$STATUS:$SID" = "200:"

upbound_fault '{"path":"/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens","status":500}'
exchange "$TOKEN2" acme; s1=$STATUS
exchange "$TOKEN2" acme; s2=$STATUS
exchange "$TOKEN2" acme; s3=$STATUS
call DELETE /_test/faults
exchange "$TOKEN2" acme; s4=$STATUS
check "fault without count lasts until cleared ($s1 $s2 $s3, then $s4)" test "$s1 $s2 $s3 $s4" = "500 500 500 200"

# connection-level faults (curl's exit codes: 56 recv failure / 52 empty
# reply, 18 partial file, 28 timeout)
upbound_fault '{"path":"/v1/self","reset":true,"count":1}'
curl -s --max-time 5 -o /dev/null "$UPBOUND_URL/v1/self"; rc=$?
check "fault reset: the connection is reset, no answer (curl exit $rc)" test "$rc" = 56 -o "$rc" = 52
upbound_fault '{"path":"/v1/self","truncate":true,"count":1}'
curl -s --max-time 5 -o /dev/null "$UPBOUND_URL/v1/self"; rc=$?
check "fault truncate: Content-Length larger than the body, then close (curl exit $rc)" test "$rc" = 18
upbound_fault '{"path":"/v1/self","endless":true,"count":1}'
n=$(curl -s --max-time 1 "$UPBOUND_URL/v1/self" | wc -c)
check "fault endless: a 200 body still coming after 1 s ($n bytes, less than 64 KiB)" test "$n" -gt 1000 -a "$n" -lt 65536
upbound_fault '{"path":"/v1/self","endless":"fast","count":1}'
n=$(curl -s --max-time 1 "$UPBOUND_URL/v1/self" | head -c 2000000 | wc -c)
check "fault endless fast: more than a megabyte ($n bytes read)" test "$n" -ge 1048576
upbound_fault '{"path":"/v1/self","redirect":"http://127.0.0.1:9/elsewhere","status":307,"count":1}'
call GET /v1/self
check "fault redirect: 307 with Location ($STATUS $(header Location))" \
    test "$STATUS $(header Location)" = "307 http://127.0.0.1:9/elsewhere"
upbound_clear
upbound_fault '{"path":"/v1/self","delay":30,"count":1}'
curl -s --max-time 0.5 -o /dev/null "$UPBOUND_URL/v1/self"
sleep 0.3
upbound_requests >"$TMP/requests.json"
check "fault delay: when the client gives up, the request is logged at once, as client_gone, unhandled" "$PY" -c '
import json, sys
r = [e for e in json.load(open(sys.argv[1])) if e["path"] == "/v1/self"]
assert len(r) == 1 and r[0].get("client_gone") and r[0]["status"] == 0, r
' "$TMP/requests.json"

# /v2/ and TLS listeners
call GET /v2/
check "GET /v2/: 401 with a Bearer challenge naming this listener's realm" \
    test "$STATUS $(header WWW-Authenticate)" = "401 Bearer realm=\"$UPBOUND_URL/service/token\",service=\"$UPBOUND_SERVICE\""
TLS_PORT=$(upbound_listener_port tls); SELF_PORT=$(upbound_listener_port self)
hdr=$(curl -s --max-time 5 --cacert "$TMP/certs/ca.crt" -o /dev/null -D - "https://127.0.0.1:$TLS_PORT/v2/" | tr -d '\r' |
      sed -n 's/^WWW-Authenticate: //Ip')
check "--listen tls: HTTPS with the CA's certificate, realm https://127.0.0.1:$TLS_PORT/service/token" \
    test "$hdr" = "Bearer realm=\"https://127.0.0.1:$TLS_PORT/service/token\",service=\"$UPBOUND_SERVICE\""
curl -s --max-time 5 --cacert "$TMP/certs/ca.crt" -o /dev/null "https://127.0.0.1:$SELF_PORT/v2/"; rc=$?
check "--listen self: curl refuses the self-signed certificate (exit $rc)" test "$rc" = 60
sleep 0.2
check_log() { "$PY" -c "$1" "$UPBOUND_LOG"; }
check "the log names the listener, and the refused handshake as (tls-handshake)" check_log '
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert any(e.get("listener") == "tls" and e["path"] == "/v2/" and e["status"] == 401 for e in r)
assert any(e.get("listener") == "self" and e["path"] == "(tls-handshake)" and e.get("error") for e in r)
'
check "upbound_count ... listener: 1 ping on tls" test "$(_upbound_call GET '/_test/count?path=/v2/&listener=tls' |
    sed -n 's/.*"count": *\([0-9]*\).*/\1/p')" = 1
if start_evil "$TMP/evil"; then
    curl -s --max-time 5 -o /dev/null "$EVIL_URL/x"
    sleep 0.1
    check "start_evil: a listener that logs every connection ($(evil_connections))" test "$(evil_connections)" = 1
else
    not_ok "start_evil"
fi

# ------------------------------------------------------------------ lifetimes
upbound_config '{"session_max_age":1,"org_token_expires_in":1}'
login "$AID2" "$TOKEN2"; SHORT_SID=$SID
SHORT_COOKIE=$(header Set-Cookie | sed 's/SID=[^;]*/SID=<sid>/')
exchange "$TOKEN2" acme; SHORT_ORG=$(json 'd["access_token"]'); SHORT_EXP=$(json 'd["expires_in"]')
remember_secret "$SHORT_ORG"
call GET /v1/self "$(cookie_cfg "$SHORT_SID")"; before=$STATUS
realm _token "$SHORT_ORG" "repository:acme/pkg:pull"; before_org=$STATUS
sleep 1.2
call GET /v1/self "$(cookie_cfg "$SHORT_SID")"
check "session_max_age 1: Max-Age=1 in the cookie, /v1/self $before then $STATUS" \
    test "$before:$STATUS" = "200:401" -a "$SHORT_COOKIE" = "SID=<sid>; Path=/; Max-Age=1; HttpOnly; SameSite=Lax"
realm _token "$SHORT_ORG" "repository:acme/pkg:pull"
check "org_token_expires_in 1: expires_in $SHORT_EXP, realm $before_org then $STATUS" \
    test "$SHORT_EXP:$before_org:$STATUS" = "1:200:401"
upbound_config '{"session_max_age":2592000,"org_token_expires_in":3600}'

# ------------------------------------------------------------------ request log and counts
upbound_clear
check "upbound_clear empties the log: count 0" test "$(upbound_count /v1/login)" = 0
login "$AID2" "$TOKEN2"; login "$AID2" "${TOKEN2}x"; call GET /v1/self
check "upbound_count /v1/login after two logins: 2" test "$(upbound_count /v1/login)" = 2
check "upbound_count /v1/login POST: 2, /v1/self: 1" \
    test "$(upbound_count /v1/login POST):$(upbound_count /v1/self)" = "2:1"
upbound_requests >"$TMP/requests.json"
check "GET /_test/requests lists time, method, path, cred, status" "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
logins = [e for e in r if e["path"] == "/v1/login"]
assert [e["cred"] for e in logins] == ["robot-password", "bad"], logins
assert all({"time", "method", "path", "cred", "status"} <= set(e) for e in r)
assert any(e["path"] == "/v1/self" and e["cred"] == "none" and e["status"] == 401 for e in r)
' "$TMP/requests.json"
check "the log file names every credential kind" "$PY" -c '
import json, sys
kinds = {json.loads(l)["cred"] for l in open(sys.argv[1])}
want = {"none", "robot-basic", "session-cookie", "session-basic", "org-token-basic",
        "robot-subject", "session-subject", "bad", "robot-password"}
assert want <= kinds, want - kinds
' "$UPBOUND_LOG"
check "no query string in the logged paths" sh -c "! grep -q '?' '$UPBOUND_LOG'"
sort -u "$SECRETS" | grep -v '^$' >"$SECRETS.u"
check "$(wc -l <"$SECRETS.u") secrets (robot tokens, SIDs, org tokens, a registry token) never in the log file" \
    sh -c "! grep -qF -f '$SECRETS.u' '$UPBOUND_LOG'"
check "... nor in the stand-in's stdout/stderr (empty: $(wc -c <"$UPBOUND_DIR/standin.log") bytes)" \
    test ! -s "$UPBOUND_DIR/standin.log"
check "... nor in GET /_test/requests" sh -c "! grep -qF -f '$SECRETS.u' '$TMP/requests.json'"
check "the SID is long (${#SESSION} characters, 32 random bytes)" test "${#SESSION}" -ge 40

# ------------------------------------------------------------------ done
SECS=$(( $(date +%s) - T0 ))
echo "# $PASSES passed, $FAILS failed in ${SECS}s"
[ "$SECS" -lt 60 ] || { echo "not ok - the test took ${SECS}s (limit 60)"; FAILS=$((FAILS + 1)); }
[ "$FAILS" = 0 ]
