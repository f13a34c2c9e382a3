#!/bin/bash
# Real clients against a real registry: Debian's docker-registry with
# htpasswd auth on 127.0.0.1, skopeo (containers/image) and the Docker CLI
# (`docker manifest inspect`, no daemon) finding the helper through
# credHelpers in $DOCKER_CONFIG/config.json.
. "$(dirname "$0")/lib.sh"

RUSER=e2euser
RPASS='skopeo-pass-Hy6'          # the registry password
BADPASS='skopeo-wrong-Ux1'
remember_secret "$RPASS"; remember_secret "$BADPASS"

# htpasswd reads the password from stdin (-i): no secret in argv
printf '%s' "$RPASS" | htpasswd -Bin "$RUSER" >"$E2E_TMP/htpasswd" 2>/dev/null
if ! start_registry "$E2E_TMP/registry" "$E2E_TMP/htpasswd"; then
    not_ok "start docker-registry with htpasswd auth"
    e2e_finish
fi
ok "docker-registry with htpasswd auth answers 401 on http://127.0.0.1:$REGISTRY_PORT/v2/"
REG=127.0.0.1:$REGISTRY_PORT
kill_registry() {
    if [ -n "${REGISTRY_PID:-}" ]; then
        kill "$REGISTRY_PID" 2>/dev/null
        wait "$REGISTRY_PID" 2>/dev/null
    fi
    # erase what this script stored
    HCALL_TIMEOUT=5 hcall erase "$REG"
}
e2e_on_exit kill_registry

printf '{"credHelpers":{"%s":"upbound"}}\n' "$REG" >"$DOCKER_CONFIG/config.json"
printf 'unqualified-search-registries = []\n' >"$E2E_TMP/registries.conf"
printf '{"default":[{"type":"insecureAcceptAnything"}]}\n' >"$E2E_TMP/policy.json"
SKOPEO=(skopeo --registries-conf "$E2E_TMP/registries.conf" --policy "$E2E_TMP/policy.json"
        --tmpdir "$E2E_TMP")

# A tiny OCI image layout, made by hand
"$PY" "$REPO/tests/lib/make_oci_layout.py" "$E2E_TMP/image" "hello from the docker-credential-upbound e2e test"
LAYER_DIGEST=$(cat "$E2E_TMP/image/layer.digest")

push() { # push TAG: copy the image to docker://$REG/org/pkg:TAG
    timeout 60 "${SKOPEO[@]}" copy --dest-tls-verify=false "oci:$E2E_TMP/image:v1" \
        "docker://$REG/org/pkg:$1" >"$E2E_TMP/skopeo.out" 2>&1
}
skopeo_diag() { sed -n '1,6s/^/#   /p' "$E2E_TMP/skopeo.out"; }

# 1. without any stored credential the push is refused
hcall erase "$REG"
if push anon; then
    not_ok "skopeo push without stored credentials is refused"
else
    ok "skopeo push without stored credentials is refused"
fi

# 2. store (with a non-canonical spelling of the key) and push
store_ok "store the registry credential as 'http://$REG/'" "http://$REG/" "$RUSER" "$RPASS"
if push v1; then
    ok "skopeo copy oci:DIR:v1 docker://$REG/org/pkg:v1 with credHelpers -> upbound"
else
    not_ok "skopeo copy oci:DIR:v1 docker://$REG/org/pkg:v1 with credHelpers -> upbound"; skopeo_diag
fi

# 3. pull it back and compare
if timeout 60 "${SKOPEO[@]}" copy --src-tls-verify=false "docker://$REG/org/pkg:v1" \
        "oci:$E2E_TMP/out:v1" >"$E2E_TMP/skopeo.out" 2>&1; then
    ok "skopeo copy docker://$REG/org/pkg:v1 oci:OUT:v1"
else
    not_ok "skopeo copy docker://$REG/org/pkg:v1 oci:OUT:v1"; skopeo_diag
fi
check "the pulled image has the pushed layer" test -f "$E2E_TMP/out/blobs/sha256/${LAYER_DIGEST#sha256:}"

# 4. inspect
if timeout 60 "${SKOPEO[@]}" inspect --tls-verify=false "docker://$REG/org/pkg:v1" \
        >"$E2E_TMP/inspect.json" 2>"$E2E_TMP/skopeo.out" &&
    grep -qF "$LAYER_DIGEST" "$E2E_TMP/inspect.json"; then
    ok "skopeo inspect docker://$REG/org/pkg:v1 shows the layer"
else
    not_ok "skopeo inspect docker://$REG/org/pkg:v1 shows the layer"; skopeo_diag
fi

# 5. the Docker CLI (no daemon needed) through credHelpers
# Docker 20.10 (Debian's docker.io) does not read OCI manifests ("no such
# manifest"): give it a Docker schema 2 copy of the image as well.
if command -v docker >/dev/null; then
    diag "docker CLI: $(command -v docker) ($(docker --version 2>/dev/null))"
    timeout 60 "${SKOPEO[@]}" copy --format v2s2 --dest-tls-verify=false "oci:$E2E_TMP/image:v1" \
        "docker://$REG/org/pkg:v1-docker" >"$E2E_TMP/skopeo.out" 2>&1 || skopeo_diag
    if timeout 60 docker manifest inspect --insecure "$REG/org/pkg:v1-docker" >"$E2E_TMP/manifest.json" 2>"$E2E_TMP/skopeo.out" &&
        grep -qF "$LAYER_DIGEST" "$E2E_TMP/manifest.json"; then
        ok "docker manifest inspect --insecure $REG/org/pkg:v1-docker with credHelpers"
    else
        not_ok "docker manifest inspect --insecure $REG/org/pkg:v1-docker with credHelpers"; skopeo_diag
    fi
else
    not_ok "docker CLI on PATH"
fi

# 6. a wrong password stored over the right one makes the push fail
store_ok "re-store the credential as '$REG' with a wrong secret" "$REG" "$RUSER" "$BADPASS"
check_eq "still exactly one io.upbound.Credentials item for $REG" 1 "$(count_ours "$REG")"
if push bad; then
    not_ok "skopeo push with the wrong stored secret is refused"
else
    ok "skopeo push with the wrong stored secret is refused"
fi
if file_has_secret "$E2E_TMP/skopeo.out" "$RPASS" "$BADPASS"; then
    not_ok "skopeo's error output carries no secret"
else
    ok "skopeo's error output carries no secret"
fi

# 7. the right one again, then erase: the push fails
store_ok "re-store the right secret as 'https://$REG'" "https://$REG" "$RUSER" "$RPASS"
if push v2; then ok "skopeo push works again after re-store"; else not_ok "skopeo push works again after re-store"; skopeo_diag; fi
erase_ok "erase '$REG'" "$REG"
check_eq "no io.upbound.Credentials item left for $REG" 0 "$(count_ours "$REG")"
if push v3; then
    not_ok "skopeo push after erase is refused"
else
    ok "skopeo push after erase is refused"
fi
if timeout 60 "${SKOPEO[@]}" inspect --tls-verify=false "docker://$REG/org/pkg:v1" >/dev/null 2>&1; then
    not_ok "skopeo inspect after erase is refused"
else
    ok "skopeo inspect after erase is refused"
fi
if command -v docker >/dev/null; then
    if timeout 60 docker manifest inspect --insecure "$REG/org/pkg:v1-docker" >/dev/null 2>&1; then
        not_ok "docker manifest inspect after erase is refused"
    else
        ok "docker manifest inspect after erase is refused"
    fi
fi

e2e_finish
