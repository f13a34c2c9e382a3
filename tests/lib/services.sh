# Shell functions that start and stop the real services the tests use.
# Source this file; every function records the PIDs it started in
# $SERVICES_PIDS so that stop_services kills only those.
#
#   make_test_home DIR       point HOME, XDG_* and DOCKER_CONFIG into DIR
#   start_session_bus DIR    private dbus-daemon, exports DBUS_SESSION_BUS_ADDRESS
#   start_keyring DIR        gnome-keyring-daemon with an unlocked login keyring
#   stop_services            kill what the functions above started (by PID)
#   await_stop PID TRIES     after a kill: wait for PID, then SIGKILL and reap it
#   free_port                print a free TCP port on 127.0.0.1
#   pid_alive PID            true while PID runs and is not a zombie

SERVICES_PIDS=${SERVICES_PIDS:-}

pid_alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$stat" ] && [ "${stat#Z}" = "$stat" ]
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

make_test_home() {
    local dir=$1
    mkdir -p "$dir/home" "$dir/runtime" "$dir/config" "$dir/cache" "$dir/data"
    chmod 0700 "$dir/runtime"
    export HOME="$dir/home"
    export XDG_RUNTIME_DIR="$dir/runtime"
    export XDG_CONFIG_HOME="$dir/config"
    export XDG_CACHE_HOME="$dir/cache"
    export XDG_DATA_HOME="$dir/data"
    export DOCKER_CONFIG="$dir/home/.docker"
    mkdir -p "$DOCKER_CONFIG"
    unset REGISTRY_AUTH_FILE
}

# A bus with no service directories: nothing is auto-activated, so the only
# Secret Service on it is the one start_keyring starts.
start_session_bus() {
    local dir=$1
    mkdir -p "$dir"
    cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile \
        </dev/null >"$dir/dbus.log" 2>&1 &
    SERVICES_PIDS="$SERVICES_PIDS $!"
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"
    local i
    for i in $(seq 1 100); do
        [ -S "$dir/bus" ] && return 0
        sleep 0.05
    done
    echo "services: error: dbus-daemon did not create $dir/bus" >&2
    return 1
}

start_keyring() {
    local dir=$1
    mkdir -p "$dir"
    printf 'test-keyring-password' >"$dir/keyring-password"
    gnome-keyring-daemon --foreground --unlock --components=secrets \
        <"$dir/keyring-password" >"$dir/keyring.log" 2>&1 &
    SERVICES_PIDS="$SERVICES_PIDS $!"
    local i
    for i in $(seq 1 100); do
        # Ready when the login collection exists behind the "default" alias:
        # --unlock creates it after claiming the name, and a client that
        # stores before then races the daemon's own first write (seen as
        # gnome-keyring dying with SIGTRAP on a loaded CI machine).
        if dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
                org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null |
                grep -q 'object path "/org/freedesktop/secrets/collection/'; then
            return 0
        fi
        sleep 0.05
    done
    echo "services: error: gnome-keyring did not claim org.freedesktop.secrets" >&2
    cat "$dir/keyring.log" >&2
    return 1
}

# await_stop PID TRIES: after a kill, wait up to TRIES x 50 ms for PID to
# end, then SIGKILL it, and reap it.
await_stop() {
    local pid=$1 i
    for i in $(seq 1 "$2"); do
        pid_alive "$pid" || break
        sleep 0.05
    done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # the service's own exit status (143, or 137 when it needed SIGKILL on a
    # loaded machine) is not a failure of the caller's, which may run set -e
    return 0
}

stop_services() {
    local pid
    for pid in $SERVICES_PIDS; do
        kill "$pid" 2>/dev/null
    done
    for pid in $SERVICES_PIDS; do
        await_stop "$pid" 40
    done
    SERVICES_PIDS=
}

#   start_registry DIR HTPASSWD
#                            Debian's docker-registry (distribution 2.8) on
#                            127.0.0.1:$REGISTRY_PORT with htpasswd auth;
#                            sets REGISTRY_PORT and REGISTRY_PID and records
#                            the PID for stop_services. Ready when /v2/ is 401.
#   http_status URL          print the HTTP status of a GET (python3, no curl)

http_status() {
    python3 - "$1" <<'EOF2'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(urllib.request.Request(sys.argv[1]), timeout=2)
    print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
EOF2
}

# start_registry_with DIR AUTH CHALLENGE: Debian's docker-registry on a free
# port with the YAML auth block AUTH, ready when /v2/ answers 401 with a
# WWW-Authenticate starting with CHALLENGE. Sets REGISTRY_PORT, REGISTRY_PID,
# REGISTRY_HOST.
start_registry_with() {
    local dir=$1 auth=$2 want=$3 attempt i
    mkdir -p "$dir/data"
    for attempt in 1 2 3; do
        REGISTRY_PORT=$(free_port)
        cat >"$dir/config.yml" <<EOF2
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$REGISTRY_PORT}
auth:
$auth
EOF2
        # REGISTRY_* variables override the file: drop them all.
        env $(env | sed -n 's/^\(REGISTRY_[A-Za-z0-9_]*\)=.*/-u \1/p') \
            docker-registry serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 &
        REGISTRY_PID=$!
        SERVICES_PIDS="$SERVICES_PIDS $REGISTRY_PID"
        for i in $(seq 1 100); do
            pid_alive "$REGISTRY_PID" || break
            case $(registry_challenge "http://127.0.0.1:$REGISTRY_PORT/v2/") in
            "$want"*)
                export REGISTRY_PORT REGISTRY_PID REGISTRY_HOST="127.0.0.1:$REGISTRY_PORT"
                return 0 ;;
            esac
            sleep 0.1
        done
        kill "$REGISTRY_PID" 2>/dev/null
        wait "$REGISTRY_PID" 2>/dev/null
    done
    echo "services: error: docker-registry did not answer 401 $want on /v2/" >&2
    cat "$dir/registry.log" >&2
    return 1
}

# start_registry DIR HTPASSWD: a registry with htpasswd (Basic) auth
start_registry() {
    start_registry_with "$1" "  htpasswd: {realm: test-registry, path: $2}" Basic
}

# registry_challenge URL: the WWW-Authenticate of a 401 from URL, else nothing
registry_challenge() {
    python3 - "$1" <<'EOF2'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError as e:
    if e.code == 401:
        print(e.headers.get("WWW-Authenticate", ""))
except Exception:
    pass
EOF2
}
