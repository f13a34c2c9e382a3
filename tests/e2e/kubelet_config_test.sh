#!/bin/bash
# The kubelet provider configs in install/kubelet/ are what a platform
# engineer copies onto a node: each must be a CredentialProviderConfig the
# kubelet accepts (checked against the fields of its types, strictly), and
# the binary run as each one says (its args, its env, its organizations.json)
# must answer for the images it matches. Paths under /etc/upbound and /run
# are moved into the test's directory; verification is off, so nothing
# leaves the machine.
. "$(dirname "$0")/lib.sh"
umask 077

T=$E2E_TMP/node
mkdir -p "$T/etc/upbound" "$T/run"
for name in robot-token acme globex; do
    printf '{"accessId":"%s-id","token":"%s-token-secret-Zq8"}' "$name" "$name" >"$T/etc/upbound/$name.json"
    remember_secret "$name-token-secret-Zq8"
done
# organizations.json as shipped, its token files moved under $T.
sed "s#/etc/upbound/#$T/etc/upbound/#g" "$REPO/install/kubelet/organizations.json" >"$T/etc/upbound/organizations.json"

# check_config FILE: the kubelet's CredentialProviderConfig, strictly
check_config() {
    "$PY" - "$1" <<'EOF'
import re, sys, yaml
# Field names from k8s.io/kubelet/config/v1 (CredentialProviderConfig,
# CredentialProvider, ExecEnvVar, ServiceAccountTokenAttributes).
CONFIG = {"apiVersion", "kind", "providers"}
PROVIDER = {"name", "matchImages", "defaultCacheDuration", "apiVersion", "args", "env", "tokenAttributes"}
ENV = {"name", "value"}
TOKEN = {"serviceAccountTokenAudience", "cacheType", "requireServiceAccount",
         "requiredServiceAccountAnnotationKeys", "optionalServiceAccountAnnotationKeys"}
VERSIONS = {"credentialprovider.kubelet.k8s.io/v1", "credentialprovider.kubelet.k8s.io/v1beta1",
            "credentialprovider.kubelet.k8s.io/v1alpha1"}
DURATION = re.compile(r"^[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$")
def strict(obj, fields, where):
    if not isinstance(obj, dict):
        sys.exit("%s: not a mapping" % where)
    for k in obj:
        if k not in fields:
            sys.exit("%s: unknown field %r" % (where, k))
doc = yaml.safe_load(open(sys.argv[1]))
strict(doc, CONFIG, "config")
if doc.get("apiVersion") != "kubelet.config.k8s.io/v1" or doc.get("kind") != "CredentialProviderConfig":
    sys.exit("config: apiVersion/kind")
providers = doc.get("providers")
if not isinstance(providers, list) or len(providers) != 1:
    sys.exit("config: one provider expected")
p = providers[0]
strict(p, PROVIDER, "provider")
if p.get("name") != "docker-credential-upbound":
    sys.exit("provider: name must be the binary's name")
if not p.get("matchImages") or not all(isinstance(m, str) and m for m in p["matchImages"]):
    sys.exit("provider: matchImages")
if not isinstance(p.get("defaultCacheDuration"), str) or not DURATION.match(p["defaultCacheDuration"]):
    sys.exit("provider: defaultCacheDuration")
if p.get("apiVersion") not in VERSIONS:
    sys.exit("provider: apiVersion")
if p.get("args") != ["kubelet"]:
    sys.exit("provider: args must be [kubelet]")
names = set()
for e in p.get("env", []):
    strict(e, ENV, "env")
    if not isinstance(e.get("name"), str) or not isinstance(e.get("value"), str) or e["name"] in names:
        sys.exit("env: name/value")
    names.add(e["name"])
t = p.get("tokenAttributes")
if t is not None:
    strict(t, TOKEN, "tokenAttributes")
    if not t.get("serviceAccountTokenAudience"):
        sys.exit("tokenAttributes: serviceAccountTokenAudience is required")
    if t.get("cacheType") not in ("ServiceAccount", "Token"):
        sys.exit("tokenAttributes: cacheType is ServiceAccount or Token")
    if not isinstance(t.get("requireServiceAccount"), bool):
        sys.exit("tokenAttributes: requireServiceAccount is required")
    if p["apiVersion"] != "credentialprovider.kubelet.k8s.io/v1":
        sys.exit("tokenAttributes: only with the v1 API")
EOF
}

# run_as_config FILE IMAGE [SA_NAMESPACE]: the binary as FILE's provider
# runs it (args, env with paths moved, the config's apiVersion), asked
# about IMAGE; its answer in $E2E_TMP/answer.json, stderr in answer.err.
# Fails when FILE's matchImages do not cover IMAGE (the kubelet would not ask).
run_as_config() {
    local file=$1 image=$2 ns=${3:-}
    "$PY" - "$file" "$image" "$T" "$HELPER_BIN" "$ns" >"$E2E_TMP/answer.json" 2>"$E2E_TMP/answer.err" <<'EOF'
import base64, fnmatch, json, os, subprocess, sys, urllib.parse, yaml
path, image, root, binary, ns = sys.argv[1:6]
p = yaml.safe_load(open(path))["providers"][0]
def parts(s):
    u = urllib.parse.urlsplit("https://" + s)
    host, _, port = u.netloc.partition(":")
    return host.split("."), port, u.path
def matches(pattern, target):
    gh, gp, gpath = parts(pattern)
    th, tp, tpath = parts(target)
    return gp == tp and len(gh) == len(th) and tpath.startswith(gpath) and \
        all(fnmatch.fnmatchcase(t, g) for g, t in zip(gh, th))
if not any(matches(m, image) for m in p["matchImages"]):
    sys.exit("matchImages do not cover " + image)
env = {"PATH": "/usr/bin:/bin", "DOCKER_CREDENTIAL_UPBOUND_VERIFY": "0"}
for e in p.get("env", []):
    env[e["name"]] = e["value"].replace("/etc/upbound/", root + "/etc/upbound/").replace("/run/", root + "/run/")
request = {"apiVersion": p["apiVersion"], "kind": "CredentialProviderRequest", "image": image}
if ns:
    b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    request["serviceAccountToken"] = b64({"alg": "RS256"}) + "." + b64({
        "sub": "system:serviceaccount:%s:puller" % ns,
        "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": "puller"}}}) + ".c2ln"
