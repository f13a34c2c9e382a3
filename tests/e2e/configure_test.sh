#!/bin/bash
# `configure docker|containers|kubelet` on real files, then real clients
# using what it wrote, against the registry behind the local Upbound
# stand-in:
#  1. configure docker into a busy $DOCKER_CONFIG/config.json: --dry-run
#     prints a diff that `patch` applies to exactly the file configure then
#     writes; every other key, value and byte kept; a backup; idempotent
#  2. skopeo pushes and inspects through the helper (credHelpers read from
#     that config.json), and `docker manifest inspect` too
#  3. configure containers with REGISTRY_AUTH_FILE in a missing directory:
#     created 0600 (directory 0700); `podman login --get-login` and
#     `skopeo login --get-login` answer through the helper, skopeo inspect
#     works; `podman logout --all` drops credHelpers and configure restores
#  4. what must fail loses nothing: invalid JSON, and as an unprivileged
#     user a directory it cannot write (no backup, no temporary file)
#  5. configure kubelet --file: a strict CredentialProviderConfig whose
#     provider, run as the config says, answers for the registry
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/clients.sh"
umask 077

clients_start
image_layout
R=$E2E_TMP/robot.json
cl_robot acme configure-ci "$R" || e2e_finish
ID=$(id_of "$R")
use_exchange direct
helper_store_robot "$R" || not_ok "helper store of the robot pair"

# ================================================================ 1. configure docker
diag "---- configure docker"
CFG=$DOCKER_CONFIG/config.json
# What a person's config.json holds: keys of every kind, another helper,
# a credsStore, a saved password for another registry.
cat >"$CFG" <<'EOF'
{
	"auths": {
		"ghcr.io": {
			"auth": "Z2g6cGF0LW5vdC1hLXJlYWwtb25l"
		}
	},
	"psFormat": "table {{.ID}}\t{{.Names}}",
	"zeta": {"nested": {"deeper": [1, 2.50, -0.0, 1e3, {}]}},
	"alpha": 18446744073709551616123,
	"unicode": "caf\u00e9 ☃",
	"credsStore": "secretservice",
	"credHelpers": {
		"gcr.io": "gcloud"
	},
	"empty": {}
}
EOF
cp "$CFG" "$E2E_TMP/config.orig"

hcall_argv configure docker --dry-run
cp "$E2E_TMP/h.out" "$E2E_TMP/dry.out"
if [ "$H_RC" = 0 ] && cmp -s "$CFG" "$E2E_TMP/config.orig" && [ ! -e "$CFG.bak" ] &&
    grep -q "^--- $CFG\$" "$E2E_TMP/dry.out" && grep -q '^@@ ' "$E2E_TMP/dry.out"; then
    ok "configure docker --dry-run: a unified diff, nothing written"
else
    not_ok "configure docker --dry-run: a unified diff, nothing written"; h_diag out
fi

hcall_argv configure docker
cp "$E2E_TMP/h.out" "$E2E_TMP/configure.out"
if [ "$H_RC" = 0 ] && grep -q "^Updated $CFG (mode 0600)" "$E2E_TMP/configure.out" &&
    grep -q "added credHelpers \"$REG\": \"upbound\"" "$E2E_TMP/configure.out" &&
    grep -q "backup of the previous content: $CFG.bak" "$E2E_TMP/configure.out" &&
    grep -q 'credsStore "secretservice" is kept' "$E2E_TMP/configure.out"; then
    ok "configure docker: says what it added, the backup, the credsStore"
else
    not_ok "configure docker: says what it added, the backup, the credsStore"; h_diag out
fi
check "... the backup holds the previous file" cmp -s "$CFG.bak" "$E2E_TMP/config.orig"
check_eq "... config.json and its backup have mode 0600" "600 600" "$(stat -c %a "$CFG" "$CFG.bak" | paste -sd' ')"
check_eq "... no temporary file left" "config.json config.json.bak" "$(ls "$DOCKER_CONFIG" | paste -sd' ')"
# patch applies the dry run's diff to the original: exactly the file written
sed '/^Dry run: /d' "$E2E_TMP/dry.out" >"$E2E_TMP/dry.patch"
if patch -s -o "$E2E_TMP/patched" "$E2E_TMP/config.orig" <"$E2E_TMP/dry.patch" >/dev/null 2>&1 &&
    cmp -s "$E2E_TMP/patched" "$CFG"; then
    ok "... patch applies the dry run's diff: exactly the file configure wrote"
