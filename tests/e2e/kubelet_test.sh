#!/bin/bash
# `docker-credential-upbound kubelet`, the kubelet's image credential
# provider (issue 8), end to end: a fake kubelet (tests/e2e/kubelet/main.go,
# strict decoding and keyring lookup as the kubelet does them) runs the
# helper as its exec plugin, and real clients pull private images from the
# registry behind the local Upbound stand-in with the answer:
#
#  1. set-up: the fake kubelet built offline and proven strict against a
#     stub plugin (unknown or case-mismatched fields, duplicate keys, another
#     apiVersion, bad cacheKeyType: dropped); the stand-in, docker-registry,
#     a private containerd; robots acme/ci, globex/ci and initech/ci (a
#     host default in section 4); private images
#     acme/pkg:v1 and globex/pkg:v1 pushed by skopeo through the helper
#  2. apiVersion v1, v1beta1, v1alpha1 (direct exchange): the answer decodes
#     strictly; ctr, buildah and skopeo pull with it
#  3. the session exchange: _token, and ctr pulls with it
#  4. one robot token per organization: the longest prefix on path-segment
#     boundaries wins; one organization's answer cannot pull another's image
#  5. service-account mode: an organization limited to namespaces
#  6. 16 concurrent provider calls on a cold cache: one exchange
#  7. malformed requests: exit 1, nothing on stdout, one stderr line
#  8. no secret on stderr or in any client's output; answers in 0600 files;
#     containerd stopped and nothing of it left running
#
# Secrets stay in 0600 files: clients get the password typed at their
# prompt by tests/lib/typer.py (ctr, buildah) or in an auth file (skopeo,
# whose --creds would put it in argv).
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/containerd.sh"
umask 077

e2e_clean_env CONTAINERS_CONF CONTAINERS_REGISTRIES_CONF CONTAINERS_STORAGE_CONF
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
TYPER=$REPO/tests/lib/typer.py
CLIENT_LOG=$E2E_TMP/clients-all.log
: >"$CLIENT_LOG"
mkdir -p "$E2E_TMP/fk" "$E2E_TMP/auth"
V=credentialprovider.kubelet.k8s.io
FULL=1
[ "${E2E_SANITIZER:-}" = 1 ] && FULL=0   # the ASan pass: no buildah or skopeo pulls

# ================================================================ 1. set-up
FK=$E2E_TMP/fake-kubelet
go_build_offline "build the fake kubelet offline (GOPATH mode, standard library only)" kubelet "$FK"

# The fake kubelet's own strictness, against a stub plugin (no secrets): a
# decoder that accepted anything would make every check below vacuous.
cat >"$E2E_TMP/stub-plugin" <<EOF
#!$PY
EOF
cat >>"$E2E_TMP/stub-plugin" <<'EOF'
import json, os, sys
req = json.load(sys.stdin)
case = os.environ["STUB_CASE"]
u = lambda name: {"username": name, "password": "stub-password"}
r = {"apiVersion": req["apiVersion"], "kind": "CredentialProviderResponse", "cacheKeyType": "Registry",
     "cacheDuration": "1m0s", "auth": {"h.test": u("u1")}}
if case == "exit1":
    sys.stderr.write("boom\n"); sys.exit(1)
elif case == "unknown":
    r["extra"] = 1
elif case == "case":
    r["auth"]["h.test"] = {"username": "u1", "Password": "stub-password"}
elif case == "apiversion":
    r["apiVersion"] = "credentialprovider.kubelet.k8s.io/v1beta1"
elif case == "keytype":
    r["cacheKeyType"] = "Pod"
elif case == "duration":
    r["cacheDuration"] = "10 minutes"
elif case == "echo":
    r["auth"]["h.test"]["password"] = req.get("serviceAccountToken", "")
elif case == "longest":
    r["auth"] = {"*.test": u("glob"), "h.test/x": u("x"), "h.test/xy": u("xy"), "h.test:443": u("port")}
out = json.dumps(r)
if case == "duplicate":
    out = out[:-1] + ', "kind": "CredentialProviderResponse"}'
