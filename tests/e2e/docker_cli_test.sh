#!/bin/bash
# The Docker CLI (every distinct `docker` on PATH: Debian's docker.io 20.10
# in CI, newer ones where installed) against the registry behind the local
# Upbound stand-in, through credHelpers in $DOCKER_CONFIG/config.json, with
# the session and the direct exchange:
#
#  1. `docker login -u <accessId> --password-stdin HOST` with no daemon
#     (client-side token request, then store): the keyring holds the robot
#     pair, config.json no secret
#  2. `docker manifest inspect --insecure` through the helper
#  3. `docker login HOST` without -u and no daemon: get, and on newer CLIs
#     store, before "Cannot connect to the Docker daemon"; the robot token
#     must survive the store of what get returned (issue 7 section 2)
#  4. the same with tests/lib/login_daemon.py standing in for dockerd's
#     /auth (so Docker 20.10 reaches the store too, as it does with dockerd)
#  5. `docker logout HOST`: erase, then manifest inspect is refused
#  and the quirk that Docker 20.10 cannot read OCI manifests (28 can)
. "$(dirname "$0")/lib.sh"
. "$REPO/tests/lib/upbound.sh"
. "$REPO/tests/lib/clients.sh"
umask 077

clients_start
image_layout
R=$E2E_TMP/robot.json
cl_robot acme docker-ci "$R" || e2e_finish
ID=$(id_of "$R")
NO_DAEMON=$DOCKER_HOST
start_login_daemon || not_ok "start the login daemon stand-in"

# Docker 20.10 does not read OCI manifests: a Docker schema 2 copy
use_exchange direct
helper_store_robot "$R" || not_ok "helper store of the robot pair"
if cl "skopeo copy --format v2s2" skopeo --policy "$CL_POLICY" copy --format v2s2 --dest-tls-verify=false \
        "oci:$E2E_TMP/image:v1" "docker://$REG/acme/pkg:v2s2"; then
    ok "skopeo pushed acme/pkg:v2s2 (Docker schema 2) through the helper"
else
    not_ok "skopeo pushed acme/pkg:v2s2 through the helper"; cl_diag
fi

cl "skopeo copy (OCI)" skopeo --policy "$CL_POLICY" copy --dest-tls-verify=false \
    "oci:$E2E_TMP/image:v1" "docker://$REG/acme/pkg:oci" || { not_ok "skopeo pushed acme/pkg:oci"; cl_diag; }

DOCKERS=()
declare -A seen=()
while IFS= read -r d; do
    r=$(readlink -f "$d")
    [ -n "${seen[$r]:-}" ] && continue
    seen[$r]=1; DOCKERS+=("$d")
done < <(type -ap docker)
[ "${#DOCKERS[@]}" -gt 0 ] || { not_ok "a docker CLI on PATH"; e2e_finish; }

inspect() { # inspect DOCKER: manifest inspect of acme/pkg:v2s2 shows the layer
    cl "$1 manifest inspect" "$1" manifest inspect --insecure "$REG/acme/pkg:v2s2" &&
        grep -q "$LAYER" "$E2E_TMP/client.out"
}

