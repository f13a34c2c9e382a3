#!/bin/bash
# The keyring at scale: 5,000 items of docker-credential-secretservice on a
# private bus with dbus-daemon's default limits (128 unanswered calls per
# connection, which a session.conf raises but a private bus may not).
# Before, list and the legacy get failed there with LimitsExceeded, every
# get described all of those items, and erase took longer than the timeout.
#  - list succeeds and shows every one of them with its username, and ours
#  - get finds ours, a legacy item under the key, a legacy item stored under
#    another spelling (https://host:port/), and not an unknown registry
#  - erase removes a legacy item (all its spellings) and ours, and nothing else
# Each get and erase must finish within the helper's own 4 s timeout.
. "$(dirname "$0")/lib.sh"
umask 077

COUNT=${SCALE_ITEMS:-5000}
t0=$(date +%s)
if ! start_keyring_with_legacy "$E2E_TMP/scale" "$COUNT" f; then
    not_ok "a private gnome-keyring with $COUNT legacy items"; e2e_finish
fi
ok "a private gnome-keyring with $COUNT legacy items ($(( $(date +%s) - t0 )) s to set up)"
# the generated items' secrets are test data; remember two to check stderr
remember_secret "secret-4321"
remember_secret "secret-17"

OURS=scale-ours.example:5000
SECRET_OURS="scale-$$-$RANDOM$RANDOM"
store_ok "store ours ($OURS)" "$OURS" robot "$SECRET_OURS"
SPELLED=scale-spelled.example:5000
SECRET_SPELLED="spelled-$$-$RANDOM"
if legacy_store "https://$SPELLED/" old-user "$SECRET_SPELLED"; then
    ok "docker-credential-secretservice stores https://$SPELLED/"
else
    not_ok "docker-credential-secretservice stores https://$SPELLED/"
fi

# timed CHECK...: the check, then its duration against the 4 s timeout
within_timeout() {
    if elapsed_under 4; then ok "$1 took ${H_SECS} s"; else not_ok "$1 took ${H_SECS} s (4 s is the timeout)"; fi
}

list_get f0.example >/dev/null
check_eq "list exits 0 with $COUNT legacy items" 0 "$H_RC"
ok "list took ${H_SECS} s (each page of 512 items gets the 4 s timeout)"
why=$(E_COUNT=$COUNT E_OURS=$OURS E_SPELLED=$SPELLED "$PY" - "$E2E_TMP/list.json" <<'PY'
import json, os, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("not JSON: %s" % type(e).__name__); sys.exit()
bad = [i for i in range(int(os.environ["E_COUNT"])) if d.get("f%d.example" % i) != "user%d" % i]
if bad:
    print("%d legacy keys missing or wrong, first f%d.example" % (len(bad), bad[0]))
if d.get(os.environ["E_OURS"]) != "robot":
    print("ours missing")
if d.get(os.environ["E_SPELLED"]) != "old-user":
    print("the legacy https://host:port/ item missing")
PY
)
check_eq "list shows every legacy item with its username, and ours" "" "$why"

get_is "get ours" "$OURS" robot "$SECRET_OURS"; within_timeout "get ours"
get_is "get a legacy item by its key" f4321.example user4321 secret-4321; within_timeout "legacy get"
get_is "get a legacy item stored as https://host:port/" "$SPELLED" old-user "$SECRET_SPELLED"
get_absent "get an unknown registry" unknown-scale.example; within_timeout "unknown get"

erase_ok "erase a legacy item" f17.example; within_timeout "legacy erase"
check_eq "no legacy item is left for f17.example" 0 "$(count_legacy https://f17.example)"
get_absent "get after the erase is not found" f17.example
check_eq "its neighbour f18.example is still there" 1 "$(count_legacy https://f18.example)"
erase_ok "erase ours" "$OURS"; within_timeout "erase ours"
check_eq "no item of ours is left for $OURS" 0 "$(count_ours "$OURS")"
erase_ok "erase the https://host:port/ legacy item" "$SPELLED"
check_eq "no legacy item is left for https://$SPELLED/" 0 "$(count_legacy "https://$SPELLED/")"

list_get f0.example >/dev/null
n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$E2E_TMP/list.json" 2>/dev/null)
check_eq "list afterwards: the other $((COUNT - 1)) legacy items" "$((COUNT - 1))" "$n"

e2e_finish
