#!/usr/bin/env bash
# Builds docker-credential-upbound and installs it, on a fresh Debian or
# Ubuntu machine included: missing build dependencies are installed with
# apt-get (as root, or through sudo), after saying which.
#
#   install/install.sh [--prefix DIR] [--configure] [--build-dir DIR] [--no-deps]
#
#   --prefix DIR      install into DIR/bin (default /usr/local)
#   --configure       then run `docker-credential-upbound configure docker`
#                     for the user who ran this (SUDO_USER under sudo)
#   --build-dir DIR   where to build (default: build/ in the repository);
#                     an existing configured build directory is reused
#   --no-deps         never run apt-get; fail with the list instead
#
# install/uninstall.sh reverses it.
set -euo pipefail

NAME=docker-credential-upbound
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=${PREFIX:-/usr/local}
build=${BUILD_DIR:-$repo/build}
configure=0
deps=1

say() { printf '%s\n' "install.sh: $*"; }
die() { printf '%s\n' "install.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build=$2; shift 2 ;;
        --build-dir=*) build=${1#*=}; shift ;;
        --configure) configure=1; shift ;;
        --no-deps) deps=0; shift ;;
        -h|--help) sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

# as_root CMD...: run CMD as root, through sudo when needed.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

# ------------------------------------------------------------ build dependencies
# Debian package -> how to tell it is there. libsecret's and libcurl's
# headers only: the binary loads both libraries at run time (the -dev
# packages pull in the libraries themselves).
missing=()
need_cmd() { command -v "$2" >/dev/null 2>&1 || missing+=("$1"); }
need_pc() { pkg-config --exists "$2" 2>/dev/null || missing+=("$1"); }
need_cmd cmake cmake
need_cmd g++ g++
need_cmd make make
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
    need_pc libsecret-1-dev libsecret-1
    need_pc libcurl4-openssl-dev libcurl
else
    missing+=(libsecret-1-dev libcurl4-openssl-dev)
fi
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$deps" = 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        die "missing build dependencies: ${missing[*]} (Debian/Ubuntu package names; install them and run this again)"
    fi
    if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
        die "missing build dependencies: ${missing[*]}; run as root, or: apt-get install ${missing[*]}"
    fi
    say "installing the build dependencies: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        die "apt-get install ${missing[*]} failed"
fi

# ------------------------------------------------------------ build
if [ -f "$build/CMakeCache.txt" ]; then
    say "building in $build (existing configuration)"
else
    say "configuring a Release build in $build (no tests: they need Catch2)"
    cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDCU_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "$NAME" >/dev/null ||
    die "the build failed: run cmake --build $build --target $NAME to see why"

# ------------------------------------------------------------ install
dest=$prefix/bin/$NAME
install_cmd=(install -D -m 0755 "$build/$NAME" "$dest")
if mkdir -p "$prefix/bin" 2>/dev/null && [ -w "$prefix/bin" ]; then
    "${install_cmd[@]}"
else
    say "$prefix/bin is not writable: installing through sudo"
    as_root "${install_cmd[@]}" || die "cannot write $dest: run as root, or choose --prefix \$HOME/.local"
fi
say "installed $dest"
"$dest" version

case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) say "note: $prefix/bin is not on PATH; Docker finds $NAME only on PATH" ;;
esac

if [ "$configure" = 1 ]; then
    if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
        say "configuring Docker for $SUDO_USER"
        sudo -u "$SUDO_USER" -H "$dest" configure docker
    else
        "$dest" configure docker
    fi
fi
say "next: $NAME login --token-file FILE (see README.md), or try ./install/demo.sh"