r = subprocess.run([binary] + p["args"], input=json.dumps(request).encode(), env=env,
                   capture_output=True, timeout=60)
sys.stderr.write(r.stderr.decode(errors="replace"))
if r.returncode != 0:
    sys.exit("exit %d" % r.returncode)
answer = json.loads(r.stdout)
if answer.get("apiVersion") != p["apiVersion"]:
    sys.exit("apiVersion differs")
print(json.dumps({k: answer.get(k) for k in ("cacheKeyType", "cacheDuration")} |
                 {"keys": sorted(answer.get("auth") or {}),
                  "users": sorted(v["username"] for v in (answer.get("auth") or {}).values())}, sort_keys=True))
EOF
    local rc=$?
    cat "$E2E_TMP/answer.err" >>"$E2E_STDERR_ALL"
    [ "$rc" = 0 ] || { diag "$(head -c 300 "$E2E_TMP/answer.err")"; return 1; }
}

answer_is() { # answer_is DESC EXPECTED_JSON
    check_eq "$1" "$2" "$(cat "$E2E_TMP/answer.json")"
}

CONFIGS=$REPO/install/kubelet
for file in "$CONFIGS"/*.yaml; do
    if out=$(check_config "$file" 2>&1); then
        ok "$(basename "$file"): a CredentialProviderConfig the kubelet accepts"
    else
        not_ok "$(basename "$file"): a CredentialProviderConfig the kubelet accepts"; diag "$out"
    fi
done

run_as_config "$CONFIGS/credential-provider-config.yaml" "xpkg.upbound.io/acme/configuration-aws" &&
    answer_is "credential-provider-config.yaml: the node's robot token for xpkg.upbound.io" \
        '{"cacheDuration": null, "cacheKeyType": "Registry", "keys": ["xpkg.upbound.io"], "users": ["robot-token-id"]}'
run_as_config "$CONFIGS/credential-provider-config.yaml" "registry.upbound.io/acme/fn" &&
    answer_is "credential-provider-config.yaml: registry.upbound.io too" \
        '{"cacheDuration": null, "cacheKeyType": "Registry", "keys": ["registry.upbound.io"], "users": ["robot-token-id"]}'

ORGS=$CONFIGS/credential-provider-config-organizations.yaml
run_as_config "$ORGS" "xpkg.upbound.io/acme/configuration-aws" &&
    answer_is "organizations: acme's image gets acme's token, keyed by its prefix" \
        '{"cacheDuration": null, "cacheKeyType": "Image", "keys": ["xpkg.upbound.io/acme"], "users": ["acme-id"]}'
run_as_config "$ORGS" "xpkg.upbound.io/globex/function-x" &&
    answer_is "organizations: globex lists namespaces: no service-account token, no credential" \
        '{"cacheDuration": "0s", "cacheKeyType": "Image", "keys": [], "users": []}'
run_as_config "$ORGS" "xpkg.upbound.io/acme-evil/x" &&
    answer_is "organizations: acme-evil is not under acme's prefix" \
        '{"cacheDuration": "0s", "cacheKeyType": "Image", "keys": [], "users": []}'

SA=$CONFIGS/credential-provider-config-service-account.yaml
run_as_config "$SA" "xpkg.upbound.io/globex/function-x" team-globex &&
    answer_is "service accounts: a pod in team-globex gets globex's token" \
        '{"cacheDuration": null, "cacheKeyType": "Image", "keys": ["xpkg.upbound.io/globex"], "users": ["globex-id"]}'
run_as_config "$SA" "xpkg.upbound.io/globex/function-x" team-acme &&
    answer_is "service accounts: a pod in team-acme does not" \
        '{"cacheDuration": "0s", "cacheKeyType": "Image", "keys": [], "users": []}'
check "... and stderr says why" grep -q "serves only pods in globex-system, team-globex, not team-acme" "$E2E_TMP/answer.err"
run_as_config "$SA" "xpkg.upbound.io/acme/configuration-aws" team-globex &&
    answer_is "service accounts: acme lists no namespaces: any pod" \
        '{"cacheDuration": null, "cacheKeyType": "Image", "keys": ["xpkg.upbound.io/acme"], "users": ["acme-id"]}'
if run_as_config "$CONFIGS/credential-provider-config.yaml" "ghcr.io/acme/pkg" 2>/dev/null; then
    not_ok "matchImages: the kubelet would not ask about ghcr.io"
else
    ok "matchImages: the kubelet would not ask about ghcr.io"
fi

e2e_finish
