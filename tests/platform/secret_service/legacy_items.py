#!/usr/bin/python3
"""Makes many items of the kind docker-credential-secretservice stores.

    legacy_items.py keyring FILE COUNT PREFIX   write a keyring file
    legacy_items.py unlock NAME                 unlock that keyring
    legacy_items.py create COUNT PREFIX [COLLECTION]

Item i (0 <= i < COUNT) has schema io.docker.Credentials, server
"https://PREFIX<i>.example" (registry key PREFIX<i>.example), username
"user<i>", label "Docker Credentials", docker_cli "1" and the secret
"secret-<i>" (test data, not a credential).

Filling a keyring through the Secret Service is slow at scale: gnome-keyring
rewrites the keyring file and announces the collection's whole item list
after every CreateItem, so 5,000 items take minutes (secret-tool: a process
and several round trips more per item). `keyring` writes FILE in
gnome-keyring's plain-text format (kept for keyrings with an empty
password) in well under a second; put it in $XDG_DATA_HOME/keyrings/NAME.keyring
before gnome-keyring starts (version 42 does not export collections that
appear later), then `unlock NAME` (its password is empty; about 2 s for
5,000 items). `create` speaks D-Bus itself, 64 CreateItem calls in flight,
for a keyring that is already running. Python's standard library only:
Debian's CI image has no D-Bus binding for python3.
"""
import os
import socket
import struct
import sys

WINDOW = 64


class Marshal:
    def __init__(self):
        self.buf = bytearray()

    def pad(self, n):
        while len(self.buf) % n:
            self.buf.append(0)

    def value(self, sig, v):
        c = sig[0]
        if c == "y":
            self.buf.append(v)
        elif c == "b" or c == "u":
            self.pad(4)
            self.buf += struct.pack("<I", int(v))
        elif c in "so":
            data = v.encode()
            self.pad(4)
            self.buf += struct.pack("<I", len(data)) + data + b"\0"
        elif c == "g":
            data = v.encode()
            self.buf += bytes([len(data)]) + data + b"\0"
        elif c == "v":
            inner, x = v
            self.value("g", inner)
            self.value(inner, x)
        elif c == "a":
            elem = sig[1:]
            self.pad(4)
            at = len(self.buf)
            self.buf += b"\0\0\0\0"
            self.pad(8 if elem[0] in "({" else ALIGN.get(elem[0], 1))
            start = len(self.buf)
            if elem == "y":
                self.buf += v
            else:
                items = v.items() if elem[0] == "{" else v
                inner = elem[1:-1] if elem[0] == "{" else elem
                for x in items:
                    if elem[0] == "{":
                        self.pad(8)
                        self.seq(inner, x)
                    else:
                        self.value(elem, x)
            struct.pack_into("<I", self.buf, at, len(self.buf) - start)
        elif c == "(":
            self.pad(8)
            self.seq(sig[1:-1], v)
        else:
            raise ValueError(sig)

    def seq(self, sig, values):
        for s, v in zip(split(sig), values):
            self.value(s, v)


ALIGN = {"y": 1, "b": 4, "u": 4, "s": 4, "o": 4, "g": 1, "v": 1, "a": 4}


def split(sig):
    """'a{sv}(oayays)b' -> ['a{sv}', '(oayays)', 'b']"""
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == "a":
            j += 1
        if sig[j] in "({":
            depth = 0
            while True:
                depth += sig[j] in "({"
                depth -= sig[j] in ")}"
                j += 1
                if depth == 0:
                    break
        else:
            j += 1
        out.append(sig[i:j])
        i = j
    return out


def method_call(serial, dest, path, iface, member, sig, args):
    body = Marshal()
    body.seq(sig, args)
    fields = [(1, ("o", path)), (3, ("s", member)), (6, ("s", dest))]
    if iface:
        fields.append((2, ("s", iface)))
    if sig:
        fields.append((8, ("g", sig)))
    head = Marshal()
    head.buf += b"l\1\0\1" + struct.pack("<II", len(body.buf), serial)
    head.value("a(yv)", fields)
    head.pad(8)
    return bytes(head.buf + body.buf)


class Bus:
    def __init__(self, address):
        path = None
        for entry in address.split(";"):
            if entry.startswith("unix:"):
                for kv in entry[5:].split(","):
                    if kv.startswith("path="):
                        path = kv[5:]
                    elif kv.startswith("abstract="):
                        path = "\0" + kv[9:]
        if path is None:
            sys.exit("legacy_items: unsupported bus address " + address)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        uid = str(os.getuid()).encode().hex()
        self.sock.sendall(b"\0AUTH EXTERNAL " + uid.encode() + b"\r\n")
        if not self.readline().startswith(b"OK "):
            sys.exit("legacy_items: the bus refused authentication")
        self.sock.sendall(b"BEGIN\r\n")
        self.buf = b""
        self.serial = 0
        self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", [])

    def readline(self):
        line = b""
        while not line.endswith(b"\r\n"):
            line += self.sock.recv(1)
        return line

    def send(self, *a):
        self.serial += 1
        self.sock.sendall(method_call(self.serial, *a))
        return self.serial

    def read_reply(self):
        """(reply_serial, is_error, error_name, body) of the next reply."""
        while True:
            while len(self.buf) < 16:
                self.buf += self.sock.recv(65536)
            body_len, _, fields_len = struct.unpack_from("<III", self.buf, 4)
            head_len = 16 + fields_len + (-(16 + fields_len) % 8)
            while len(self.buf) < head_len + body_len:
                self.buf += self.sock.recv(65536)
            msg, self.buf = self.buf[: head_len + body_len], self.buf[head_len + body_len :]
            kind = msg[1]
            if kind not in (2, 3):
                continue  # signals
            fields = parse_fields(msg[16 : 16 + fields_len])
            return fields.get(5), kind == 3, fields.get(4, ""), msg[head_len:]

    def call(self, *a):
        serial = self.send(*a)
        while True:
            reply_serial, err, name, body = self.read_reply()
            if reply_serial == serial:
                if err:
                    sys.exit("legacy_items: %s failed: %s" % (a[3], name))
                return body


