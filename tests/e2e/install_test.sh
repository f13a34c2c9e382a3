#!/bin/bash
# Installing (issue 9): install/install.sh, install/uninstall.sh and the
# Debian package.
#  1. install.sh --prefix into a temporary prefix, reusing the build, then
#     --configure: the binary runs and Docker's config.json names it
#  2. install.sh with build dependencies missing: says which, installs them
#     with apt-get (a recording stand-in for apt-get), then builds; with
#     --no-deps it fails with the list instead
#  3. uninstall.sh: takes the helper out of config.json, removes the binary
#  4. the .deb from CPack: runtime dependencies named (libcurl and libsecret
#     are loaded at run time, so dpkg-shlibdeps cannot see them); dpkg -i
#     installs it, the installed binary answers a get, dpkg -r removes it
#     (as root only: CI runs as root on a fresh machine)
. "$(dirname "$0")/lib.sh"
umask 077

BUILD=$REPO/build
PREFIX_DIR=$E2E_TMP/prefix
INSTALLED=$PREFIX_DIR/bin/docker-credential-upbound
unset UP_ROBOT_TOKEN UP_ROBOT_TOKEN_FILE UP_DOMAIN OVERRIDE_REGISTRY_ENDPOINT REGISTRY_AUTH_FILE
printf '{}\n' >"$E2E_TMP/helper-config.json"
export DOCKER_CREDENTIAL_UPBOUND_CONFIG=$E2E_TMP/helper-config.json
export DOCKER_CONFIG=$E2E_TMP/docker
mkdir -p "$DOCKER_CONFIG"
printf '{\n\t"auths": {},\n\t"psFormat": "table {{.ID}}"\n}\n' >"$DOCKER_CONFIG/config.json"

# json_get FILE EXPR: a Python expression over the parsed file `d`
json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

# ------------------------------------------------------------ 1. install.sh
if [ ! -f "$BUILD/CMakeCache.txt" ]; then not_ok "a configured build in $BUILD"; e2e_finish; fi
"$REPO/install/install.sh" --prefix "$PREFIX_DIR" --build-dir "$BUILD" --configure \
    >"$E2E_TMP/install.out" 2>&1
rc=$?
check_eq "install.sh --prefix --configure: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$E2E_TMP/install.out"
check "install.sh: the binary is in PREFIX/bin, mode 0755" \
    test "$(stat -c %a "$INSTALLED" 2>/dev/null)" = 755
check "install.sh: the installed binary prints its version" \
    grep -q "^docker-credential-upbound (.*) " "$E2E_TMP/install.out"
check_eq "install.sh --configure: credHelpers names the helper for xpkg.upbound.io" \
    upbound "$(json_get "$DOCKER_CONFIG/config.json" 'd["credHelpers"]["xpkg.upbound.io"]')"
check_eq "install.sh --configure: other keys kept" "table {{.ID}}" \
    "$(json_get "$DOCKER_CONFIG/config.json" 'd["psFormat"]')"

# ------------------------------------------------------------ 2. missing dependencies
# A PATH without cmake and an apt-get that records its arguments and then
# "installs" cmake by linking the real one: the dependency step, for real
# up to apt-get itself.
FAKE=$E2E_TMP/fakebin
mkdir -p "$FAKE"
for tool in bash sh env sed cat mkdir install nproc id dirname pwd g++ c++ cc make pkg-config grep \
    printf chmod rm mv cp ln uname readlink stat; do
    p=$(command -v "$tool" 2>/dev/null) && ln -sf "$p" "$FAKE/$tool"
done
REAL_CMAKE=$(command -v cmake)
cat >"$FAKE/apt-get" <<EOF
#!/bin/bash
echo "\$*" >>"$E2E_TMP/apt.log"
case " \$* " in *" install "*" cmake "*) ln -sf "$REAL_CMAKE" "$FAKE/cmake" ;; esac
exit 0
EOF
chmod 0755 "$FAKE/apt-get"
PATH="$FAKE" "$REPO/install/install.sh" --prefix "$E2E_TMP/prefix2" --build-dir "$BUILD" \
    >"$E2E_TMP/deps.out" 2>&1
rc=$?
check_eq "install.sh without cmake: exit 0 after installing it" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$E2E_TMP/deps.out"
check "install.sh without cmake: says what it installs" \
    grep -q "installing the build dependencies: cmake" "$E2E_TMP/deps.out"
check "install.sh without cmake: apt-get update, then install -y cmake" \
    "$PY" -c 'import sys; l=open(sys.argv[1]).read().splitlines(); sys.exit(not (len(l)==2 and l[0].startswith("update") and l[1].split()[:2]==["install","-y"] and "cmake" in l[1].split()))' "$E2E_TMP/apt.log"
check "install.sh without cmake: then built and installed" test -x "$E2E_TMP/prefix2/bin/docker-credential-upbound"
rm -f "$FAKE/cmake" "$E2E_TMP/apt.log"
PATH="$FAKE" "$REPO/install/install.sh" --no-deps --prefix "$E2E_TMP/prefix3" --build-dir "$BUILD" \
    >"$E2E_TMP/nodeps.out" 2>&1
rc=$?
check_eq "install.sh --no-deps without cmake: exit 1" 1 "$rc"
check "install.sh --no-deps: one error line naming cmake, apt-get not run" \
    bash -c "grep -q '^install.sh: error: missing build dependencies: cmake' '$E2E_TMP/nodeps.out' && [ ! -e '$E2E_TMP/apt.log' ]"

