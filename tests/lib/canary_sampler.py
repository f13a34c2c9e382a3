"""The /proc sampler of tests/lib/canary_scan.py (`sample`, `report`): a
canary in any process's arguments, or in an environment variable other than
UP_ROBOT_TOKEN, is a finding. See canary_scan.py for the commands."""

import json
import os
import signal
import time

from canary_common import ALLOWED_ENV, fp, load_canaries, tap

def sample(args):
    canaries, sizes = {}, None
    seen = {}
    findings = set()
    rounds = reads = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    me = str(os.getpid())
    out = open(args.out, "a", buffering=1)
    t0 = time.time()
    while not stop:
        st = tuple((os.stat(p).st_size if os.path.exists(p) else -1) for p in args.canaries)
        if st != sizes:
            sizes = st
            canaries = load_canaries(args.canaries)
            needles = [(v.encode("utf-8", "surrogateescape"), v) for v in canaries]
            seen.clear()
        rounds += 1
        if rounds % 50 == 0:
            seen.clear()
        if needles:
            live = set()
            for pid in os.listdir("/proc"):
                if not pid.isdigit() or pid == me:
                    continue
                live.add(pid)
                cmd = read_small("/proc/%s/cmdline" % pid)
                if cmd is None:
                    continue
                if seen.get(pid) == cmd:
                    continue
                seen[pid] = cmd
                reads += 1
                comm = os.path.basename(cmd.split(b"\0", 1)[0].decode("utf-8", "replace"))[:40]
                for n, v in needles:
                    if n in cmd:
                        findings_add(out, findings, ("argv", fp(v), comm, ""))
                env = read_small("/proc/%s/environ" % pid)
                if env is None:
                    continue
                if not any(n in env for n, _ in needles):
                    continue
                for var in env.split(b"\0"):
                    name, _, val = var.partition(b"=")
                    for n, v in needles:
                        if n in val and name.decode("utf-8", "replace") not in ALLOWED_ENV:
                            findings_add(out, findings,
                                         ("environ", fp(v), comm, name.decode("utf-8", "replace")))
            for pid in list(seen):
                if pid not in live:
                    del seen[pid]
        time.sleep(args.interval)
    cpu = os.times()
    with open(args.stats, "w") as f:
        json.dump({"cpu_seconds": round(cpu.user + cpu.system, 2), "wall_seconds": round(time.time() - t0, 1),
                   "rounds": rounds, "processes_read": reads}, f)
    return 0


def read_small(path):
    """The whole of a /proc file, or None (os.read: a third of open()'s cost)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while True:
            b = os.read(fd, 131072)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    except OSError:
        return None
    finally:
        os.close(fd)


def findings_add(out, findings, key):
    if key in findings:
        return
    findings.add(key)
    out.write("\t".join(key) + "\n")


def report(args):
    lines = []
    try:
        with open(args.out) as f:
            lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    except OSError:
        pass
    stats = {}
    try:
        with open(args.stats) as f:
            stats = json.load(f)
    except (OSError, ValueError):
        return 1 if not tap(False, "hygiene: the /proc sampler ran and wrote its statistics") else 0
    details = ["canary %s in the %s of %s%s" % (k[1], "arguments" if k[0] == "argv" else "environment",
                                                k[2], " (variable %s)" % k[3] if k[3] else "")
               for k in lines]
    desc = ("hygiene: no canary in any process's arguments, nor in an environment variable but "
            "UP_ROBOT_TOKEN (%d rounds over %.0f s, %d process images read, sampler CPU %.2f s)"
            % (stats.get("rounds", 0), stats.get("wall_seconds", 0), stats.get("processes_read", 0),
               stats.get("cpu_seconds", 0)))
    return 0 if tap(not lines, desc, details) else 1
