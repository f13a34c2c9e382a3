#!/usr/bin/python3
"""Secret hygiene for the end-to-end suite: where may a test secret appear?

The e2e scripts remember every secret they create or read (tests/e2e/lib.sh,
remember_secret); those values are the canaries. This tool looks for them
where they must never be, and names each finding by the canary's
fingerprint (first 8 hex digits of its SHA-256) and the place, never the
value.

  canary_scan.py sample --canaries FILE --out FINDINGS --stats STATS [--interval S]
      Until SIGTERM: every S seconds (default 0.2) read /proc/*/cmdline and
      /proc/*/environ. A canary in any argv is a finding; in an environment
      variable other than UP_ROBOT_TOKEN too (tests put a robot token there
      on purpose, to hand it to the helper). Each (pid, argv) is read once,
      every process again every 50th round (10 s). FINDINGS gets one
      tab-separated line per distinct finding; STATS the sampler's CPU
      seconds, rounds and processes read, on exit.
  canary_scan.py report --out FINDINGS --stats STATS
      TAP lines for what the sampler found; exit 1 on a finding.
  canary_scan.py scan --canaries FILE [--scratch DIR] [--root DIR]...
                      [--new-root DIR --since EPOCH]... [--core-dir DIR]...
                      [--add-to FILE] [--name LABEL]
      TAP lines; exit 1 on a finding. See ALLOWED below for the rule.

tests/lib/canary_selftest.py plants a canary in each kind of place and shows
that every check fails (tests/e2e/canary_selftest_test.sh runs it).

ALLOWED, the rule (everything else that holds a canary is a finding):
  * the secret store: gnome-keyring's files (any path with a "keyrings"
    directory component);
  * the helper's cache entries (JSON objects with "format", "host",
    "identity" and "secret", named *.json): they hold exchanged credentials,
    so any canary but a robot token (robot tokens are the "token" of robot
    token files, {"accessId","token"}, which the scan finds by itself);
  * in a script's scratch directory (--scratch, $E2E_TMP): files the test
    wrote, i.e. token files and the helper's captured stdout, except
    logs and stderr (*.log, *.jsonl, *.err, names with "stderr" or
    "err." in them), client configuration (config.json, auth.json,
    *.conf, *.yaml, *.yml) and anything else in a helper cache directory
    (verdicts, failures, locks, leftover temporary files).
Cache directories (any directory holding a cache entry, verdict, failure or
lock) in the run's own trees (--scratch, --root; not --new-root, where other
runs' files live) must be mode 0700 and every file in them 0600. Core files (core,
core.<pid>) in the scanned trees or --core-dir are findings whatever they
hold.
"""

import json
import os
import re
import stat
import subprocess
import sys
import tempfile

from canary_common import MAX_FILE, MIN_LEN, fp, load_canaries, tap, variants  # noqa: F401 (tap: selftest)
from canary_sampler import report, sample

# ---------------------------------------------------------------- files

def read_json(path):
    try:
        if os.path.getsize(path) > (1 << 20):
            return None
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def is_cache_entry(path, doc):
    return (path.endswith(".json") and isinstance(doc, dict)
            and all(k in doc for k in ("format", "host", "identity", "secret")))


def is_cache_file(path):
    """A file the token cache writes (entry, verdict, failure, lock, or a
    temporary file on its way to one)."""
    base = os.path.basename(path)
    if base.endswith(".lock") or re.search(r"\.(json|verdict|failure)(\.tmp\.\d+)?$", base) is None:
        return False
    if base.endswith(".lock"):
        return True
    doc = read_json(path)
    return isinstance(doc, dict) and "format" in doc and "host" in doc


LOGLIKE = re.compile(r"(\.log|\.jsonl|\.err|\.conf|\.ya?ml)$|^(config|auth)\.json$|stderr|(^|\.)err\.")


def walk(root, since=None):
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if since is not None and st.st_mtime < since and st.st_ctime < since:
                continue
            yield path, st