def parse_fields(data):
    """The header fields we need: 4 error name (s), 5 reply serial (u)."""
    out, i = {}, 0
    while i < len(data):
        i += -i % 8
        if i >= len(data):
            break
        code, siglen = data[i], data[i + 1]
        sig = data[i + 2 : i + 2 + siglen].decode()
        i += 3 + siglen
        if sig in ("s", "o"):
            i += -i % 4
            n = struct.unpack_from("<I", data, i)[0]
            out[code] = data[i + 4 : i + 4 + n].decode()
            i += 5 + n
        elif sig == "g":
            n = data[i]
            i += 2 + n
        elif sig == "u":
            i += -i % 4
            out[code] = struct.unpack_from("<I", data, i)[0]
            i += 4
        else:
            raise ValueError("header field of type " + sig)
    return out


def write_keyring(path, count, prefix):
    """A keyring file in gnome-keyring's plain-text format (the one it keeps
    for keyrings without a password); written before the daemon starts,
    since gnome-keyring 42 does not export collections that appear later."""
    out = ["[keyring]", "display-name=" + prefix, "ctime=0", "mtime=0",
           "lock-on-idle=false", "lock-after=false", ""]
    for i in range(count):
        server = "https://%s%d.example" % (prefix, i)
        attributes = [("xdg:schema", "io.docker.Credentials"), ("label", "Docker Credentials"),
                      ("server", server), ("username", "user%d" % i), ("docker_cli", "1")]
        out += ["[%d]" % (i + 1), "item-type=0", "display-name=" + server,
                "secret=secret-%d" % i, "mtime=0", "ctime=0", ""]
        for j, (name, value) in enumerate(attributes):
            out += ["[%d:attribute%d]" % (i + 1, j), "name=" + name, "type=string", "value=" + value, ""]
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(out))
    os.rename(path + ".tmp", path)


def open_session(bus):
    # A first call before OpenSession: see secret_service_reader.cpp.
    bus.call(DEST, PATH, SERVICE, "SearchItems", "a{ss}", [{"xdg:schema": "none"}])
    reply = bus.call(DEST, PATH, SERVICE, "OpenSession", "sv", ["plain", ("s", "")])
    # reply "vo": a variant holding "s" "", then the session path
    i = 1 + reply[0] + 1
    i += -i % 4
    i += 4 + struct.unpack_from("<I", reply, i)[0] + 1
    i += -i % 4
    n = struct.unpack_from("<I", reply, i)[0]
    return reply[i + 4 : i + 4 + n].decode()


def unlock(name):
    """Unlocks a plain-text keyring (its password is empty) without a prompt."""
    bus = Bus(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    session = open_session(bus)
    bus.call(DEST, PATH, "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
             "UnlockWithMasterPassword", "o(oayays)",
             ["/org/freedesktop/secrets/collection/" + name, (session, b"", b"", "text/plain")])


def create(count, prefix, collection):
    bus = Bus(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    session = open_session(bus)
    pending = set()
    done = 0
    while done < count:
        while len(pending) < WINDOW and done + len(pending) < count:
            k = done + len(pending)
            server = "https://%s%d.example" % (prefix, k)
            attributes = {"xdg:schema": "io.docker.Credentials", "label": "Docker Credentials",
                          "server": server, "username": "user%d" % k, "docker_cli": "1"}
            props = {"org.freedesktop.Secret.Item.Label": ("s", server),
                     "org.freedesktop.Secret.Item.Attributes": ("a{ss}", attributes)}
            secret = (session, b"", ("secret-%d" % k).encode(), "text/plain")
            pending.add(bus.send(DEST, collection, "org.freedesktop.Secret.Collection", "CreateItem",
                                 "a{sv}(oayays)b", [props, secret, False]))
        reply_serial, err, name, _ = bus.read_reply()
        if reply_serial in pending:
            if err:
                sys.exit("legacy_items: CreateItem failed: " + name)
            pending.discard(reply_serial)
            done += 1


DEST, PATH, SERVICE = "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service"
USAGE = """usage: legacy_items.py keyring FILE COUNT PREFIX
       legacy_items.py unlock NAME
       legacy_items.py create COUNT PREFIX [COLLECTION]"""


def main():
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == "keyring":
        write_keyring(a[1], int(a[2]), a[3])
    elif len(a) == 2 and a[0] == "unlock":
        unlock(a[1])
    elif len(a) in (3, 4) and a[0] == "create":
        create(int(a[1]), a[2], a[3] if len(a) == 4 else "/org/freedesktop/secrets/aliases/default")
    else:
        sys.exit(USAGE)


if __name__ == "__main__":
    main()
