#!/bin/bash
# What each get loads: a cache hit must load neither libcurl nor libsecret
# (nor GLib), and a keyring get must not load libcurl or libsecret either;
# only an exchange loads libcurl. Read from the dynamic loader's own trace.
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"

start_upbound "$E2E_TMP/upbound" >/dev/null || { not_ok "start the Upbound stand-in"; e2e_finish; }
mint_robot acme warm "$E2E_TMP/token.json"
remember_secret "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$E2E_TMP/token.json")"
WARM_HOST=127.0.0.1:5999   # served as the Upbound registry; nothing listens there
export OVERRIDE_API_ENDPOINT=$UPBOUND_URL OVERRIDE_AUTH_ENDPOINT=$UPBOUND_URL
export OVERRIDE_REGISTRY_ENDPOINT=$WARM_HOST UP_ROBOT_TOKEN_FILE=$E2E_TMP/token.json
export DOCKER_CREDENTIAL_UPBOUND_CACHE_DIR=$E2E_TMP/cache
export DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=session   # the cached exchanged credential

# loaded_libs HOST: the shared objects the helper's get for HOST initialised
loaded_libs() {
    printf '%s' "$1" | LD_DEBUG=libs "$HELPER_BIN" get 2>&1 >"$E2E_TMP/out" |
        awk '/calling init:/ {print $NF}' | sort -u
}

libs=$(loaded_libs "$WARM_HOST")
if grep -q '"Username":"_token"' "$E2E_TMP/out" && printf '%s\n' "$libs" | grep -q libcurl; then
    ok "a cold get exchanges and loads libcurl"
else
    not_ok "a cold get exchanges and loads libcurl"; diag "$libs"
fi
libs=$(loaded_libs "$WARM_HOST")
if grep -q '"Username":"_token"' "$E2E_TMP/out" &&
    ! printf '%s\n' "$libs" | grep -E -q 'libcurl|libsecret|libglib|libgio'; then
    ok "a warm get loads no libcurl, libsecret or GLib ($(printf '%s\n' "$libs" | wc -l) objects)"
else
    not_ok "a warm get loads no libcurl, libsecret or GLib"; diag "$libs"
fi
check_eq "the warm gets cost one login" 1 "$(upbound_count /v1/login)"

unset UP_ROBOT_TOKEN_FILE
store_ok "store a credential for another registry" warm.e2e.example.test warmuser 'warm-secret-Qz1'
remember_secret 'warm-secret-Qz1'
libs=$(loaded_libs warm.e2e.example.test)
if grep -q warmuser "$E2E_TMP/out" && ! printf '%s\n' "$libs" | grep -E -q 'libcurl|libsecret|libglib'; then
    ok "a keyring get loads no libcurl, libsecret or GLib"
else
    not_ok "a keyring get loads no libcurl, libsecret or GLib"; diag "$libs"
fi
erase_ok "erase it" warm.e2e.example.test
e2e_finish
