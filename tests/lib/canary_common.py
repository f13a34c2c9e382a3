"""What tests/lib/canary_scan.py and canary_sampler.py share: the canaries,
their fingerprints and encoded forms, TAP output."""

import base64
import hashlib
import json
import sys

ALLOWED_ENV = {"UP_ROBOT_TOKEN"}
MIN_LEN = 6          # shorter values would match by chance
MAX_FILE = 64 << 20  # bytes read per file when telling which canary matched


def fp(value):
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def load_canaries(paths):
    """{value: kind} from files of one value per line ("robot\\tVALUE" lines
    are robot tokens); values shorter than MIN_LEN are ignored."""
    out = {}
    for p in paths:
        try:
            with open(p, "rb") as f:
                for line in f.read().decode("utf-8", "surrogateescape").split("\n"):
                    kind = "secret"
                    if line.startswith("robot\t"):
                        kind, line = "robot", line[len("robot\t"):]
                    if len(line) >= MIN_LEN and out.get(line) != "robot":
                        out[line] = kind
        except OSError:
            pass
    return out


def variants(value):
    """(needle bytes, form) pairs: the value, JSON-escaped, and the middle of
    its base64 encoding at each of the three alignments (a Basic header, a
    docker config "auth" field)."""
    raw = value.encode("utf-8", "surrogateescape")
    out = [(raw, "plain")]
    esc = json.dumps(value)[1:-1].encode()
    if esc != raw:
        out.append((esc, "json"))
    if len(raw) >= 12:
        for pad in range(3):
            enc = base64.b64encode(b"\0" * pad + raw)
            start = 4 if pad else 0
            end = len(enc) - 4
            if end - start >= 8:
                out.append((enc[start:end], "base64"))
    return out


def tap(ok, desc, details=()):
    print("%s - %s" % ("ok" if ok else "not ok", desc))
    for d in details[:20]:
        print("#   %s" % d)
    if len(details) > 20:
        print("#   ... and %d more" % (len(details) - 20))
    sys.stdout.flush()
    return ok