print(out)
EOF
chmod 0700 "$E2E_TMP/stub-plugin"
printf 'stub-sa-token\n' >"$E2E_TMP/stub-sa-token"
# self_test CASE RC STDOUT|STDERR-TEXT DESC [FLAGS...]
self_test() {
    local case=$1 want_rc=$2 want=$3 desc=$4 rc
    shift 4
    timeout 30 "$FK" -plugin "$E2E_TMP/stub-plugin" -api-version "credentialprovider.kubelet.k8s.io/v1" \
        -image h.test/x/y:v1 -env "STUB_CASE=$case" "$@" >"$E2E_TMP/self.out" 2>"$E2E_TMP/self.err"
    rc=$?
    if [ "$rc" = "$want_rc" ] && grep -qF -- "$want" "$E2E_TMP/self.out" "$E2E_TMP/self.err"; then
        ok "fake kubelet self-test: $desc"
    else
        not_ok "fake kubelet self-test: $desc"
        diag "exit $rc, stdout: $(head -c 300 "$E2E_TMP/self.out"), stderr: $(head -c 300 "$E2E_TMP/self.err")"
    fi
}
self_test ok 0 "key=h.test username=u1 cacheKeyType=Registry cacheDuration=1m0s auth=1" "a valid response"
self_test longest 0 "key=h.test/x username=x " "the longest matching key wins (glob host, path prefix, port)"
self_test exit1 3 "plugin failed: 1: boom" "a failing plugin: exit 3 with its status and stderr"
self_test unknown 4 'unknown field "extra"' "an unknown field drops the response"
self_test case 4 'unknown field "Password"' "a case-mismatched key drops the response"
self_test duplicate 4 'duplicate member "kind"' "a duplicate key drops the response"
self_test apiversion 4 "does not match the request's" "another apiVersion drops the response"
self_test keytype 4 'invalid cacheKeyType "Pod"' "an invalid cacheKeyType drops the response"
self_test duration 4 "cacheDuration" "an unparsable cacheDuration drops the response"
self_test echo 4 "equals the service account token" "the service account token echoed as password drops the response" \
    -sa-token-file "$E2E_TMP/stub-sa-token"

if ! start_upbound "$E2E_TMP/upbound"; then not_ok "start the Upbound stand-in"; e2e_finish; fi
if ! start_token_registry "$E2E_TMP/registry"; then not_ok "start docker-registry (token auth)"; e2e_finish; fi
if ! start_containerd "$E2E_TMP/containerd"; then not_ok "start a private containerd"; e2e_finish; fi
ok "stand-in on $UPBOUND_URL, docker-registry on $REGISTRY_HOST, containerd $(ctrd version 2>/dev/null |
    awk '/Server:/ {s = 1} s && /Version:/ {print $2; exit}') on its own socket"
REG=$REGISTRY_HOST
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=http://$REG

jfield() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# out_field FILE KEY: a field of a JSON object in FILE, or ""
out_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }
# robot ORG: mint ORG/ci into $E2E_TMP/ORG.json (0600), remember its token
robot() {
    mint_robot "$1" ci "$E2E_TMP/$1.json" || { not_ok "mint robot $1/ci"; e2e_finish; }
    remember_secret "$(jfield "$E2E_TMP/$1.json" token)"
}
robot acme; robot globex; robot initech
ACME=$E2E_TMP/acme.json GLOBEX=$E2E_TMP/globex.json INITECH=$E2E_TMP/initech.json
ACME_ID=$(jfield "$ACME" accessId) GLOBEX_ID=$(jfield "$GLOBEX" accessId) INITECH_ID=$(jfield "$INITECH" accessId)
check_eq "robots acme/ci, globex/ci, initech/ci minted into 0600 token files" "600 600 600" \
    "$(stat -c %a "$ACME" "$GLOBEX" "$INITECH" | paste -sd' ')"

# Clients: containers' configuration in the test directory.
C=$E2E_TMP/containers
mkdir -p "$C/storage"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$C/storage/graph" "$C/storage/run" \
    >"$C/storage.conf"
printf 'unqualified-search-registries = []\n' >"$C/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$C/policy.json"
printf '[engine]\nevents_logger = "none"\ncgroup_manager = "cgroupfs"\n' >"$C/containers.conf"
export CONTAINERS_STORAGE_CONF=$C/storage.conf CONTAINERS_REGISTRIES_CONF=$C/registries.conf \
    CONTAINERS_CONF=$C/containers.conf
