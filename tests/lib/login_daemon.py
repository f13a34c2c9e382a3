#!/usr/bin/python3
"""A stand-in for the one Docker daemon endpoint `docker login` needs.

usage: login_daemon.py SOCKET LOG

Listens on the unix socket SOCKET (use DOCKER_HOST=unix://SOCKET) and answers
  HEAD|GET /_ping               200, API-Version 1.41
  POST /v<api>/auth             checks {"username","password","serveraddress"}
                                the way dockerd does: GET /v2/ on the registry,
                                read the Bearer challenge, GET the realm with
                                Basic credentials and no scope; 200 "Login
                                Succeeded" when the realm says 200, else 401
anything else: 404. Only loopback registries (127.0.0.1:PORT) are contacted.

Why: without a daemon, Docker 20.10 (Debian 12's docker.io) stops `docker
login HOST` (no -u) after `get`, so the `store` that follows on a real
machine is never reached; with this stand-in it is, as with dockerd.

LOG gets one JSON line per /auth request: the username, the server address
and the result; never the password.
"""

import base64
import json
import os
import socketserver
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler

SOCK, LOG = sys.argv[1], sys.argv[2]


def parse_challenge(h):
    """realm and service of a `Bearer realm="..",service=".."` header."""
    if not h or not h.lower().startswith("bearer "):
        return None, None
    out = {}
    for part in h[7:].split(","):
        k, _, v = part.strip().partition("=")
        out[k.strip().lower()] = v.strip().strip('"')
    return out.get("realm"), out.get("service")


def check_login(addr, user, password):
    """(ok, message) for the credentials at the registry addr (host:port)."""
    host = addr.split("://")[-1].rstrip("/")
    if not host.startswith("127.0.0.1:"):
        return False, "login daemon stand-in: only 127.0.0.1 registries"
    ping = "http://%s/v2/" % host
    try:
        urllib.request.urlopen(ping, timeout=5)
        return True, "no authentication required"
    except urllib.error.HTTPError as e:
        if e.code != 401:
            return False, "GET %s: %d" % (ping, e.code)
        realm, service = parse_challenge(e.headers.get("WWW-Authenticate"))
    except Exception as e:
        return False, "GET %s: %s" % (ping, type(e).__name__)
    if not realm or urllib.parse.urlsplit(realm).hostname != "127.0.0.1":
        return False, "no usable Bearer realm"
    url = realm + "?" + urllib.parse.urlencode({"service": service or "", "account": user})
    basic = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    req = urllib.request.Request(url, headers={"Authorization": "Basic " + basic})
    try:
        urllib.request.urlopen(req, timeout=5).read()
        return True, "Login Succeeded"
    except urllib.error.HTTPError as e:
        return False, "login attempt to %s failed with status: %d" % (ping, e.code)
    except Exception as e:
        return False, "token request: %s" % type(e).__name__


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def address_string(self):
        return "unix"

    def _send(self, status, body=None, head=False):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("API-Version", "1.41")
        self.send_header("Docker-Experimental", "false")
        self.send_header("OSType", "linux")
        if body is None:
            data = b"OK"
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def do_HEAD(self):
        if self.path.split("?")[0].endswith("/_ping"):
            return self._send(200, head=True)
        self._send(404, {"message": "not found"}, head=True)

    def do_GET(self):
        if self.path.split("?")[0].endswith("/_ping"):
            return self._send(200)
        self._send(404, {"message": "page not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not self.path.split("?")[0].endswith("/auth"):
            return self._send(404, {"message": "page not found"})
        try:
            a = json.loads(raw or b"{}")
        except Exception:
            return self._send(400, {"message": "bad JSON"})
        user, pw, addr = a.get("username", ""), a.get("password", ""), a.get("serveraddress", "")
        ok, msg = check_login(addr, user, pw)
        with open(LOG, "a") as f:
            f.write(json.dumps({"username": user, "serveraddress": addr,
                                "ok": ok, "message": msg}) + "\n")
        if ok:
            return self._send(200, {"Status": "Login Succeeded", "IdentityToken": ""})
        self._send(401, {"message": msg})


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(SOCK):
    os.unlink(SOCK)
srv = Server(SOCK, Handler)
srv.serve_forever()
