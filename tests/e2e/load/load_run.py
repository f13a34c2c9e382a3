#!/usr/bin/python3
"""Parallel helper calls for load_test.sh.

    load_run.py calls ACTION WORKERS TOTAL SECONDS
    load_run.py mixed WORKERS TOTAL SECONDS

calls: WORKERS threads make TOTAL calls in all of `HELPER_BIN ACTION` (get:
stdin GET_INPUT; kubelet: stdin KUBELET_INPUT), spread evenly over SECONDS
so that the credentials expire several times during the run. Prints
calls=, failed=, distinct= (different credentials served), wall=.

mixed: the same gets, while one more thread stores the robot pairs in
STORE_INPUTS (files, ":"-separated) in turn and erases in between, ending
with an erase about SECONDS in; the gets go on for a second after it.
Prints, besides: stores=, erases=, mutations_failed=, gets_ok=,
gets_not_found=, gets_other= (any other answer), served_after_erase= (gets
that started after the last erase had returned and still got a credential).

Environment: HELPER_BIN, STDERR_FILE (helper stderr appended), SECRETS_FILE
(every credential served appended). Never prints a secret.
"""
import json
import os
import subprocess
import sys
import threading
import time

HELPER = os.environ["HELPER_BIN"]
STDERR_PATH = os.environ["STDERR_FILE"]
NOT_FOUND = b"credentials not found in native keychain"

lock = threading.Lock()
results = []  # (start, end, rc, (username, secret) or None, raw kind)


def call(action, stdin_path):
    t0 = time.monotonic()
    with open(stdin_path, "rb") as stdin, open(STDERR_PATH, "ab") as err:
        try:
            p = subprocess.run([HELPER, action], stdin=stdin, stdout=subprocess.PIPE, stderr=err, timeout=60)
            rc, out = p.returncode, p.stdout
        except subprocess.TimeoutExpired:
            rc, out = None, b""
    return t0, time.monotonic(), rc, out


def credential(action, rc, out):
    if rc != 0:
        return None
    try:
        d = json.loads(out)
        if action == "kubelet":
            auth = list(d["auth"].values())
            if len(auth) != 1:
                return None
            return auth[0]["username"], auth[0]["password"]
        return d["Username"], d["Secret"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def worker(action, stdin_path, times, t_start):
    for at in times:
        delay = t_start + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t0, t1, rc, out = call(action, stdin_path)
        cred = credential(action, rc, out)
        kind = "ok" if cred else "not_found" if rc == 1 and out.strip() == NOT_FOUND else "other"
        with lock:
            results.append((t0, t1, rc, cred, kind))


def run_gets(action, stdin_path, workers, total, seconds, t_start, tail=0.0):
    # call i of all at i * seconds / total: evenly spread, round robin over the workers
    times = [[] for _ in range(workers)]
    for i in range(total):
        times[i % workers].append(i * (seconds + tail) / total)
    threads = [threading.Thread(target=worker, args=(action, stdin_path, t, t_start)) for t in times]
    for t in threads:
        t.start()
    return threads


def report_served():
    served = {r[3] for r in results if r[3] is not None}
    with open(os.environ["SECRETS_FILE"], "a") as f:
        for _, secret in served:
            f.write(secret + "\n")
    return served


def main():
    mode, workers, total, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    t_start = time.monotonic()
    if mode == "calls":
        action = sys.argv[5] if len(sys.argv) > 5 else "get"
        stdin_path = os.environ["KUBELET_INPUT" if action == "kubelet" else "GET_INPUT"]
        for t in run_gets(action, stdin_path, workers, total, seconds, t_start):
            t.join()
        wall = time.monotonic() - t_start
        served = report_served()
        print("calls=%d" % len(results))
        print("failed=%d" % sum(1 for r in results if r[3] is None))
        print("distinct=%d" % len(served))
        print("wall=%.1f" % wall)
        return

    # mixed: WORKERS - 1 get threads and one that stores and erases
    stores = os.environ["STORE_INPUTS"].split(":")
    empty = os.environ["GET_INPUT"]
    tail = 1.0
    threads = run_gets("get", os.environ["GET_INPUT"], workers - 1, total, seconds, t_start, tail)
    counts = {"stores": 0, "erases": 0, "mutations_failed": 0}
    last_erase_done = None
    cycle, i = seconds / 8, 0
    while True:
        next_at = t_start + i * cycle
        if next_at - t_start > seconds - cycle / 2:
            break
        time.sleep(max(0, next_at - time.monotonic()))
        action, path = ("store", stores[(i // 2) % len(stores)]) if i % 2 == 0 else ("erase", empty)
        _, _, rc, out = call(action, path)
        counts[action + "s"] += 1
        if rc != 0 or out:
            counts["mutations_failed"] += 1
        i += 1
    if i % 2 == 1:  # the last was a store: end with an erase
        _, _, rc, out = call("erase", empty)
        counts["erases"] += 1
        if rc != 0 or out:
            counts["mutations_failed"] += 1
    last_erase_done = time.monotonic()
    for t in threads:
        t.join()
    report_served()
    after = [r for r in results if r[0] > last_erase_done]
    for k in ("stores", "erases", "mutations_failed"):
        print("%s=%d" % (k, counts[k]))
    print("calls=%d" % len(results))
    for kind in ("ok", "not_found", "other"):
        print("gets_%s=%d" % (kind, sum(1 for r in results if r[4] == kind)))
    print("gets_after_erase=%d" % len(after))
    print("served_after_erase=%d" % sum(1 for r in after if r[3] is not None))
    print("wall=%.1f" % (time.monotonic() - t_start))


if __name__ == "__main__":
    main()