SKOPEO=(skopeo --registries-conf "$C/registries.conf" --policy "$C/policy.json" --tmpdir "$E2E_TMP")
kubelet_cleanup() { chmod -R u+w "$C" 2>/dev/null; return 0; }
e2e_on_exit kubelet_cleanup

# cl NAME CMD...: run a client (60 s bound); output in $E2E_TMP/client.out,
# appended to $CLIENT_LOG
cl() {
    local name=$1 rc
    shift
    timeout 90 "$@" >"$E2E_TMP/client.out" 2>&1
    rc=$?
    { printf '### %s (exit %s)\n' "$name" "$rc"; cat "$E2E_TMP/client.out"; } >>"$CLIENT_LOG"
    return $rc
}
cl_diag() { sed -n '1,6s/^/#   /p' "$E2E_TMP/client.out"; }

# Two private images with different content (config digests tell them apart).
declare -A CONFIG
for org in acme globex; do
    "$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image-$org" "the $org image of the kubelet e2e test"
    CONFIG[$org]=$(cat "$E2E_TMP/image-$org/config.digest")
done
printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
for org in acme globex; do
    if UP_ROBOT_TOKEN_FILE=$E2E_TMP/$org.json DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-push-$org \
        cl "skopeo push $org" "${SKOPEO[@]}" copy --dest-tls-verify=false \
            "oci:$E2E_TMP/image-$org:v1" "docker://$REG/$org/pkg:v1"; then
        ok "skopeo pushes $REG/$org/pkg:v1 through the helper as credHelper ($org's robot)"
    else
        not_ok "skopeo pushes $REG/$org/pkg:v1 through the helper as credHelper ($org's robot)"; cl_diag
    fi
    if ! cl "skopeo inspect --no-creds $org" "${SKOPEO[@]}" inspect --no-creds --tls-verify=false \
            "docker://$REG/$org/pkg:v1" &&
        grep -qiE 'unauthorized|denied|authentication required' "$E2E_TMP/client.out"; then
        ok "... $REG/$org/pkg:v1 is private: skopeo inspect --no-creds is denied"
    else
        not_ok "... $REG/$org/pkg:v1 is private: skopeo inspect --no-creds is denied"; cl_diag
    fi
done
# From here on no client can reach the helper: they get only the answers.
printf '{}\n' >"$DOCKER_CONFIG/config.json"

# ---------------------------------------------------------------- the fake kubelet
CALLS=0
# fk IMAGE [FLAGS...]: the fake kubelet asks the helper (as `kubelet`) about
# IMAGE. Sets FK_RC, FK_LINE (its summary line), FK_OUT (the -out answer
# file, absent when nothing matched), FK_ERR (stderr file). The password of
# an answer is remembered as a secret.
fk() {
    local image=$1 s
    shift
    CALLS=$((CALLS + 1))
    FK_OUT=$E2E_TMP/fk/$CALLS.json FK_ERR=$E2E_TMP/fk/$CALLS.err
    timeout 90 "$FK" -plugin "$HELPER_BIN" -arg kubelet -image "$image" -out "$FK_OUT" "$@" \
        >"$E2E_TMP/fk/$CALLS.line" 2>"$FK_ERR"
    FK_RC=$?
    FK_LINE=$(cat "$E2E_TMP/fk/$CALLS.line")
    cat "$FK_ERR" >>"$E2E_STDERR_ALL"
    if [ -f "$FK_OUT" ]; then
        s=$(out_field "$FK_OUT" password)
        [ -n "$s" ] && remember_secret "$s"
    fi
    return 0
}
# fk_is DESC EXPECTED: exit 0 and the summary line without cacheDuration
fk_is() {
    local got
    got="rc=$FK_RC $(sed 's/ cacheDuration=[^ ]*//' <<<"$FK_LINE")"
    if [ "$got" = "rc=0 $2" ]; then ok "$1"; return 0; fi
    not_ok "$1"; diag "expected: rc=0 $2"; diag "got:      $got"
    [ -s "$FK_ERR" ] && diag "stderr: $(head -c 400 "$FK_ERR" | tr '\n' '|')"
    return 1
}
# fk_duration: the summary's cacheDuration in seconds ("none" if absent)
fk_duration() {
    "$PY" - "$(sed -n 's/.* cacheDuration=\([^ ]*\).*/\1/p' <<<"$FK_LINE")" <<'EOF'
import re, sys
s = sys.argv[1]
units = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)", s)
if s == "0":
    print(0)