# ------------------------------------------------------------ 3. uninstall.sh
"$REPO/install/uninstall.sh" --prefix "$PREFIX_DIR" >"$E2E_TMP/uninstall.out" 2>&1
rc=$?
check_eq "uninstall.sh: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$E2E_TMP/uninstall.out"
check "uninstall.sh: the binary is gone" test ! -e "$INSTALLED"
check_eq "uninstall.sh: credHelpers no longer names the helper" "None" \
    "$(json_get "$DOCKER_CONFIG/config.json" 'd.get("credHelpers", {}).get("xpkg.upbound.io")')"
check_eq "uninstall.sh: other keys kept" "table {{.ID}}" "$(json_get "$DOCKER_CONFIG/config.json" 'd["psFormat"]')"
"$REPO/install/uninstall.sh" --prefix "$PREFIX_DIR" >"$E2E_TMP/uninstall2.out" 2>&1
check_eq "uninstall.sh a second time: nothing to do, exit 0" 0 "$?"

# ------------------------------------------------------------ 4. the Debian package
if [ "$(id -u)" != 0 ]; then
    not_ok "the .deb: dpkg -i needs root (CI runs as root)"
    e2e_finish
fi
if dpkg -s docker-credential-upbound >/dev/null 2>&1; then
    not_ok "the .deb: a docker-credential-upbound package is already installed here; not touching it"
    e2e_finish
fi
PKG_DIR=$E2E_TMP/pkg
mkdir -p "$PKG_DIR"
(cd "$BUILD" && cpack -G DEB -B "$PKG_DIR") >"$E2E_TMP/cpack.out" 2>&1
DEB=$(ls "$PKG_DIR"/docker-credential-upbound_*.deb 2>/dev/null | head -1)
if [ -z "$DEB" ]; then
    not_ok "cpack -G DEB builds a package"; sed 's/^/#   /' "$E2E_TMP/cpack.out"; e2e_finish
fi
ok "cpack -G DEB: $(basename "$DEB")"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "# Depends: $DEPENDS"
for lib in libcurl4 libsecret-1-0 libc6; do
    check "the .deb depends on $lib" grep -q "\b$lib\b" <<<"$DEPENDS"
done
# libc6's minimum is at least the newest glibc symbol version the binary uses
NEED=$(objdump -T "$BUILD/docker-credential-upbound" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
HAVE=$(sed -n 's/.*libc6 (>= \([0-9.]*\)).*/\1/p' <<<"$DEPENDS")
check "the .deb's libc6 (>= $HAVE) covers GLIBC_$NEED" \
    bash -c "[ -n '$HAVE' ] && [ \"\$(printf '%s\n' '$NEED' '$HAVE' | sort -V | tail -1)\" = '$HAVE' ]"
# the only libraries linked at load time: libc (libstdc++ is linked in)
check "the binary links only libc at load time" \
    bash -c "! objdump -p '$BUILD/docker-credential-upbound' | grep NEEDED | grep -v -e libc.so -e ld-linux"
# the libraries loaded at run time are the ones the package depends on
check "libcurl.so.4 (loaded at run time) comes from libcurl4" bash -c "dpkg -S '*/libcurl.so.4' | grep -q '^libcurl4:'"
check "libsecret-1.so.0 (loaded at run time) comes from libsecret-1-0" bash -c "dpkg -S '*/libsecret-1.so.0' | grep -q '^libsecret-1-0:'"

dpkg -i "$DEB" >"$E2E_TMP/dpkg.out" 2>&1
rc=$?
check_eq "dpkg -i the .deb: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/#   /' "$E2E_TMP/dpkg.out"
check "dpkg -i: /usr/bin/docker-credential-upbound installed" test -x /usr/bin/docker-credential-upbound
check "dpkg -i: the kubelet configs in /usr/share/docker-credential-upbound" \
    test -f /usr/share/docker-credential-upbound/kubelet/credential-provider-config.yaml
check "the installed binary prints its version" \
    bash -c "/usr/bin/docker-credential-upbound version | grep -q '^docker-credential-upbound ('"
# a real answer: the direct pair from the environment, verification off
ROBOT_ID=installed-robot
ROBOT_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
remember_secret "$ROBOT_TOKEN"
printf "xpkg.upbound.io" | UP_ROBOT_TOKEN="$ROBOT_TOKEN" UP_ROBOT_ACCESS_ID=$ROBOT_ID \
    DOCKER_CREDENTIAL_UPBOUND_VERIFY=0 /usr/bin/docker-credential-upbound get \
    >"$E2E_TMP/get.out" 2>"$E2E_TMP/get.err"
cat "$E2E_TMP/get.err" >>"$E2E_STDERR_ALL"
check_eq "the installed binary answers get with the robot pair" "$ROBOT_ID|ok" \
    "$("$PY" -c 'import json,os,sys; d=json.load(open(sys.argv[1])); print(d["Username"]+"|"+("ok" if d["Secret"]==os.fdopen(3).read() else "wrong secret"))' "$E2E_TMP/get.out" 3< <(printf '%s' "$ROBOT_TOKEN") 2>/dev/null)"
dpkg -r docker-credential-upbound >"$E2E_TMP/dpkg-r.out" 2>&1
check_eq "dpkg -r: exit 0" 0 "$?"
check "dpkg -r: the binary is gone" test ! -e /usr/bin/docker-credential-upbound

e2e_finish
