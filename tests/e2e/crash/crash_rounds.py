#!/usr/bin/python3
"""Rounds of a helper action killed with SIGKILL, each followed by checks.

    crash_rounds.py get KIND ROUNDS      KIND: session, org-token or direct
    crash_rounds.py get-at KIND POINT ROUNDS
    crash_rounds.py store ROUNDS

get: each round first makes the cache entry stale (its expiry rewritten
into the past) or removes it, so that the get refreshes, starts
`HELPER_BIN get` and kills it after a random delay between 0 and a little
more than an uninterrupted get takes (measured, and kept current), so that
kills land before, inside and after the exchange and the cache write.
get-at: the same, but the kill comes from inside, at POINT of the cache
write (kill_at.c, whose path is in KILL_SHIM). After every round:
  - every cache file parses as the helper writes it (token_cache.cpp);
    temporary files (*.tmp.*) are counted
  - no lock file is held (flock succeeds at once)
  - the next get finishes within RECOVER_TIMEOUT seconds, exits 0 and
    prints a valid credential: for an exchange, one the stand-in accepts
    (Basic _token:<secret> at its token service); for direct, the robot pair
  - the cache then holds what that get served (exchange) or an accepted
    verdict (direct)

store: STORE_SERVER holds a credential; each round stores another one,
alternately with the same username (a new secret) and a new username, and
kills the store after a random delay. Then `get` returns the previous
credential or the new one, never neither and never a mix; `list` names the
username get returned; the keyring holds exactly one of our items for the
server that is not marked superseded, and at most one that is (a store
that changes the username marks the old item, writes the new one, then
removes the old: killed in between, the marked item stays until the next
store or erase; superseded_left counts those rounds); the server's lock is
free. A last store, not killed, must leave exactly one item.

Environment: HELPER_BIN, CACHE_DIR, GET_INPUT (a file holding the server
URL), STDERR_FILE (every helper stderr is appended), SECRETS_FILE (every
credential seen is appended, for the leak check), RECOVER_TIMEOUT;
for exchanges UPBOUND_URL, UPBOUND_SERVICE; for direct ROBOT_FILE;
for store STORE_SERVER, WORK_DIR. Prints "key=value" summary lines and
"problem: ..." lines (never a secret). Exit 0 even with problems: the
caller judges the summary.
"""
import base64
import fcntl
import glob
import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

HELPER = os.environ["HELPER_BIN"]
STDERR = open(os.environ["STDERR_FILE"], "ab")
SECRETS = open(os.environ["SECRETS_FILE"], "a")
RECOVER_TIMEOUT = float(os.environ.get("RECOVER_TIMEOUT", "10"))
CACHE = os.environ["CACHE_DIR"]

problems = []
stats = {}


def bump(key, n=1):
    stats[key] = stats.get(key, 0) + n


def problem(text):
    bump("problems")
    if len(problems) < 12:
        problems.append(text)


def remember(secret):
    if secret:
        SECRETS.write(secret + "\n")
        SECRETS.flush()


# ------------------------------------------------------------------ the cache

def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_entry(name, doc):
    """Why the parsed cache file `name` is not what token_cache.cpp writes ("" when it is)."""
    if not isinstance(doc, dict) or doc.get("format") != 1 or not isinstance(doc.get("host"), str):
        return "no format 1 object with a host"
    if name.endswith(".json"):
        ok = (isinstance(doc.get("identity"), str) and len(doc["identity"]) == 64 and
              isinstance(doc.get("username"), str) and isinstance(doc.get("secret"), str) and
              doc["secret"] and is_int(doc.get("obtained_at")) and is_int(doc.get("expires_at")))
        return "" if ok else "credential fields"
    if name.endswith(".verdict"):
        ok = (isinstance(doc.get("identity"), str) and
              doc.get("verdict") in ("accepted", "rejected", "refused") and
              isinstance(doc.get("reason"), str) and is_int(doc.get("checked_at")) and
              is_int(doc.get("until")))
        return "" if ok else "verdict fields"
    if name.endswith(".failure"):
        ok = is_int(doc.get("at")) and isinstance(doc.get("message"), str)
        return "" if ok else "failure fields"
    return "unknown kind"