elif parts and "".join(n + u for n, u in parts) == s:
    t = sum(float(n) * units[u] for n, u in parts)
    print(int(t) if t == int(t) else t)
else:
    print("none")
EOF
}
# duration_in DESC LOW HIGH: LOW < cacheDuration <= HIGH (seconds)
duration_in() {
    local d
    d=$(fk_duration)
    if [ "$d" != none ] && awk -v d="$d" -v lo="$2" -v hi="$3" 'BEGIN{exit !(d > lo && d <= hi)}'; then
        ok "$1 ($d s)"; return 0
    fi
    not_ok "$1"; diag "cacheDuration: $d ($FK_LINE)"; return 1
}
# no_auth DESC: exit 0, an empty auth map
no_auth() {
    if [ "$FK_RC" = 0 ] && [[ $FK_LINE == "key=none username=none "*" auth=0" ]] && [ ! -e "$FK_OUT" ]; then
        ok "$1"; return 0
    fi
    not_ok "$1"; diag "rc=$FK_RC $FK_LINE"; return 1
}
# stderr_says DESC: the plugin wrote at least one line, each from the helper
stderr_says() {
    if [ -s "$FK_ERR" ] && ! grep -qv '^docker-credential-upbound: ' "$FK_ERR"; then
        ok "$1: $(head -1 "$FK_ERR" | cut -c1-120)"; return 0
    fi
    not_ok "$1"; diag "stderr: $(head -c 400 "$FK_ERR" | tr '\n' '|')"; return 1
}

fresh_cache() { export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache-$1; }

# ---------------------------------------------------------------- clients
# have_answer DESC ANSWER: ANSWER exists (else DESC fails: nothing to pull with)
have_answer() {
    [ -f "$2" ] && return 0
    not_ok "$1"; diag "no answer to pull with"; return 1
}
# ctr_pull ANSWER IMAGE: ctr pulls IMAGE as ANSWER's username, the password
# typed at its prompt from the ANSWER file
ctr_pull() {
    cl "ctr pull $2 as $(out_field "$1" username)" "$PY" "$TYPER" --timeout 60 --json "$1" password -- \
        ctr --address "$CONTAINERD_SOCK" images pull --plain-http --snapshotter native \
        --user "$(out_field "$1" username)" "$2"
}
# ctr_pull_ok DESC ANSWER ORG: the pull works, `ctr images ls` shows the
# image, its config is ORG's; then the image is removed again
ctr_pull_ok() {
    local img=$REG/$3/pkg:v1
    have_answer "$1" "$2" || return 1
    if ctr_pull "$2" "$img" && ctrd images ls -q | grep -qxF "$img" &&
        ctrd content ls -q | grep -qxF "${CONFIG[$3]}"; then
        ok "$1"
    else
        not_ok "$1"; cl_diag
    fi
    ctrd images rm --sync "$img" >/dev/null 2>&1
}
# buildah_pull_ok DESC ANSWER ORG: buildah pull --creds USER, password typed
buildah_pull_ok() {
    local img=$REG/$3/pkg:v1
    have_answer "$1" "$2" || return 1
    if cl "buildah pull $img" "$PY" "$TYPER" --timeout 60 --json "$2" password -- \
            buildah pull --tls-verify=false --signature-policy "$C/policy.json" \
            --creds "$(out_field "$2" username)" "$img" &&
        [ "sha256:$(buildah inspect --type image --format '{{.FromImageID}}' "$img" 2>/dev/null)" = "${CONFIG[$3]}" ]; then
        ok "$1"
    else
        not_ok "$1"; cl_diag
    fi
    buildah rmi -f "$img" >/dev/null 2>&1
}
# auth_file ANSWER FILE: a containers auth file (0600) holding the answer
auth_file() {
    "$PY" - "$1" "$2" "$REG" <<'EOF'
import base64, json, os, sys
a = json.load(open(sys.argv[1]))
pair = base64.b64encode(("%s:%s" % (a["username"], a["password"])).encode()).decode()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"auths": {sys.argv[3]: {"auth": pair}}}, f)
EOF
}
# skopeo_ok DESC ANSWER ORG N: skopeo inspect and copy with an auth file
skopeo_ok() {
    local img=$REG/$3/pkg:v1 af=$E2E_TMP/auth/$4.json
    have_answer "$1" "$2" || return 1
    auth_file "$2" "$af"
    if cl "skopeo inspect $img" "${SKOPEO[@]}" inspect --raw --authfile "$af" --tls-verify=false "docker://$img" &&
        grep -qF "${CONFIG[$3]}" "$E2E_TMP/client.out" &&
        cl "skopeo copy $img" "${SKOPEO[@]}" copy --authfile "$af" --src-tls-verify=false \
            "docker://$img" "oci:$E2E_TMP/copy-$4:v1" &&
        [ -f "$E2E_TMP/copy-$4/blobs/sha256/${CONFIG[$3]#sha256:}" ]; then
        ok "$1"
    else
        not_ok "$1"; cl_diag
    fi
}

