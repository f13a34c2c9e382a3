# shellcheck shell=bash disable=SC2034,SC2046
# Shell functions for tests that need a local Upbound: the stand-in in
# tests/upbound/standin.py and Debian's docker-registry using it as its token
# realm.  Source tests/lib/services.sh first (free_port, pid_alive,
# SERVICES_PIDS, stop_services), then this file.
#
#   start_upbound DIR [ARGS...]
#                   start the stand-in (state, log and port file under DIR);
#                   exports UPBOUND_PORT, UPBOUND_URL=http://127.0.0.1:PORT,
#                   UPBOUND_PID, UPBOUND_DIR (holds token.crt) and
#                   UPBOUND_LOG (one JSON line per request). ARGS go to
#                   standin.py (e.g. --session-max-age 5).
#                   UPBOUND_ISSUER / UPBOUND_SERVICE (default test-issuer /
#                   test-registry) are the JWT iss / aud of registry tokens.
#                   With --tls-cert FILE --tls-key FILE the stand-in speaks
#                   HTTPS and UPBOUND_URL is https://127.0.0.1:PORT: set
#                   UPBOUND_CACERT to the CA that signed FILE first (the
#                   test API calls verify it). Each --listen NAME:CERT:KEY
#                   adds an HTTPS listener sharing the state:
#                   upbound_listener_port NAME prints its port.
#   start_token_registry DIR
#                   docker-registry with `auth: token` against $UPBOUND_URL;
#                   exports REGISTRY_PORT, REGISTRY_HOST=127.0.0.1:PORT,
#                   REGISTRY_PID.
#   mint_robot ORG NAME FILE
#                   write {"accessId","token"} (what `up robot token create
#                   --file` writes) to FILE, mode 0600; prints nothing.
#   upbound_revoke ACCESS_ID       revoke a robot token
#   upbound_count PATH [METHOD]    print how many requests PATH received
#   upbound_fault JSON             add faults (object or list), see README
#   upbound_config JSON            change lifetimes at run time
#   upbound_expire                 end every live session and org token now
#   upbound_requests               print the request log (JSON list)
#   upbound_clear                  drop all faults and the request log
#   upbound_listener_port NAME     the port of a --listen listener
#   start_evil DIR  a loopback listener standing for a host nothing may be
#                   sent to: exports EVIL_PORT, EVIL_URL and EVIL_LOG (one
#                   JSON line per connection, written on accept, then
#                   whether an Authorization header came; never a value);
#                   it answers every request 200 {}.
#   evil_connections               print how many connections it accepted
#
# Every PID goes into SERVICES_PIDS, so stop_services stops them.
# Needs curl (or falls back to Debian's python3 for the test API calls).

