# shellcheck shell=bash
# A private containerd (Debian 12: 1.6) for tests that pull with ctr. Needs
# root. Source tests/lib/services.sh first (pid_alive, SERVICES_PIDS).
#
#   start_containerd DIR
#                   containerd with its root, state, gRPC/ttrpc sockets and
#                   every other path in DIR (config version 2, the CRI
#                   plugin's TCP service off, nothing listening on TCP but
#                   the CRI stream server on 127.0.0.1); records its PID in
#                   SERVICES_PIDS; ready when `ctr version` answers.
#                   Exports CONTAINERD_SOCK, CONTAINERD_PID, CONTAINERD_DIR.
#   stop_containerd stop it now (by PID) and drop it from SERVICES_PIDS
#   ctrd ARGS...    ctr --address $CONTAINERD_SOCK ARGS...
#
# Pull without unpacking into overlayfs: `ctrd images pull --plain-http
# --snapshotter native --user USER HOST/org/pkg:v1` (ctr prompts
# "Password:"; tests/lib/typer.py types it). No container is ever run, so
# no containerd-shim is started.

start_containerd() {
    local dir=$1 _
    mkdir -p "$dir/root" "$dir/state" "$dir/opt"
    chmod 0700 "$dir"
    CONTAINERD_DIR=$dir
    CONTAINERD_SOCK=$dir/containerd.sock
    cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = []

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"

[debug]
  address = ""
  level = "warn"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    disable_tcp_service = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "native"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$dir/cni/bin"
      conf_dir = "$dir/cni/conf"
  [plugins."io.containerd.internal.v1.opt"]
    path = "$dir/opt"
EOF
    containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 &
    CONTAINERD_PID=$!
    SERVICES_PIDS="$SERVICES_PIDS $CONTAINERD_PID"
    export CONTAINERD_SOCK CONTAINERD_PID CONTAINERD_DIR
    for _ in $(seq 1 200); do
        pid_alive "$CONTAINERD_PID" || break
        if [ -S "$CONTAINERD_SOCK" ] &&
            timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.05
    done
    echo "containerd: error: it did not answer on $CONTAINERD_SOCK" >&2
    tail -n 20 "$dir/containerd.log" >&2
    return 1
}

stop_containerd() {
    [ -n "${CONTAINERD_PID:-}" ] || return 0
    local rest="" pid
    kill "$CONTAINERD_PID" 2>/dev/null
    await_stop "$CONTAINERD_PID" 100
    for pid in $SERVICES_PIDS; do
        [ "$pid" = "$CONTAINERD_PID" ] || rest="$rest $pid"
    done
    SERVICES_PIDS=$rest
    CONTAINERD_PID=
}

ctrd() { ctr --address "$CONTAINERD_SOCK" "$@"; }