# ================================================================ 2. API versions
diag "---- v1, v1beta1, v1alpha1 (direct exchange)"
fresh_cache direct
for ver in v1 v1beta1 v1alpha1; do
    fk "$REG/acme/pkg:v1" -api-version "$V/$ver" -env "UP_ROBOT_TOKEN_FILE=$ACME"
    fk_is "$ver: the answer decodes strictly (same apiVersion, known fields only): $REG, acme's accessId, Registry" \
        "key=$REG username=$ACME_ID cacheKeyType=Registry auth=1"
    duration_in "$ver: 0 < cacheDuration <= 1h" 0 3600
    # The raw response, as the contract says: these five members, nothing else.
    UP_ROBOT_TOKEN_FILE=$ACME hcall kubelet \
        "{\"apiVersion\":\"$V/$ver\",\"kind\":\"CredentialProviderRequest\",\"image\":\"$REG/acme/pkg:v1\"}"
    why=$(W=$V/$ver "$PY" - "$E2E_TMP/h.out" <<'EOF'
import json, os, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception:
    print("not JSON"); sys.exit()
keys = sorted(d) if isinstance(d, dict) else None
if keys != sorted(["apiVersion", "kind", "cacheKeyType", "cacheDuration", "auth"]):
    print("members %s" % keys)
elif d["apiVersion"] != os.environ["W"] or d["kind"] != "CredentialProviderResponse":
    print("apiVersion %r kind %r" % (d["apiVersion"], d["kind"]))
EOF
)
    if [ "$H_RC" = 0 ] && [ -z "$why" ]; then
        ok "$ver: the raw response has exactly apiVersion ($ver), kind, cacheKeyType, cacheDuration, auth"
    else
        not_ok "$ver: the raw response has exactly apiVersion ($ver), kind, cacheKeyType, cacheDuration, auth"
        diag "$why"; h_diag
    fi
    cp "$FK_OUT" "$E2E_TMP/answer-$ver.json" 2>/dev/null
    ctr_pull_ok "$ver: ctr pulls $REG/acme/pkg:v1 with the answer (password typed), ctr images ls shows it" \
        "$E2E_TMP/answer-$ver.json" acme
    if [ "$FULL" = 1 ]; then
        buildah_pull_ok "$ver: buildah pull --creds <username> (password typed) gets acme's image" \
            "$E2E_TMP/answer-$ver.json" acme
        skopeo_ok "$ver: skopeo inspect and copy with the answer in an auth file" "$E2E_TMP/answer-$ver.json" acme "$ver"
    fi
done
same=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"] == json.load(open(sys.argv[2]))["token"])' \
    "$E2E_TMP/answer-v1.json" "$ACME")
check_eq "direct: the password is acme's robot token" True "$same"

# ================================================================ 3. session
diag "---- the session exchange"
fresh_cache session
upbound_clear
fk "$REG/acme/pkg:v1" -api-version "$V/v1" -env "UP_ROBOT_TOKEN_FILE=$ACME" \
    -env DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session -env UP_DEBUG=1