def scan_cache(where):
    """Checks every file in the cache; returns the number of temporary files."""
    temps = 0
    for name in sorted(os.listdir(CACHE)) if os.path.isdir(CACHE) else []:
        path = os.path.join(CACHE, name)
        if ".tmp." in name:
            temps += 1
            continue
        if name.endswith(".lock"):
            fd = os.open(path, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                bump("stuck_locks")
                problem("%s: %s is still locked" % (where, name))
            finally:
                os.close(fd)
            continue
        st = os.stat(path)
        if st.st_mode & 0o777 != 0o600:
            problem("%s: %s has mode %o" % (where, name, st.st_mode & 0o777))
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read())
            why = check_entry(name, doc)
        except (ValueError, UnicodeDecodeError):
            why = "not JSON"
        if why:
            bump("torn")
            problem("%s: %s is torn or foreign (%s)" % (where, name, why))
    bump("temps_seen", temps)
    stats["temps_max"] = max(stats.get("temps_max", 0), temps)
    return temps


def entry_files(suffix):
    return [p for p in glob.glob(os.path.join(CACHE, "*" + suffix)) if ".tmp." not in p]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def write_atomic(path, data):
    staging = path + ".staging"
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.rename(staging, path)


def make_stale(suffix):
    """Removes the entry or moves its expiry into the past; "cold" or "stale"."""
    files = entry_files(suffix)
    if not files or random.random() < 0.4:
        for p in files:
            os.unlink(p)
        return "cold"
    now = int(time.time())
    for p in files:
        doc = json.loads(read(p))
        if suffix == ".json":
            doc["obtained_at"], doc["expires_at"] = now - 100, now - 40
        else:
            doc["checked_at"], doc["until"] = now - 100, now - 40
        write_atomic(p, json.dumps(doc).encode())
    return "stale"


# ------------------------------------------------------------------ helper calls

def run(args, stdin_path, timeout, env=None):
    """(exit code or None on timeout, stdout bytes, seconds)."""
    t0 = time.monotonic()
    with open(stdin_path, "rb") as stdin:
        p = subprocess.Popen([HELPER] + args, stdin=stdin, stdout=subprocess.PIPE, stderr=STDERR, env=env)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            return None, b"", time.monotonic() - t0
    return p.returncode, out, time.monotonic() - t0


def run_killed(args, stdin_path, delay, env=None):
    """Starts the helper, SIGKILLs it after delay seconds; True when the kill landed."""
    with open(stdin_path, "rb") as stdin:
        p = subprocess.Popen([HELPER] + args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=STDERR, env=env)
        time.sleep(delay)
        p.kill()
        try:
            p.wait(timeout=RECOVER_TIMEOUT)
        except subprocess.TimeoutExpired:
            problem("a killed helper did not end")
            return True
    return p.returncode == -9


def parse_credential(out):
    try:
        if out.count(b"\n") != 1 or not out.endswith(b"\n"):
            return None
        d = json.loads(out)
        if isinstance(d, dict) and isinstance(d.get("Username"), str) and isinstance(d.get("Secret"), str):
            return d
    except ValueError:
        pass
    return None


def accepted_by_standin(secret):
    url = "%s/service/token?service=%s" % (os.environ["UPBOUND_URL"], os.environ["UPBOUND_SERVICE"])
    auth = base64.b64encode(("_token:" + secret).encode()).decode()
    req = urllib.request.Request(url, headers={"Authorization": "Basic " + auth})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status == 200 and bool(json.loads(r.read()).get("token"))
    except (urllib.error.URLError, ValueError):
        return False


# ------------------------------------------------------------------ get rounds

def adapt(typical, killed):
    """Keeps the delays spanning the whole call as its duration changes with
    the machine's load: about five kills in six land inside the call."""
    return typical * (1.03 if killed else 0.85)