def grep_hits(paths, needles):
    """The subset of paths that hold any needle (GNU grep -F: one pass)."""
    if not paths or not needles:
        return set()
    with tempfile.NamedTemporaryFile("wb", delete=False) as nf, \
            tempfile.NamedTemporaryFile("wb", delete=False) as pf:
        os.chmod(nf.name, 0o600)
        nf.write(b"\n".join(needles) + b"\n")
        pf.write(b"\0".join(p.encode("utf-8", "surrogateescape") for p in paths) + b"\0")
    try:
        r = subprocess.run(["xargs", "-0", "-r", "grep", "-lF", "-a", "--no-messages", "-f", nf.name, "--"],
                           stdin=open(pf.name, "rb"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return set(p for p in r.stdout.decode("utf-8", "surrogateescape").split("\n") if p)
    finally:
        os.unlink(nf.name)
        os.unlink(pf.name)


def which(path, table):
    """[(fingerprint, form, kind)] of the canaries in path."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE)
    except OSError:
        return []
    out = []
    for needle, (value, form, kind) in table.items():
        if needle in data:
            out.append((fp(value), form, kind))
    return sorted(set(out))


def is_core(path):
    return re.fullmatch(r"core(\.\d+)?", os.path.basename(path)) is not None


def scan(args):
    canary_files = list(args.canaries)
    canaries = load_canaries(canary_files)
    scratch = [os.path.abspath(s) for s in args.scratch]
    trees = [(os.path.abspath(r), None) for r in args.scratch + args.root]
    trees += [(os.path.abspath(r), args.since) for r in args.new_root]
    exclude = set(os.path.abspath(p) for p in args.exclude + args.canaries)
    files = {}
    own = set()   # the run's own trees: robot and cache files there are ours
    for root, since in trees:
        if os.path.isdir(root):
            for path, st in walk(root, since):
                if path not in exclude:
                    files[path] = st
                    if since is None:
                        own.add(path)

    # Robot tokens and cached credentials found on disk are canaries too,
    # whether or not the script remembered them.
    discovered = {}
    cache_dirs = set()
    for path in files:
        if not path.endswith((".json", ".verdict", ".failure", ".lock")) and ".tmp." not in path:
            continue
        doc = read_json(path) if not path.endswith(".lock") else None
        if path in own and isinstance(doc, dict) and set(doc) >= {"accessId", "token"} \
                and isinstance(doc["token"], str):
            discovered[doc["token"]] = "robot"
        if path in own and is_cache_entry(path, doc) and isinstance(doc["secret"], str):
            discovered.setdefault(doc["secret"], "secret")
        if path in own and is_cache_file(path):
            cache_dirs.add(os.path.dirname(path))
    for v, k in discovered.items():
        if len(v) >= MIN_LEN and canaries.get(v) != "robot":
            canaries[v] = k
    if args.add_to and discovered:
        with open(args.add_to, "a") as f:
            for v, k in discovered.items():
                if len(v) >= MIN_LEN and "\n" not in v:
                    f.write(("robot\t" if k == "robot" else "") + v + "\n")

    table = {}
    for v, k in canaries.items():
        for needle, form in variants(v):
            table.setdefault(needle, (v, form, k))
    # A file larger than MAX_FILE (hostile_input_test's 4 GiB sparse token
    # file) is named in the check's description, not read.
    big = sorted(p for p, st in files.items() if st.st_size > MAX_FILE)
    hits = grep_hits(sorted(p for p in files if p not in big), list(table))

    label = args.name + ": " if args.name else ""
    bad = []
    for path in sorted(hits):
        found = which(path, table)
        if not found:
            continue
        in_scratch = any(path.startswith(s + "/") for s in scratch)
        parts = path.split("/")
        base = parts[-1]
        if "keyrings" in parts[:-1]:
            continue                      # the secret store
        doc = read_json(path) if path.endswith(".json") else None
        if is_cache_entry(path, doc):
            found = [x for x in found if x[2] == "robot"]
            why = "a robot token in a cache entry"
        elif os.path.dirname(path) in cache_dirs:
            why = "a cache file that is not an entry"
        elif in_scratch and not LOGLIKE.search(base):
            continue                      # a token file or captured stdout the test wrote
        else:
            why = "a log, stderr or configuration file" if in_scratch else "a file outside the secret store"
        for f_, form, kind in found:
            bad.append("canary %s%s%s in %s: %s" % (
                f_, "" if form == "plain" else " (%s)" % form, " (robot token)" if kind == "robot" else "",
                why, display(path, scratch)))
    ok = tap(not bad, "%sno canary in any log, stderr or file but the secret store and the test's "
             "token files (%d files, %d canaries%s)" % (
                 label, len(files) - len(big), len(canaries),
                 "; not read, over %d MiB: %s" % (MAX_FILE >> 20, ", ".join(display(p, scratch) for p in big))
                 if big else ""), bad)

    modes = []
    nfiles = 0
    for d in sorted(cache_dirs):
        try:
            m = stat.S_IMODE(os.stat(d).st_mode)
        except OSError:
            continue
        if m != 0o700:
            modes.append("cache directory %s is %04o, not 0700" % (display(d, scratch), m))
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            nfiles += 1
            if not stat.S_ISREG(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o600:
                modes.append("cache file %s is %s%04o, not a 0600 file" % (
                    display(p, scratch), "" if stat.S_ISREG(st.st_mode) else "a non-regular ",
                    stat.S_IMODE(st.st_mode)))
    ok &= tap(not modes, "%scache files 0600 in 0700 directories (%d directories, %d files)"
              % (label, len(cache_dirs), nfiles), modes)

    cores = [p for p in files if is_core(p)]
    for d in args.core_dir:
        try:
            cores += [os.path.join(d, n) for n in os.listdir(d)
                      if is_core(n) and os.path.isfile(os.path.join(d, n))
                      and os.path.getmtime(os.path.join(d, n)) >= (args.since or 0)]
        except OSError:
            pass
    ok &= tap(not cores, "%sno core file was dumped" % label,
              ["core file %s (%d bytes)" % (display(p, scratch), os.path.getsize(p)) for p in sorted(set(cores))])
    return 0 if ok else 1


def display(path, scratch):
    for s in scratch:
        if path.startswith(s + "/"):
            return "$E2E_TMP" + path[len(s):]
    return path


def main():
    import argparse
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--canaries", action="append", default=[])
    s.add_argument("--out", required=True)
    s.add_argument("--stats", required=True)
    s.add_argument("--interval", type=float, default=0.2)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--stats", required=True)
    c = sub.add_parser("scan")
    c.add_argument("--canaries", action="append", default=[])
    c.add_argument("--scratch", action="append", default=[])
    c.add_argument("--root", action="append", default=[])
    c.add_argument("--new-root", action="append", default=[])
    c.add_argument("--since", type=float)
    c.add_argument("--core-dir", action="append", default=[])
    c.add_argument("--add-to")
    c.add_argument("--exclude", action="append", default=[])
    c.add_argument("--name", default="")
    args = ap.parse_args()
    return {"sample": sample, "report": report, "scan": scan}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