fk_is "session: the answer is _token for $REG, Registry" "key=$REG username=_token cacheKeyType=Registry auth=1"
duration_in "session: cacheDuration > 0" 0 2592000
check_eq "session: ... after one POST /v1/login" 1 "$(upbound_count /v1/login POST)"
ctr_pull_ok "session: ctr pulls $REG/acme/pkg:v1 as _token (session id typed)" "$FK_OUT" acme

# ================================================================ 4. organizations
diag "---- one robot token per organization"
fresh_cache orgs
ORGS=$E2E_TMP/orgs.json
cat >"$ORGS" <<EOF
{"organizations":[
  {"name":"acme","prefix":"$REG/acme","robotTokenFile":"$ACME"},
  {"name":"globex","prefix":"$REG/globex","robotTokenFile":"$GLOBEX"}]}
EOF
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$ORGS
fk "$REG/globex/pkg:v1" -api-version "$V/v1"
fk_is "organizations: $REG/globex/pkg:v1 gets $REG/globex, globex's accessId, cacheKeyType Image" \
    "key=$REG/globex username=$GLOBEX_ID cacheKeyType=Image auth=1"
cp "$FK_OUT" "$E2E_TMP/answer-globex.json" 2>/dev/null
ctr_pull_ok "organizations: ctr pulls globex's image with globex's answer" "$E2E_TMP/answer-globex.json" globex
fk "$REG/acme/pkg:v1" -api-version "$V/v1"
fk_is "organizations: $REG/acme/pkg:v1 gets $REG/acme, acme's accessId" \
    "key=$REG/acme username=$ACME_ID cacheKeyType=Image auth=1"
cp "$FK_OUT" "$E2E_TMP/answer-acme.json" 2>/dev/null
ctr_pull_ok "organizations: ctr pulls acme's image with acme's answer" "$E2E_TMP/answer-acme.json" acme
if [ ! -f "$E2E_TMP/answer-acme.json" ]; then
    not_ok "organizations: acme's answer cannot pull globex's image (denied)"; diag "no answer for acme"
elif ! ctr_pull "$E2E_TMP/answer-acme.json" "$REG/globex/pkg:v1" &&
    grep -qiE 'denied|unauthorized|authorization|forbidden' "$E2E_TMP/client.out"; then
    ok "organizations: acme's answer cannot pull globex's image (denied)"
else
    not_ok "organizations: acme's answer cannot pull globex's image (denied)"; cl_diag
    ctrd images rm --sync "$REG/globex/pkg:v1" >/dev/null 2>&1
fi
fk "$REG/acme-evil/x:v1" -api-version "$V/v1"
no_auth "organizations: $REG/acme-evil/x:v1 (not under $REG/acme/) and no host token: auth {}"
fk "$REG/acme-evil/x:v1" -api-version "$V/v1" -env "UP_ROBOT_TOKEN_FILE=$INITECH"
fk_is "organizations + host token: $REG/acme-evil/x:v1 gets the host's default token" \
    "key=$REG username=$INITECH_ID cacheKeyType=Image auth=1"
fk "$REG/acme/pkg:v1" -api-version "$V/v1" -env "UP_ROBOT_TOKEN_FILE=$INITECH"
fk_is "organizations + host token: $REG/acme/pkg:v1 still gets acme's" \
    "key=$REG/acme username=$ACME_ID cacheKeyType=Image auth=1"
fk "other.registry.test:5000/acme/pkg:v1" -api-version "$V/v1" -env "UP_ROBOT_TOKEN_FILE=$INITECH"
no_auth "an image on another registry: auth {}"
printf '{"organizations":[{"name":"globex","robotTokenFile":"%s"}]}\n' "$GLOBEX" >"$E2E_TMP/orgs-noprefix.json"
fk "$REG/globex/pkg:v1" -api-version "$V/v1" -env "DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/orgs-noprefix.json"
fk_is "organizations: prefix defaults to the registry host + /globex" \
    "key=$REG/globex username=$GLOBEX_ID cacheKeyType=Image auth=1"

# ================================================================ 5. service accounts
diag "---- service-account mode"
fresh_cache sa
cat >"$ORGS" <<EOF
{"organizations":[
  {"name":"acme","prefix":"$REG/acme","robotTokenFile":"$ACME","namespaces":["team-a"]},
  {"name":"globex","prefix":"$REG/globex","robotTokenFile":"$GLOBEX"}]}