else
    not_ok "... patch applies the dry run's diff: exactly the file configure wrote"
fi
why=$(REG=$REG "$PY" - "$E2E_TMP/config.orig" "$CFG" <<'EOF'
import json, os, sys
old_text, new_text = open(sys.argv[1]).read(), open(sys.argv[2]).read()
pairs = lambda t: json.loads(t, object_pairs_hook=lambda p: p)
old, new = pairs(old_text), pairs(new_text)
if [k for k, _ in old] != [k for k, _ in new]:
    print("top-level key order changed"); sys.exit()
for (k, a), (_, b) in zip(old, new):
    if k == "credHelpers":
        want = a + [(os.environ["REG"], "upbound")]
        if b != want: print("credHelpers: %r" % (b,))
    elif a != b:
        print("%s changed" % k)
# Every line but the credHelpers block is byte for byte the same.
if [l for l in old_text.splitlines() if "gcloud" not in l] != \
   [l for l in new_text.splitlines() if "gcloud" not in l and os.environ["REG"] not in l]:
    print("other lines changed")
if "18446744073709551616123" not in new_text or "2.50" not in new_text or "\\u00e9" not in new_text:
    print("a number or an escape was rewritten")
EOF
)
check_eq "... every other key, value and byte kept, key order included" "" "$why"

rm -f "$CFG.bak"
cp "$CFG" "$E2E_TMP/config.once"
hcall_argv configure docker
if [ "$H_RC" = 0 ] && grep -q "is already configured" "$E2E_TMP/h.out" && cmp -s "$CFG" "$E2E_TMP/config.once" &&
    [ ! -e "$CFG.bak" ]; then
    ok "configure docker again: already configured, nothing written, no backup"
else
    not_ok "configure docker again: already configured, nothing written, no backup"; h_diag out
fi

# ================================================================ 2. clients through it
diag "---- skopeo and docker through the configured config.json"
calls_reset
if cl "skopeo copy" skopeo --policy "$CL_POLICY" copy --format v2s2 --dest-tls-verify=false \
        "oci:$E2E_TMP/image:v1" "docker://$REG/acme/configure:v1" &&
   cl "skopeo inspect" skopeo inspect --tls-verify=false "docker://$REG/acme/configure:v1" &&
   grep -q "$LAYER" "$E2E_TMP/client.out"; then
    ok "skopeo pushed and inspected $REG/acme/configure:v1 with the configured config.json"
else
    not_ok "skopeo pushed and inspected $REG/acme/configure:v1 with the configured config.json"; cl_diag
fi
check "... through the helper (skopeo asked it: $(calls_seq))" calls_has "get rc=0"
DOCKER=$(type -P docker || true)
if [ -n "$DOCKER" ]; then
    calls_reset
    if cl "docker manifest inspect" "$DOCKER" manifest inspect --insecure "$REG/acme/configure:v1" &&
        grep -q "$LAYER" "$E2E_TMP/client.out"; then
        ok "docker manifest inspect $REG/acme/configure:v1 with the configured config.json"
    else
        not_ok "docker manifest inspect $REG/acme/configure:v1 with the configured config.json"; cl_diag
    fi
    check "... through the helper (docker asked it: $(calls_seq))" calls_has "get rc=0"
else
    diag "no docker CLI: docker manifest inspect not tried"
fi

# ================================================================ 3. configure containers
diag "---- configure containers"
AUTH=$E2E_TMP/containers-auth/sub/auth.json
export REGISTRY_AUTH_FILE=$AUTH
# Docker's config.json out of the way: the clients must find the helper
# through the auth file alone.
export DOCKER_CONFIG=$E2E_TMP/docker-empty
mkdir -p "$DOCKER_CONFIG"
hcall_argv configure containers
if [ "$H_RC" = 0 ] && grep -q "^Created $AUTH (mode 0600, in a new directory with mode 0700)" "$E2E_TMP/h.out" &&
    grep -q "podman logout --all" "$E2E_TMP/h.out"; then
    ok "configure containers: REGISTRY_AUTH_FILE created in a new directory, podman logout --all explained"
else
    not_ok "configure containers: REGISTRY_AUTH_FILE created"; h_diag out
fi
check_eq "... modes 0600 (file) and 0700 (directory)" "600 700" "$(stat -c %a "$AUTH" "$(dirname "$AUTH")" | paste -sd' ')"
calls_reset
if cl "podman login --get-login" podman login --get-login --tls-verify=false "$REG" &&
    [ "$(tail -n1 "$E2E_TMP/client.out")" = "$ID" ]; then
    ok "podman login --get-login $REG: the access ID, through the helper ($(calls_seq))"