UPBOUND_PY=/usr/bin/python3
[ -x "$UPBOUND_PY" ] || UPBOUND_PY=python3
UPBOUND_STANDIN=${UPBOUND_STANDIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../upbound" && pwd)/standin.py}
UPBOUND_ISSUER=${UPBOUND_ISSUER:-test-issuer}
UPBOUND_SERVICE=${UPBOUND_SERVICE:-test-registry}

# _upbound_call METHOD PATH [BODY] [OUTFILE]: call the stand-in, body on
# stdout (or into OUTFILE); fails unless the status is 2xx.
_upbound_call() {
    local method=$1 path=$2 body=${3:-} out=${4:--}
    if command -v curl >/dev/null 2>&1; then
        local ca=()
        [ -n "${UPBOUND_CACERT:-}" ] && ca=(--cacert "$UPBOUND_CACERT")
        if [ -n "$body" ]; then
            printf '%s' "$body" | curl -sf "${ca[@]}" --max-time 15 -X "$method" \
                -H 'Content-Type: application/json' --data-binary @- \
                -o "$out" "$UPBOUND_URL$path"
        else
            curl -sf "${ca[@]}" --max-time 15 -X "$method" -o "$out" "$UPBOUND_URL$path"
        fi
    else
        printf '%s' "$body" | "$UPBOUND_PY" -c '
import os, ssl, sys, urllib.request
m, url, out = sys.argv[1:4]
data = sys.stdin.buffer.read() or None
req = urllib.request.Request(url, data=data, method=m,
                             headers={"Content-Type": "application/json"})
ctx = ssl.create_default_context(cafile=os.environ.get("UPBOUND_CACERT") or None)
try:
    body = urllib.request.urlopen(req, timeout=15, context=ctx).read()
except Exception:
    sys.exit(22)
(sys.stdout.buffer if out == "-" else open(out, "wb")).write(body)
' "$method" "$UPBOUND_URL$path" "$out"
    fi
}

start_upbound() {
    local dir=$1 i scheme=http a
    shift
    for a in "$@"; do [ "$a" = --tls-cert ] && scheme=https; done
    mkdir -p "$dir"
    chmod 0700 "$dir"
    rm -f "$dir/port"
    "$UPBOUND_PY" "$UPBOUND_STANDIN" --port 0 --port-file "$dir/port" --state-dir "$dir" \
        --log "$dir/requests.jsonl" --issuer "$UPBOUND_ISSUER" --service "$UPBOUND_SERVICE" \
        "$@" </dev/null >"$dir/standin.log" 2>&1 &
    UPBOUND_PID=$!
    SERVICES_PIDS="$SERVICES_PIDS $UPBOUND_PID"
    export UPBOUND_PID UPBOUND_DIR="$dir" UPBOUND_LOG="$dir/requests.jsonl"
    for i in $(seq 1 200); do
        pid_alive "$UPBOUND_PID" || break
        if [ -s "$dir/port" ]; then
            UPBOUND_PORT=$(cat "$dir/port")
            export UPBOUND_PORT UPBOUND_URL="$scheme://127.0.0.1:$UPBOUND_PORT"
            if _upbound_call GET "/_test/count" "" /dev/null; then
                return 0
            fi
        fi
        sleep 0.05
    done
    echo "upbound: error: the stand-in did not start" >&2
    cat "$dir/standin.log" >&2
    return 1
}

start_token_registry() {
    if [ -z "${UPBOUND_URL:-}" ] || [ ! -s "${UPBOUND_DIR:-}/token.crt" ]; then
        echo "upbound: error: start_upbound first" >&2
        return 1
    fi
    start_registry_with "$1" "  token:
    realm: $UPBOUND_URL/service/token
    service: $UPBOUND_SERVICE
    issuer: $UPBOUND_ISSUER
    rootcertbundle: $UPBOUND_DIR/token.crt" Bearer
}

mint_robot() {
    local org=$1 name=$2 file=$3
    ( umask 077; : >"$file" ) || return 1
    chmod 0600 "$file"
    _upbound_call POST /_test/robots "{\"org\":\"$org\",\"name\":\"$name\"}" "$file" || return 1
    grep -q '"accessId"' "$file" && grep -q '"token"' "$file"
}

upbound_revoke() { _upbound_call POST /_test/revoke "{\"accessId\":\"$1\"}" /dev/null; }

upbound_count() {
    local q="path=$1"
    [ -n "${2:-}" ] && q="$q&method=$2"
    _upbound_call GET "/_test/count?$q" | sed -n 's/.*"count": *\([0-9]*\).*/\1/p'
}

upbound_fault() { _upbound_call POST /_test/faults "$1" /dev/null; }
upbound_config() { _upbound_call POST /_test/config "$1" /dev/null; }
upbound_expire() { _upbound_call POST /_test/expire '{}' /dev/null; }
upbound_requests() { _upbound_call GET /_test/requests; }

upbound_clear() {
    _upbound_call DELETE /_test/faults "" /dev/null &&
        _upbound_call DELETE /_test/requests "" /dev/null
}

upbound_listener_port() { cat "$UPBOUND_DIR/port.$1" 2>/dev/null; }

start_evil() {
    local dir=$1 i
    mkdir -p "$dir"
    EVIL_LOG=$dir/connections.jsonl
    : >"$EVIL_LOG"
    rm -f "$dir/port"
    "$UPBOUND_PY" - "$dir/port" "$EVIL_LOG" >"$dir/evil.log" 2>&1 <<'EOF' &
import json, os, socket, sys, threading, time
port_file, log = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
os.replace(port_file + ".tmp", port_file)
lock = threading.Lock()
def write(entry):
    with lock, open(log, "a") as f:
        f.write(json.dumps(entry) + "\n")
def serve(conn, n):
    conn.settimeout(3)
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            b = conn.recv(4096)
            if not b:
                break
            data += b
        head = data.split(b"\r\n\r\n")[0].lower()
        write({"conn": n, "bytes": len(data), "authorization": b"\r\nauthorization:" in head,
               "cookie": b"\r\ncookie:" in head})
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    except OSError:
        pass
    finally:
        conn.close()
n = 0
while True:
    conn, _ = srv.accept()
    n += 1
    write({"conn": n, "accepted": time.time()})
    threading.Thread(target=serve, args=(conn, n), daemon=True).start()
EOF
    EVIL_PID=$!
    SERVICES_PIDS="$SERVICES_PIDS $EVIL_PID"
    for i in $(seq 1 100); do
        if [ -s "$dir/port" ]; then
            EVIL_PORT=$(cat "$dir/port")
            export EVIL_PORT EVIL_PID EVIL_LOG EVIL_URL="http://127.0.0.1:$EVIL_PORT"
            return 0
        fi
        pid_alive "$EVIL_PID" || break
        sleep 0.05
    done
    echo "upbound: error: the evil listener did not start" >&2
    cat "$dir/evil.log" >&2
    return 1
}

evil_connections() { grep -c '"accepted"' "$EVIL_LOG" 2>/dev/null || true; }