def get_rounds(kind, rounds, point=None):
    get_in = os.environ["GET_INPUT"]
    suffix = ".verdict" if kind == "direct" else ".json"
    robot = json.load(open(os.environ["ROBOT_FILE"])) if kind == "direct" else None
    env = None
    if point is not None:
        env = dict(os.environ, DCU_KILL_AT=point, LD_PRELOAD=os.environ["KILL_SHIM"],
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")

    def recover(where):
        rc, out, secs = run(["get"], get_in, RECOVER_TIMEOUT)
        if rc is None:
            bump("hangs")
            problem("%s: the next get did not finish within %gs" % (where, RECOVER_TIMEOUT))
            return None
        cred = parse_credential(out)
        if rc != 0 or cred is None:
            bump("recover_failed")
            problem("%s: the next get exited %s (%d bytes out)" % (where, rc, len(out)))
            return None
        remember(cred["Secret"])
        if kind == "direct":
            if (cred["Username"], cred["Secret"]) != (robot["accessId"], robot["token"]):
                bump("invalid")
                problem("%s: the next get did not return the robot pair" % where)
        elif cred["Username"] != "_token" or not accepted_by_standin(cred["Secret"]):
            bump("invalid")
            problem("%s: the next get returned a credential the stand-in refuses" % where)
        return cred

    # an uninterrupted get on a cold cache: how long the whole refresh takes
    durations = []
    for _ in range(3):
        make_stale(suffix)
        t0 = time.monotonic()
        if recover("warm-up") is not None:
            durations.append(time.monotonic() - t0)
    typical = sorted(durations)[len(durations) // 2] if durations else 0.05
    stats["typical_ms"] = int(typical * 1000)

    for i in range(rounds):
        where = "%s round %d" % (kind if point is None else kind + "@" + point, i)
        bump("ran")
        how = make_stale(suffix)
        before = {p: read(p) for p in entry_files(suffix)}
        if point is None:
            killed = run_killed(["get"], get_in, random.uniform(0, typical * 1.15))
            typical = adapt(typical, killed)
        else:
            rc, out, secs = run(["get"], get_in, RECOVER_TIMEOUT, env=env)
            killed = rc == -9
            if not killed:
                problem("%s: the shim did not kill the get (exit %s)" % (where, rc))
        bump("killed" if killed else "finished")
        temps = scan_cache(where + " after the kill")
        after = {p: read(p) for p in entry_files(suffix)}
        if not killed:
            pass
        elif temps:
            bump("inside_write")
        elif after != before:
            bump("after_write")
        else:
            bump("before_write")
        cred = recover(where)
        scan_cache(where + " after the next get")
        if cred is None:
            continue
        # what was served is what the cache holds now
        entries = [json.loads(read(p)) for p in entry_files(suffix)]
        if kind == "direct":
            if len(entries) != 1 or entries[0].get("verdict") != "accepted":
                bump("cache_mismatch")
                problem("%s: not one accepted verdict in the cache" % where)
        elif len(entries) != 1 or entries[0].get("secret") != cred["Secret"]:
            bump("cache_mismatch")
            problem("%s: the cache does not hold the credential served" % where)
        if how == "stale":
            bump("stale_rounds")
    stats["temps_end"] = scan_cache("at the end")


# ------------------------------------------------------------------ store rounds

def keyring_items(server):
    """(our items for server, how many of them are marked superseded)"""
    out = subprocess.run(["secret-tool", "search", "--all", "xdg:schema", "io.upbound.Credentials",
                          "server", server], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=20).stdout  # attributes go to stderr
    lines = [line.strip() for line in out.splitlines()]
    return (sum(1 for line in lines if line.startswith(b"[/")),
            sum(1 for line in lines if line.replace(b" ", b"") == b"attribute.superseded=1"))


def store_rounds(rounds):
    server = os.environ["STORE_SERVER"]
    work = os.environ["WORK_DIR"]
    get_in = os.path.join(work, "store-get.in")
    with open(get_in, "w") as f:
        f.write(server)
    empty = os.path.join(work, "empty.in")
    open(empty, "w").close()

    def store_input(cred):
        path = os.path.join(work, "store.in")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"ServerURL": server, "Username": cred[0], "Secret": cred[1]}, f)
        return path

    def new_secret():
        s = "crash-" + secrets.token_urlsafe(24)
        remember(s)
        return s

    prev = ("user-0", new_secret())
    rc, _, _ = run(["store"], store_input(prev), RECOVER_TIMEOUT)
    if rc != 0:
        problem("the first store exited %s" % rc)
        return
    durations = []
    for _ in range(3):
        t0 = time.monotonic()
        run(["store"], store_input(prev), RECOVER_TIMEOUT)
        durations.append(time.monotonic() - t0)
    typical = sorted(durations)[1]
    stats["typical_ms"] = int(typical * 1000)

    for i in range(1, rounds + 1):
        where = "store round %d" % i
        bump("ran")
        user = prev[0] if i % 2 else "user-%d" % i
        new = (user, new_secret())
        bump("same_username" if user == prev[0] else "new_username")
        killed = run_killed(["store"], store_input(new), random.uniform(0, typical * 1.15))
        typical = adapt(typical, killed)
        bump("killed" if killed else "finished")
        scan_cache(where)
        rc, out, _ = run(["get"], get_in, RECOVER_TIMEOUT)
        cred = parse_credential(out) if rc == 0 else None
        got = (cred["Username"], cred["Secret"]) if cred else None
        if got == new:
            bump("got_new")
        elif got == prev:
            bump("got_previous")
        elif got is None:
            bump("lost")
            problem("%s: get exited %s: neither the previous credential nor the new one" % (where, rc))
        else:
            bump("other_credential")
            problem("%s: get returned neither the previous credential nor the new one (username %s: %s)" %
                    (where, got[0], "an older one" if got[0].startswith("user-") else "a mix"))
        if not killed and got != new:
            problem("%s: a store that finished did not take effect" % where)
        rc, out, _ = run(["list"], empty, RECOVER_TIMEOUT)
        try:
            listed = json.loads(out).get(server) if rc == 0 else None
        except ValueError:
            listed = None
        if got is not None and listed != got[0]:
            bump("list_wrong")
            problem("%s: list names %r for the server, get returned %r" % (where, listed, got[0]))
        # A store whose username changes marks the old item superseded,
        # writes the new one, then removes the old: the Secret Service cannot
        # change an item's attributes and secret in one call. Killed between
        # the two, the marked item stays until the next store or erase; the
        # unmarked one is the one in use.
        n, marked = keyring_items(server)
        # in use: the unmarked item, or the marked one when it is alone
        # (killed after marking, before writing the new item)
        if (n, marked) not in ((1, 0), (1, 1), (2, 1)) or (marked and not killed):
            bump("items_wrong")
            problem("%s: the keyring holds %d of our items for the server, %d marked superseded%s" %
                    (where, n, marked, "" if killed else ", after a store that finished"))
        elif marked:
            bump("superseded_left")
        if got is not None:
            prev = got
    # the next store that finishes leaves exactly one
    final = ("user-final", new_secret())
    rc, _, _ = run(["store"], store_input(final), RECOVER_TIMEOUT)
    rc2, out, _ = run(["get"], get_in, RECOVER_TIMEOUT)
    cred = parse_credential(out) if rc2 == 0 else None
    if rc != 0 or cred is None or (cred["Username"], cred["Secret"]) != final:
        problem("the final store (exit %s) did not take effect" % rc)
    stats["items_at_end"] = keyring_items(server)[0]
    if stats["items_at_end"] != 1:
        problem("the keyring holds %d of our items for the server after the final store" % stats["items_at_end"])
    stats["temps_end"] = scan_cache("at the end")


def main():
    random.seed(os.environ.get("CRASH_SEED") or None)
    action = sys.argv[1]
    if action == "get":
        get_rounds(sys.argv[2], int(sys.argv[3]))
    elif action == "get-at":
        get_rounds(sys.argv[2], int(sys.argv[4]), point=sys.argv[3])
    elif action == "store":
        store_rounds(int(sys.argv[2]))
    else:
        sys.exit("crash_rounds.py: unknown action " + action)
    for k in sorted(stats):
        print("%s=%s" % (k, stats[k]))
    for p in problems:
        print("problem: " + p)


if __name__ == "__main__":
    main()