else
    not_ok "podman login --get-login $REG: the access ID"; cl_diag
fi
if cl "skopeo login --get-login" skopeo login --get-login --tls-verify=false "$REG" &&
    [ "$(tail -n1 "$E2E_TMP/client.out")" = "$ID" ]; then
    ok "skopeo login --get-login $REG: the access ID"
else
    not_ok "skopeo login --get-login $REG: the access ID"; cl_diag
fi
calls_reset
if cl "skopeo inspect (auth.json)" skopeo inspect --tls-verify=false "docker://$REG/acme/configure:v1" &&
    calls_has "get rc=0"; then
    ok "skopeo inspect with only the configured auth.json: through the helper"
else
    not_ok "skopeo inspect with only the configured auth.json"; cl_diag; calls_diag
fi
# podman logout --all rewrites the file without credHelpers (and asks the
# helper to erase); configure puts them back.
if cl "podman logout --all" podman logout --all && ! grep -q credHelpers "$AUTH"; then
    hcall_argv configure containers
    if [ "$H_RC" = 0 ] && grep -q "added credHelpers \"$REG\"" "$E2E_TMP/h.out" && grep -q "\"$REG\": \"upbound\"" "$AUTH"; then
        ok "after podman logout --all dropped credHelpers, configure containers restores them"
    else
        not_ok "after podman logout --all, configure containers restores credHelpers"; h_diag out
    fi
else
    not_ok "podman logout --all drops credHelpers from $AUTH"; cl_diag
fi
helper_store_robot "$R" || not_ok "store the robot pair again"
unset REGISTRY_AUTH_FILE
export DOCKER_CONFIG=$E2E_TMP/docker

# ================================================================ 4. failures lose nothing
diag "---- failures"
BAD=$E2E_TMP/bad/config.json
mkdir -p "$(dirname "$BAD")"
printf '{\n\t"auths": {"h": {"auth": "c2VjcmV0"}},\n\t"x": [1, 2,]\n}\n' >"$BAD"
cp "$BAD" "$E2E_TMP/bad.orig"
hcall_argv configure docker --file "$BAD"
if [ "$H_RC" = 1 ] && [ -z "$H_OUT" ] && [ "$(wc -l <"$E2E_TMP/h.err")" = 1 ] &&
    grep -q "^docker-credential-upbound: error: configure docker: $BAD: not valid JSON (line 3, column 13); the file is left as it is\$" "$E2E_TMP/h.err" &&
    cmp -s "$BAD" "$E2E_TMP/bad.orig" && [ "$(ls "$(dirname "$BAD")")" = config.json ]; then
    ok "invalid JSON: one error line with the line and column, the file untouched, no backup"
else
    not_ok "invalid JSON: one error line, the file untouched"; h_diag
fi

# Root may write anywhere: an unprivileged user meets a directory it cannot
# write (root's, 0755) holding a config.json it may read.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ] && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$HELPER_BIN"; then
    RO=$(mktemp -d /tmp/e2e-configure-ro.XXXXXX)
    cleanup_ro() { rm -rf "$RO"; }
    e2e_on_exit cleanup_ro
    chmod 0755 "$RO"
    printf '{"auths": {}}\n' >"$RO/config.json"
    chmod 0644 "$RO/config.json"
    as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent \
            "$HELPER_BIN" "$@" </dev/null >"$E2E_TMP/h.out" 2>"$E2E_TMP/h.err"
        H_RC=$?; H_OUT=$(cat "$E2E_TMP/h.out"); H_ERR=$(cat "$E2E_TMP/h.err")
        cat "$E2E_TMP/h.err" >>"$E2E_STDERR_ALL"
    }
    as_nobody configure docker --file "$RO/config.json"
    if [ "$H_RC" = 1 ] && [ "$(wc -l <"$E2E_TMP/h.err")" = 1 ] &&
        grep -q "cannot write the backup $RO/config.json.bak (.*Permission denied); $RO/config.json is unchanged" "$E2E_TMP/h.err" &&
        [ "$(cat "$RO/config.json")" = '{"auths": {}}' ] && [ "$(ls -A "$RO")" = config.json ]; then
        ok "unwritable directory (as nobody): one error line, the file intact, no stray file"
    else
        not_ok "unwritable directory (as nobody): one error line, the file intact, no stray file"; h_diag; ls -A "$RO" | sed 's/^/#   /'
    fi
    as_nobody configure docker --file "$RO/new/config.json"
    if [ "$H_RC" = 1 ] && grep -q "cannot create the directory $RO/new" "$E2E_TMP/h.err" && [ ! -e "$RO/new" ]; then
        ok "a directory it cannot create (as nobody): one error line"
    else
        not_ok "a directory it cannot create (as nobody): one error line"; h_diag
    fi
