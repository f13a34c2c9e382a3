#!/usr/bin/env bash
# Reverses install/install.sh: removes PREFIX/bin/docker-credential-upbound,
# and first takes the helper out of Docker's config.json (an entry naming a
# missing helper makes every pull from that registry fail).
#
#   install/uninstall.sh [--prefix DIR] [--purge] [--keep-config]
#
#   --prefix DIR     where install.sh installed (default /usr/local)
#   --purge          also log out: remove the stored robot tokens and what
#                    was cached from them (`docker-credential-upbound logout --all`)
#   --keep-config    leave Docker's config.json as it is
set -euo pipefail

NAME=docker-credential-upbound
prefix=${PREFIX:-/usr/local}
purge=0
keep_config=0

say() { printf '%s\n' "uninstall.sh: $*"; }
die() { printf '%s\n' "uninstall.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --purge) purge=1; shift ;;
        --keep-config) keep_config=1; shift ;;
        -h|--help) sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

dest=$prefix/bin/$NAME
if [ ! -e "$dest" ]; then
    say "$dest is not installed; nothing to do"
    exit 0
fi

# as_user CMD...: run the helper as the user who ran this (SUDO_USER under sudo).
as_user() {
    if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
        sudo -u "$SUDO_USER" -H "$@"
    else
        "$@"
    fi
}

if [ "$purge" = 1 ]; then
    as_user "$dest" logout --all || say "warning: logout --all failed; the stored tokens may remain"
fi
if [ "$keep_config" = 0 ]; then
    as_user "$dest" configure docker --remove ||
        say "warning: could not take $NAME out of Docker's config.json; remove its credHelpers entries by hand"
fi

if [ -w "$(dirname "$dest")" ]; then
    rm -f "$dest"
else
    sudo rm -f "$dest" || die "cannot remove $dest: run as root"
fi
say "removed $dest"