for D in "${DOCKERS[@]}"; do
    V=$("$D" --version | awk '{print $3}' | tr -d ,)
    for kind in session direct; do
        t="docker $V, $kind"
        diag "---- $D ($V), $kind exchange"
        use_exchange "$kind"
        export DOCKER_HOST=$NO_DAEMON
        [ "$kind" = session ] && want_user=_token || want_user=$ID
        [ "$kind" = session ] && user_label=_token || user_label='<accessId>'
        hcall erase "$REG"
        write_docker_config

        # 1. login with the robot pair, no daemon
        calls_reset
        if token_to_stdout "$R" | cl "$D login -u ID --password-stdin" \
                "$D" login -u "$ID" --password-stdin "$REG" &&
            grep -q 'Login Succeeded' "$E2E_TMP/client.out"; then
            ok "$t: docker login -u <accessId> --password-stdin $REG, no daemon: Login Succeeded"
        else
            not_ok "$t: docker login -u <accessId> --password-stdin $REG, no daemon"; cl_diag
        fi
        check_eq "$t: ... stored ServerURL $REG, Username <accessId> through the helper" \
            "$REG $ID" "$(awk '$1 == "store" {print $3, $4}' "$CALLS")"
        robot_kept "$t: ... the keyring holds the robot pair" "$R"
        check "$t: ... config.json keeps credHelpers and has no \"auth\"" \
            sh -c "grep -q credHelpers '$DOCKER_CONFIG/config.json' && ! grep -q '\"auth\"' '$DOCKER_CONFIG/config.json'"

        # 2. manifest inspect
        calls_reset
        if inspect "$D"; then
            ok "$t: docker manifest inspect --insecure $REG/acme/pkg:v2s2 (helper: $(calls_seq))"
        else
            not_ok "$t: docker manifest inspect --insecure $REG/acme/pkg:v2s2"; cl_diag; calls_diag
        fi
        check_eq "$t: ... every get answered $user_label" "$want_user" \
            "$(awk '$1 == "get" {print $4}' "$CALLS" | sort -u | paste -sd' ' -)"

        if [ "$kind" = direct ]; then
            if cl "$D manifest inspect (OCI)" "$D" manifest inspect --insecure "$REG/acme/pkg:oci"; then
                ok "$t: docker manifest inspect reads an OCI manifest"
            elif grep -q 'no such manifest' "$E2E_TMP/client.out"; then
                ok "quirk: $t: docker manifest inspect of an OCI manifest says 'no such manifest'"
            else
                not_ok "$t: docker manifest inspect of an OCI manifest: read, or 'no such manifest'"; cl_diag
            fi
        fi

        # 3. login without -u, no daemon
        calls_reset
        cl "$D login HOST, no daemon" "$D" login "$REG" </dev/null
        rc=$?
        seq=$(calls_seq)
        if [ "$rc" != 0 ] && grep -q 'Cannot connect to the Docker daemon' "$E2E_TMP/client.out"; then
            ok "$t: docker login $REG (no -u, no daemon) fails: no daemon answers (helper: $seq)"
        else
            not_ok "$t: docker login $REG (no -u, no daemon) fails: no daemon answers"; cl_diag
        fi
        case " $seq " in
        *" get "*store*)
            check_eq "$t: ... it stored what get returned (Username $user_label)" "$want_user" "$(calls_store_user)"
            robot_kept "$t: [section 2] ... the keyring still holds the robot pair" "$R"
            get_works "$t: [section 2] ... get still answers $user_label" "$want_user" ;;
        *" get "*)
            ok "$t: ... it calls get only: this CLI stops before store without a daemon" ;;
        *)  not_ok "$t: ... it calls get (helper: $seq)" ;;
        esac

        # 4. login without -u against the login daemon stand-in
        helper_store_robot "$R"
        export DOCKER_HOST=$LOGIN_DAEMON_HOST
        calls_reset
        if cl "$D login HOST, login daemon" "$D" login "$REG" </dev/null &&
            grep -q 'Login Succeeded' "$E2E_TMP/client.out"; then
            ok "$t: docker login $REG (no -u) with a daemon: Login Succeeded"
        else
            not_ok "$t: docker login $REG (no -u) with a daemon: Login Succeeded"; cl_diag
        fi
        check_eq "$t: ... the daemon checked Username $user_label at the registry" "$want_user True" \
            "$(tail -1 "$LOGIN_DAEMON_LOG" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["username"], d["ok"])' 2>&1)"
        case " $(calls_seq) " in
        *" get "*store*) ok "$t: ... helper calls: get, then store ($(calls_seq))" ;;
        *) not_ok "$t: ... helper calls: get, then store ($(calls_seq))" ;;
        esac
        check_eq "$t: ... it stored what get returned (Username $user_label)" "$want_user" "$(calls_store_user)"
        robot_kept "$t: [section 2] ... the keyring still holds the robot pair" "$R"
        get_works "$t: [section 2] ... get still answers $user_label" "$want_user"
        if [ "$kind" = session ]; then
            if [ -s "$last_store_err" ]; then ok "$t: [section 2] ... store said so on stderr"
                diag "$(head -c 300 "$last_store_err")"
            else not_ok "$t: [section 2] ... store said so on stderr"; fi
        fi
        export DOCKER_HOST=$NO_DAEMON
        if inspect "$D"; then ok "$t: [section 2] ... docker manifest inspect still works"
        else not_ok "$t: [section 2] ... docker manifest inspect still works"; cl_diag; fi

        # 5. logout
        helper_store_robot "$R"
        calls_reset
        if cl "$D logout" "$D" logout "$REG" && ! grep -qi 'error\|could not' "$E2E_TMP/client.out"; then
            ok "$t: docker logout $REG (helper: $(calls_seq))"
        else
            not_ok "$t: docker logout $REG"; cl_diag
        fi
        check "$t: ... it erased $REG through the helper" grep -q "^erase rc=0 $REG" "$CALLS"
        get_absent "$t: ... get $REG is not found" "$REG"
        check "$t: ... config.json keeps credHelpers" grep -q credHelpers "$DOCKER_CONFIG/config.json"
        if inspect "$D"; then not_ok "$t: ... docker manifest inspect is refused"
        else ok "$t: ... docker manifest inspect is refused"; fi
    done
done

clients_no_leak
e2e_finish
