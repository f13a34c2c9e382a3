#!/bin/bash
# Thousands of concurrent `get`s against the real gnome-keyring.
#
# gnome-keyring 42 registers a client in an idle callback queued by its
# message filter; a client whose first call to it is OpenSession can be
# served before that callback runs, and the daemon then aborts (seen twice
# under 32 concurrent gets). The helper sends OpenSession only after a first
# reply from the daemon; this storm would kill the daemon otherwise.
#  - STRESS_GETS gets (default 4000, which CI runs in about 30 s; run
#    STRESS_GETS=50000 for the long version), STRESS_JOBS at a time (default 32),
#    a mix of one of our items, one of docker-credential-secretservice's and
#    an unknown registry: every one prints exactly what a lone get printed
#  - the daemon is still alive afterwards (a zombie counts as dead), still
#    owns org.freedesktop.secrets under the same PID, and still answers
. "$(dirname "$0")/lib.sh"
umask 077

GETS=${STRESS_GETS:-4000}
JOBS=${STRESS_JOBS:-32}
OURS=stress-ours-$$.example:5000
LEGACY=stress-legacy-$$.example
UNKNOWN=stress-unknown-$$.example

# keyring_pid: the PID of the process owning org.freedesktop.secrets
keyring_pid() {
    timeout 5 dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
        awk '/uint32/ {print $2}'
}

erase_all() {
    printf '%s' "$OURS" | timeout 10 "$HELPER_BIN" erase >/dev/null 2>&1
    printf '%s' "$LEGACY" | timeout 10 "$HELPER_BIN" erase >/dev/null 2>&1
}
e2e_on_exit erase_all

PID=$(keyring_pid)
if [ -z "$PID" ] || ! pid_alive "$PID"; then
    not_ok "gnome-keyring owns org.freedesktop.secrets before the storm"
    e2e_finish
fi
ok "gnome-keyring (PID $PID) owns org.freedesktop.secrets before the storm"

SECRET_OURS="stress-$$-$RANDOM$RANDOM"
SECRET_LEGACY="stress-legacy-$$-$RANDOM$RANDOM"
store_ok "store a credential for $OURS" "$OURS" robot "$SECRET_OURS"
if legacy_store "https://$LEGACY" old-user "$SECRET_LEGACY"; then
    ok "docker-credential-secretservice stores https://$LEGACY"
else
    not_ok "docker-credential-secretservice stores https://$LEGACY"; diag "$(cat "$E2E_TMP/legacy.out")"
fi

# The reference answers: one lone get each, checked field by field.
REF=$E2E_TMP/ref
mkdir -p "$REF"
get_is "a lone get of $OURS" "$OURS" robot "$SECRET_OURS" && cp "$E2E_TMP/h.out" "$REF/ours"
get_is "a lone get of $LEGACY (docker-credential-secretservice's)" "$LEGACY" old-user "$SECRET_LEGACY" &&
    cp "$E2E_TMP/h.out" "$REF/legacy"
get_absent "a lone get of $UNKNOWN is not found" "$UNKNOWN" && cp "$E2E_TMP/h.out" "$REF/unknown"
for k in ours legacy unknown; do
    [ -f "$REF/$k" ] || { not_ok "reference answers exist (missing: $k)"; e2e_finish; }
done
printf '%s' "$OURS" >"$REF/ours.in"
printf '%s' "$LEGACY" >"$REF/legacy.in"
printf '%s' "$UNKNOWN" >"$REF/unknown.in"

# Workers: STRESS_JOBS shell loops, each running its share of gets of one
# kind back to back and appending every stdout and exit status to its own
# file; nothing but the helper is started per get, so the gets arrive as
# fast as the machine can start them. The files are checked afterwards.
PER=$(( (GETS + JOBS - 1) / JOBS ))
STORM=$E2E_TMP/storm
mkdir -p "$STORM"
t0=$(date +%s)
workers=()
for w in $(seq 1 "$JOBS"); do
    case $((w % 4)) in 0|1) k=ours ;; 2) k=legacy ;; 3) k=unknown ;; esac
    echo "$k" >"$STORM/kind.$w"
    ( for _ in $(seq 1 "$PER"); do
          "$HELPER_BIN" get <"$REF/$k.in" 2>>"$STORM/err.$w"
          echo "exit=$?"
      done >"$STORM/out.$w" ) &
    workers+=($!)
done
# Only the workers: the services lib.sh may have started are children too.
# The helper ends every keyring call within its own 4 s timeout.
wait "${workers[@]}"
t1=$(date +%s)
cat "$STORM"/err.* >>"$E2E_STDERR_ALL" 2>/dev/null
why=$("$PY" - "$STORM" "$REF" "$JOBS" "$PER" <<'EOF2'
import collections, sys
storm, ref, jobs, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
want_exit = {"ours": 0, "legacy": 0, "unknown": 1}
bad = collections.Counter()
good = 0
for w in range(1, jobs + 1):
    kind = open("%s/kind.%d" % (storm, w)).read().strip()
    one = open("%s/%s" % (ref, kind), "rb").read() + b"exit=%d\n" % want_exit[kind]
    data = open("%s/out.%d" % (storm, w), "rb").read()
    n = data.count(one)
    good += n
    if n != per:
        # what went wrong, without printing any output (it may hold a secret)
        rest = data.replace(one, b"")
        lines = [l for l in rest.split(b"\n") if l.startswith(b"exit=") or b"error" in l]
        for l in lines[:50]:
            bad["%s: %s" % (kind, l.decode(errors="replace")[:160])] += 1
print(good)
for what, n in bad.most_common(5):
    print("%dx %s" % (n, what))
EOF2
)
n_ok=$(printf '%s\n' "$why" | head -1)
check_eq "$((PER * JOBS)) gets, $JOBS at a time, all print the lone get's answer ($((t1 - t0)) s)" \
    "$((PER * JOBS))" "$n_ok"
printf '%s\n' "$why" | tail -n +2 | while IFS= read -r l; do diag "$l"; done

if pid_alive "$PID"; then
    ok "gnome-keyring (PID $PID) is still alive after the storm"
else
    not_ok "gnome-keyring (PID $PID) is still alive after the storm"
fi
check_eq "org.freedesktop.secrets is still owned by PID $PID" "$PID" "$(keyring_pid)"
get_is "a get of $OURS after the storm" "$OURS" robot "$SECRET_OURS"

e2e_finish