EOF
# sa_token NS FILE: an unsigned-looking JWT for NS/puller (the plugin reads
# its claims only), remembered as a secret
sa_token() {
    "$PY" - "$1" "$2" <<'EOF'
import base64, json, os, sys, time, uuid
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
ns, now = sys.argv[1], int(time.time())
claims = {"aud": ["upbound"], "exp": now + 3600, "iat": now, "nbf": now,
          "iss": "https://kubernetes.default.svc.cluster.local",
          "sub": "system:serviceaccount:%s:puller" % ns,
          "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": "puller", "uid": str(uuid.uuid4())},
                            "pod": {"name": "app-0", "uid": str(uuid.uuid4())}}}
tok = ".".join([b64(json.dumps({"alg": "RS256", "kid": "e2e"}).encode()),
                b64(json.dumps(claims).encode()), b64(os.urandom(256))])
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, tok.encode() + b"\n")
EOF
    remember_secret "$(cat "$2")"
}
sa_token team-a "$E2E_TMP/sa-team-a"
sa_token team-b "$E2E_TMP/sa-team-b"
printf 'this-is-not-a-jwt-%s\n' "$RANDOM$RANDOM" >"$E2E_TMP/sa-bad"
remember_secret "$(cat "$E2E_TMP/sa-bad")"
# not_sa_token ANSWER TOKENFILE: the answer's password is not the SA token
not_sa_token() {
    "$PY" -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["password"] == open(sys.argv[2]).read().strip())' \
        "$1" "$2" 2>/dev/null
}

fk "$REG/acme/pkg:v1" -api-version "$V/v1" -sa-token-file "$E2E_TMP/sa-team-a"
fk_is "service account in team-a: acme's credential" "key=$REG/acme username=$ACME_ID cacheKeyType=Image auth=1"
check "... its password is not the service account token" not_sa_token "$FK_OUT" "$E2E_TMP/sa-team-a"
cp "$FK_OUT" "$E2E_TMP/answer-team-a.json" 2>/dev/null
ctr_pull_ok "... and ctr pulls acme's image with it" "$E2E_TMP/answer-team-a.json" acme
fk "$REG/acme/pkg:v1" -api-version "$V/v1" -sa-token-file "$E2E_TMP/sa-team-b"
no_auth "service account in team-b: auth {}, exit 0"
stderr_says "... with a line on stderr"
fk "$REG/acme/pkg:v1" -api-version "$V/v1"
no_auth "no service account token: auth {}"
fk "$REG/acme/pkg:v1" -api-version "$V/v1" -sa-token-file "$E2E_TMP/sa-bad"
no_auth "a malformed token (not a JWT): auth {}, exit 0"
stderr_says "... with a line on stderr"
fk "$REG/globex/pkg:v1" -api-version "$V/v1" -sa-token-file "$E2E_TMP/sa-team-b"
fk_is "team-b, globex (no namespaces listed): globex's credential" \
    "key=$REG/globex username=$GLOBEX_ID cacheKeyType=Image auth=1"
check "... its password is not the service account token" not_sa_token "$FK_OUT" "$E2E_TMP/sa-team-b"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json

# ================================================================ 6. concurrency
diag "---- 16 provider calls at once on a cold cache"
# burst NAME FLAGS...: 16 fake kubelets at once for acme's image; summary
# lines in $E2E_TMP/NAME/line.I, rc.I; stderr kept
burst() {
    local name=$1 dir=$E2E_TMP/$1 i pids=() s
    shift
    mkdir -p "$dir"
    for i in $(seq 1 16); do
        timeout 90 "$FK" -plugin "$HELPER_BIN" -arg kubelet -image "$REG/acme/pkg:v1" -api-version "$V/v1" \
            -env "UP_ROBOT_TOKEN_FILE=$ACME" -out "$dir/out.$i.json" "$@" >"$dir/line.$i" 2>"$dir/err.$i" &
        pids+=($!)
    done
    for i in $(seq 1 16); do
        wait "${pids[$((i - 1))]}"
        echo "rc=$? $(sed 's/ cacheDuration=[^ ]*//' "$dir/line.$i")" >"$dir/sum.$i"
        s=$(out_field "$dir/out.$i.json" password)
        [ -n "$s" ] && remember_secret "$s"
    done
    cat "$dir"/err.* >>"$E2E_STDERR_ALL"
    sort -u "$dir"/sum.* | paste -sd'|' -
}
verifications() {
    upbound_requests | "$PY" -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)
          if e["path"] == "/service/token" and not e.get("scope") and e["cred"] in ("robot-basic", "bad")))'
}
fresh_cache burst-session; upbound_clear
upbound_fault '{"path":"/v1/login","delay":1,"count":1}'
check_eq "session: 16 concurrent calls all answer _token" \
    "rc=0 key=$REG username=_token cacheKeyType=Registry auth=1" "$(burst burst-session -env DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session)"
