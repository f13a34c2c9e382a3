#!/usr/bin/python3
"""The secret-hygiene checks of tests/lib/canary_scan.py fail when their
property breaks: plants a canary in each forbidden place (stderr, a log, a
base64 Basic header, a client config, a robot token in a cache entry, a
leftover cache temporary file, a world-readable cache file, a cache
directory that is not 0700, a core file, a new file outside the scratch
directory, a process's argv, an environment variable other than
UP_ROBOT_TOKEN) and shows each is reported, by fingerprint and never by
value; a clean tree and UP_ROBOT_TOKEN pass. Prints TAP lines."""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from canary_scan import tap  # noqa: E402


def selftest():
    """Plant canaries where they must not be; every check must fail, and a
    clean tree must pass. Prints TAP lines about the scanner itself."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "canary_scan.py")
    ok_all = True
    with tempfile.TemporaryDirectory() as t:
        secret = "canary-selftest-" + os.urandom(8).hex()
        robot = "robot-selftest-" + os.urandom(8).hex()
        cfile = os.path.join(t, "canaries")
        with open(cfile, "w") as f:
            f.write(secret + "\n")
        scratch = os.path.join(t, "e2e")
        cache = os.path.join(scratch, "cache")
        os.makedirs(cache, mode=0o700)
        os.chmod(cache, 0o700)
        os.makedirs(os.path.join(scratch, "home", "keyrings"))

        def put(path, text, mode=0o600):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, mode)

        put(os.path.join(scratch, "robot.json"), json.dumps({"accessId": "a", "token": robot}))
        put(os.path.join(scratch, "h.out"), json.dumps({"Secret": secret}))
        put(os.path.join(scratch, "home", "keyrings", "login.keyring"), secret)
        entry = {"format": 1, "host": "h", "identity": "x", "username": "u", "secret": secret}
        put(os.path.join(cache, "h-" + "0" * 64 + ".json"), json.dumps(entry))
        put(os.path.join(cache, "h.lock"), "")

        def run_scan(extra=()):
            cmd = [sys.executable, here, "scan", "--canaries", cfile, "--scratch", scratch,
                   "--name", "selftest"] + list(extra)
            r = subprocess.run(cmd, stdout=subprocess.PIPE)
            return r.returncode, r.stdout.decode()

        rc, out = run_scan()
        ok_all &= tap(rc == 0, "canary self-test: a clean tree passes (token file, captured stdout, "
                      "keyring file, cache entry with a derived credential)",
                      [] if rc == 0 else out.splitlines())

        plants = [
            ("a canary on a script's stderr", "helper-stderr", secret, 0o600),
            ("a canary in a log file", "upbound/standin.log", "x " + secret, 0o600),
            ("a base64 Basic header in a log", "registry/registry.log",
             base64.b64encode(("id:" + secret).encode()).decode(), 0o600),
            ("a canary in a client config", "docker/config.json", json.dumps({"auths": {"h": {"x": secret}}}), 0o600),
            ("a robot token in a cache entry", "cache/r-" + "1" * 64 + ".json",
             json.dumps(dict(entry, secret=robot)), 0o600),
            ("a canary in a leftover cache temporary file", "cache/h-" + "2" * 64 + ".json.tmp.77",
             json.dumps(dict(entry, secret=secret)), 0o600),
            ("a world-readable cache file", "cache/h.failure",
             json.dumps({"format": 1, "host": "h", "at": 1, "message": "m"}), 0o644),
            ("a core file", "core", "\x7fELF", 0o600),
        ]
        for desc, rel, text, mode in plants:
            p = os.path.join(scratch, rel)
            put(p, text, mode)
            rc, out = run_scan()
            ok_all &= tap(rc == 1 and "not ok" in out and secret not in out and robot not in out,
                          "canary self-test: the scan catches %s, without printing it" % desc,
                          [] if rc == 1 else out.splitlines())
            os.unlink(p)

        # a file outside the scratch directory and the store, found by --new-root
        other = os.path.join(t, "tmp")
        put(os.path.join(other, "leak.txt"), secret)
        rc, out = run_scan(["--new-root", other, "--since", str(time.time() - 60)])
        ok_all &= tap(rc == 1, "canary self-test: the scan catches a canary in a new file outside the scratch directory")
        os.unlink(os.path.join(other, "leak.txt"))

        os.chmod(cache, 0o755)
        rc, out = run_scan()
        ok_all &= tap(rc == 1, "canary self-test: the scan catches a cache directory that is not 0700")
        os.chmod(cache, 0o700)

        # the sampler: a process with the canary in argv, another in an
        # environment variable other than UP_ROBOT_TOKEN, one allowed
        findings, stats = os.path.join(t, "findings"), os.path.join(t, "stats")
        sampler = subprocess.Popen([sys.executable, here, "sample", "--canaries", cfile,
                                    "--out", findings, "--stats", stats, "--interval", "0.05"])
        env = dict(os.environ, UP_ROBOT_TOKEN=secret)
        allowed = subprocess.Popen(["sleep", "0.6"], env=env)
        allowed.wait()
        sampler.terminate()
        sampler.wait()
        rc = subprocess.run([sys.executable, here, "report", "--out", findings, "--stats", stats],
                            stdout=subprocess.PIPE).returncode
        ok_all &= tap(rc == 0, "canary self-test: the sampler allows a canary in UP_ROBOT_TOKEN")

        os.unlink(findings)
        sampler = subprocess.Popen([sys.executable, here, "sample", "--canaries", cfile,
                                    "--out", findings, "--stats", stats, "--interval", "0.05"])
        env = dict(os.environ, SOME_VAR="x" + secret)
        with open(os.path.join(t, "argv.sh"), "w") as f:
            f.write("sleep 0.6\n")
        a = subprocess.Popen(["sh", os.path.join(t, "argv.sh"), secret])
        b = subprocess.Popen(["sleep", "0.6"], env=env)
        a.wait()
        b.wait()
        sampler.terminate()
        sampler.wait()
        r = subprocess.run([sys.executable, here, "report", "--out", findings, "--stats", stats],
                           stdout=subprocess.PIPE)
        out = r.stdout.decode()
        ok_all &= tap(r.returncode == 1 and "arguments of sh" in out and "variable SOME_VAR" in out
                      and secret not in out,
                      "canary self-test: the sampler catches a canary in argv and in another "
                      "environment variable, by fingerprint", [] if r.returncode == 1 else out.splitlines())
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(selftest())
