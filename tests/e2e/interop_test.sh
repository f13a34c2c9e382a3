#!/bin/bash
# Interoperation with what is already on users' machines:
# items written by docker-credential-secretservice (schema
# io.docker.Credentials) are found by our get/list and removed by our erase;
# our own items stay one per server; `docker logout` (the Docker CLI, with
# credsStore=upbound) erases every spelling it tries.
. "$(dirname "$0")/lib.sh"

H=interop.e2e.example.test
LS='legacy-secret-Rb2'          # test secrets
NS='new-secret-Fd8'
remember_secret "$LS"; remember_secret "$NS"
command -v "$LEGACY_BIN" >/dev/null || { not_ok "$LEGACY_BIN is installed"; e2e_finish; }

cleanup_interop() {
    local k
    for k in "$H" "$H:5000" "h1.$H" "h2.$H" "h3.$H" "h4.$H" "rev.$H" "https://index.docker.io/v1/"; do
        HCALL_TIMEOUT=5 hcall erase "$k"
        printf '%s' "$k" | timeout 5 "$LEGACY_BIN" erase >/dev/null 2>&1
    done
}
e2e_on_exit cleanup_interop

# ------------------------------------------------------------ legacy item is found
legacy_store "$H" legacyuser "$LS"
check "docker-credential-secretservice stores $H" [ $? = 0 ]
check_eq "one io.docker.Credentials item for $H" 1 "$(count_legacy "$H")"
check_eq "no io.upbound.Credentials item for $H yet" 0 "$(count_ours "$H")"
for k in "$H" "https://$H" "$H:443" "http://$H/"; do
    get_is "get '$k' returns the secretservice item" "$k" legacyuser "$LS"
done
got=$(list_get "$H"); rc=$?
check_eq "list shows the secretservice item under '$H'" "0 legacyuser" "$rc $got"

# a legacy item stored under another spelling of the key
legacy_store "https://rev.$H" revuser "$LS"
get_is "get 'rev.$H' finds a secretservice item stored as 'https://rev.$H'" "rev.$H" revuser "$LS"
got=$(list_get "rev.$H"); rc=$?
check_eq "list shows it under the canonical key 'rev.$H'" "0 revuser" "$rc $got"
erase_ok "erase 'rev.$H'" "rev.$H"
check_eq "erase removed the secretservice item stored as 'https://rev.$H'" 0 "$(count_legacy "https://rev.$H")"

# Docker Hub item as `docker login` writes it
legacy_store "https://index.docker.io/v1/" hublegacy "$LS"
get_is "get 'docker.io' finds the secretservice Docker Hub item" docker.io hublegacy "$LS"
erase_ok "erase 'index.docker.io'" index.docker.io
check_eq "no secretservice Docker Hub item left" 0 "$(count_legacy "https://index.docker.io/v1/")"
get_absent "Docker Hub: get after erase is not found" "https://index.docker.io/v1/"

# ------------------------------------------------------------ our store wins, one item
store_ok "our store for '$H' with another username" "$H" newuser "$NS"
check_eq "exactly one io.upbound.Credentials item for $H" 1 "$(count_ours "$H")"
get_is "get '$H' returns our new credential, not the legacy one" "$H" newuser "$NS"
get_is "get 'https://$H' returns our new credential" "https://$H" newuser "$NS"
store_ok "our store again as 'https://$H:443/'" "https://$H:443/" newuser2 "$NS"
check_eq "still exactly one io.upbound.Credentials item for $H" 1 "$(count_ours "$H")"
check_eq "no io.upbound.Credentials item under a non-canonical server" 0 \
    "$(( $(count_ours "https://$H:443/") + $(count_ours "https://$H") ))"
check_eq "our item has attributes server=$H username=newuser2" 1 \
    "$(count_items xdg:schema io.upbound.Credentials server "$H" username newuser2)"
got=$(list_get "$H"); rc=$?
check_eq "list shows '$H' -> newuser2" "0 newuser2" "$rc $got"
n=$(grep -o "\"[^\"]*$H[^\"]*\"[[:space:]]*:" "$E2E_TMP/list.json" | wc -l)
check_eq "list has exactly one key for $H" 1 "$n"

# ------------------------------------------------------------ docker logout
# As `docker login` leaves it with a credsStore: an empty "auths" entry per
# registry (Docker 20.10, Debian's docker.io, erases only keys found there;
# newer CLIs erase all four spellings regardless).
printf '{"credsStore":"upbound","auths":{"%s":{},"%s:5000":{}}}\n' "$H" "$H" >"$DOCKER_CONFIG/config.json"
if command -v docker >/dev/null; then
    diag "docker CLI: $(command -v docker) ($(docker --version 2>/dev/null))"
    legacy_store "$H" legacyuser "$LS"
    timeout 30 docker logout "$H" >"$E2E_TMP/logout.out" 2>"$E2E_TMP/logout.err"; rc=$?
    check_eq "docker logout $H exits 0" 0 "$rc"
    if grep -qi 'could not erase\|error' "$E2E_TMP/logout.err"; then
        not_ok "docker logout $H reports no erase error"; sed 's/^/#   /' "$E2E_TMP/logout.err"
    else
        ok "docker logout $H reports no erase error"
    fi
    check_eq "after docker logout: no item at all with server=$H" 0 "$(count_items server "$H")"
    get_absent "after docker logout: get '$H' is not found" "$H"
    got=$(list_get "$H"); rc=$?
    check_eq "after docker logout: list has no '$H'" 1 "$rc"

    # with a port, and with an https:// address
    store_ok "store '$H:5000'" "$H:5000" portuser "$NS"
    timeout 30 docker logout "https://$H:5000" >/dev/null 2>"$E2E_TMP/logout.err"; rc=$?
    check_eq "docker logout https://$H:5000 exits 0 without warnings" "0 " "$rc $(grep -i 'could not erase' "$E2E_TMP/logout.err")"
    get_absent "after docker logout: get '$H:5000' is not found" "$H:5000"
else
    not_ok "docker CLI on PATH"
fi

# ------------------------------------------------------------ each key docker logout uses, alone
i=0
for form in 'ADDR' 'HOST' 'http://HOST' 'https://HOST'; do
    i=$((i + 1))
    h="h$i.$H"
    case $form in
        ADDR) key="https://$h/v2/" ;;     # the address as a user may type it
        HOST) key="$h" ;;
        *) key=${form/HOST/$h} ;;
    esac
    store_ok "[$form] our store for $h" "$h" ouruser "$NS"
    legacy_store "$h" legacyuser "$LS"
    erase_ok "[$form] erase '$key' alone" "$key"
    check_eq "[$form] erase '$key' left no item with server=$h (ours or legacy)" 0 "$(count_items server "$h")"
    get_absent "[$form] get '$h' after erase is not found" "$h"
done

e2e_finish