check_eq "... with one POST /v1/login" 1 "$(upbound_count /v1/login)"
fresh_cache burst-direct; upbound_clear
upbound_fault '{"path":"/service/token","delay":1,"count":1}'
check_eq "direct: 16 concurrent calls all answer acme's accessId" \
    "rc=0 key=$REG username=$ACME_ID cacheKeyType=Registry auth=1" "$(burst burst-direct)"
check_eq "... with one verification against the realm" 1 "$(verifications)"
upbound_clear

# ================================================================ 7. malformed requests
diag "---- malformed requests"
# bad_request DESC JSON: exit 1, nothing on stdout, one line on stderr
bad_request() {
    UP_ROBOT_TOKEN_FILE=$ACME hcall kubelet "$2"
    local n
    n=$(awk 'END{print NR}' "$E2E_TMP/h.err")
    if [ "$H_RC" = 1 ] && [ ! -s "$E2E_TMP/h.out" ] && [ "$n" = 1 ] &&
        grep -q '^docker-credential-upbound: ' "$E2E_TMP/h.err"; then
        ok "$1: exit 1, no stdout, one stderr line"
    else
        not_ok "$1: exit 1, no stdout, one stderr line"; diag "stderr lines: $n"; h_diag out
    fi
}
bad_request "not JSON" 'apiVersion: credentialprovider.kubelet.k8s.io/v1'
bad_request "wrong kind" "{\"apiVersion\":\"$V/v1\",\"kind\":\"CredentialProviderResponse\",\"image\":\"$REG/acme/pkg:v1\"}"
bad_request "unknown apiVersion" "{\"apiVersion\":\"$V/v2\",\"kind\":\"CredentialProviderRequest\",\"image\":\"$REG/acme/pkg:v1\"}"
bad_request "missing image" "{\"apiVersion\":\"$V/v1\",\"kind\":\"CredentialProviderRequest\"}"
bad_request "image \"\"" "{\"apiVersion\":\"$V/v1\",\"kind\":\"CredentialProviderRequest\",\"image\":\"\"}"

# ================================================================ 8. secrets, files, processes
diag "---- secrets, files and processes"
n_out=$(find "$E2E_TMP/fk" "$E2E_TMP"/burst-* "$E2E_TMP/auth" -name '*.json' -type f | wc -l)
loose=$(find "$E2E_TMP/fk" "$E2E_TMP"/burst-* "$E2E_TMP/auth" "$E2E_TMP"/answer-*.json -type f -name '*.json' ! -perm 0600)
check_eq "every answer (-out) and auth file is mode 0600 ($n_out files)" "" "$loose"
leaks=
for f in "$CLIENT_LOG" "$E2E_TMP"/fk/*.line "$E2E_TMP"/burst-*/line.* "$UPBOUND_DIR/standin.log" "$UPBOUND_LOG" \
    "$E2E_TMP/registry/registry.log" "$CONTAINERD_DIR/containerd.log"; do
    [ -f "$f" ] && grep -qF -f "$E2E_SECRETS" "$f" && leaks="$leaks $(basename "$f")"
done
check_eq "no test secret in the clients' output, the fake kubelet's summaries or the services' logs" "" "$leaks"
dir=$CONTAINERD_DIR
stop_containerd
check "containerd stopped, no process of it left (no shim)" test -z "$(pgrep -f -- "$dir" 2>/dev/null)"

e2e_finish
