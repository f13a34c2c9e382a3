#!/usr/bin/env bash
# Builds docker-credential-upbound and installs it into PREFIX/bin
# (default /usr/local). Run from anywhere; needs cmake, a C++17 compiler and
# the -dev packages listed in README.md.
#   PREFIX=/usr ./install/install.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix=${PREFIX:-/usr/local}
build=${BUILD_DIR:-$repo/build}

if [ "${INSTALL_DEPS:-0}" = 1 ]; then
    apt-get update
    apt-get install -y --no-install-recommends cmake g++ make pkg-config \
        libsecret-1-dev libglib2.0-dev nlohmann-json3-dev catch2 libsecret-1-0
fi

cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$(nproc)" --target docker-credential-upbound
install -D -m 0755 "$build/docker-credential-upbound" "$prefix/bin/docker-credential-upbound"
echo "installed $prefix/bin/docker-credential-upbound"
"$prefix/bin/docker-credential-upbound" version