else
    diag "not root or no setpriv: the unprivileged write checks were not run"
fi

# ================================================================ 5. configure kubelet
diag "---- configure kubelet"
KCFG=$E2E_TMP/kubernetes/credential-provider-config.yaml
UP_ROBOT_TOKEN_FILE=/etc/upbound/robot-token.json hcall_argv configure kubelet --file "$KCFG"
if [ "$H_RC" = 0 ] && grep -q "^Created $KCFG (mode 0600" "$E2E_TMP/h.out"; then
    ok "configure kubelet --file: written"
else
    not_ok "configure kubelet --file: written"; h_diag out
fi
UP_ROBOT_TOKEN_FILE=/etc/upbound/robot-token.json hcall_argv configure kubelet
check "... the same config as printed on stdout" cmp -s "$E2E_TMP/h.out" "$KCFG"
why=$(REG=$REG "$PY" - "$KCFG" <<'EOF'
import os, re, sys, yaml
CONFIG = {"apiVersion", "kind", "providers"}
PROVIDER = {"name", "matchImages", "defaultCacheDuration", "apiVersion", "args", "env", "tokenAttributes"}
DURATION = re.compile(r"^[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$")
doc = yaml.safe_load(open(sys.argv[1]))
bad = []
if set(doc) - CONFIG: bad.append("unknown fields %s" % (set(doc) - CONFIG))
if doc.get("apiVersion") != "kubelet.config.k8s.io/v1" or doc.get("kind") != "CredentialProviderConfig":
    bad.append("apiVersion/kind")
p = doc["providers"][0]
if len(doc["providers"]) != 1 or set(p) - PROVIDER: bad.append("providers")
if p.get("name") != "docker-credential-upbound": bad.append("name")
if p.get("matchImages") != [os.environ["REG"]]: bad.append("matchImages %r" % p.get("matchImages"))
if not DURATION.match(p.get("defaultCacheDuration", "")): bad.append("defaultCacheDuration")
if p.get("apiVersion") != "credentialprovider.kubelet.k8s.io/v1": bad.append("apiVersion")
if p.get("args") != ["kubelet"]: bad.append("args")
env = {e["name"]: e["value"] for e in p.get("env", []) if set(e) == {"name", "value"}}
if len(env) != len(p.get("env", [])): bad.append("env entries")
if env.get("UP_ROBOT_TOKEN_FILE") != "/etc/upbound/robot-token.json": bad.append("UP_ROBOT_TOKEN_FILE")
print("; ".join(bad))
EOF
)
check_eq "... a strict CredentialProviderConfig: matchImages [$REG], args [kubelet], UP_ROBOT_TOKEN_FILE" "" "$why"
# The provider as the config runs it (its env, the token file and cache
# moved into the test's directory) answers for an image on the registry.
answer=$(R=$R T=$E2E_TMP "$PY" - "$KCFG" "$HELPER_BIN" "$REG/acme/configure:v1" 2>>"$E2E_STDERR_ALL" <<'EOF'
import json, os, subprocess, sys, yaml
p = yaml.safe_load(open(sys.argv[1]))["providers"][0]
env = {"PATH": "/usr/bin:/bin"}
for e in p["env"]:
    env[e["name"]] = e["value"]
env["UP_ROBOT_TOKEN_FILE"] = os.environ["R"]
env["DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR"] = os.environ["T"] + "/kubelet-cache"
request = {"apiVersion": p["apiVersion"], "kind": "CredentialProviderRequest", "image": sys.argv[3]}
r = subprocess.run([sys.argv[2]] + p["args"], input=json.dumps(request).encode(), env=env,
                   capture_output=True, timeout=30)
sys.stderr.write(r.stderr.decode(errors="replace"))
a = json.loads(r.stdout) if r.returncode == 0 else {}
print(r.returncode, " ".join("%s=%s" % (k, v["username"]) for k, v in sorted((a.get("auth") or {}).items())))
EOF
)
check_eq "... its provider, run as the config says, answers for $REG with the robot" "0 $REG=$ID" "$answer"

clients_no_leak
e2e_finish
