#!/usr/bin/python3
"""A local stand-in for Upbound's API, auth and registry token services.

Run with Debian's /usr/bin/python3 (standard library + python3-jwt +
python3-cryptography).  Listens on 127.0.0.1 only.  See
tests/upbound/README.md for the endpoints and tests/lib/upbound.sh for the
shell helpers that start it.

Secrets (robot tokens, session ids, org-scoped tokens, registry tokens) are
never written to the request log, stdout or stderr.
"""

import argparse
import base64
import datetime
import json
import math
import os
import secrets
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
TOKEN_TYPE_ID = "urn:ietf:params:oauth:token-type:id_token"
TOKEN_TYPE_ACCESS = "urn:ietf:params:oauth:token-type:access_token"
KNOWN_AUDIENCES = ("upbound:spaces:api", "upbound:spaces:controlplanes")
EXCHANGE_PATH = "/apis/tokenexchange.upbound.io/v1alpha1/orgscopedtokens"
REALM_PATH = "/service/token"
# issuer of the robot and org-scoped tokens (not the registry tokens)
AUTH_ISSUER = "upbound-standin-auth"

DEFAULT_CONFIG = {
    "session_max_age": 30 * 24 * 3600,   # seconds a login session lives
    "org_token_expires_in": 3600,        # seconds an org-scoped token lives
    "registry_token_expires_in": 300,    # seconds a registry token lives
    "cookie_expires": False,             # also send an Expires attribute
    "revoke_cascade": False,             # revoking a robot ends its sessions/org tokens
}


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def rfc3339_ms(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def err(msg):
    sys.stderr.write("upbound-standin: error: %s\n" % msg)
    sys.stderr.flush()


class Principal:
    """Who a credential stands for."""

    def __init__(self, kind, access_id, org, name):
        self.kind = kind            # credential kind for the log
        self.access_id = access_id  # the robot's access id
        self.org = org
        self.name = name

    @property
    def subject(self):
        return "robot|" + self.name


class State:
    def __init__(self, state_dir, issuer, service):
        self.lock = threading.Lock()
        self.issuer = issuer
        self.service = service
        self.config = dict(DEFAULT_CONFIG)
        self.robots = {}      # access id -> {org, name, revoked}
        self.sessions = {}    # sid -> {access_id, expires}
        self.org_tokens = {}  # jti -> {access_id, org, expires}
        self.faults = []
        self.requests = []
        self.log_file = None
        self._make_key(state_dir)

    def _make_key(self, state_dir):
        os.makedirs(state_dir, exist_ok=True)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.key.public_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "upbound-standin token signer")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name)
                .public_key(self.public_key)
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=True,
                                             crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.public_key),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        self.cert_der_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
        path = os.path.join(state_dir, "token.crt")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        os.replace(tmp, path)

    # ---------------------------------------------------------------- tokens
    def sign(self, claims, headers=None):
        return jwt.encode(claims, self.key, algorithm="RS256", headers=headers)

    def _decode(self, token, kind):
        if not isinstance(token, str) or token.count(".") != 2:
            return None
        try:
            claims = jwt.decode(token, self.public_key, algorithms=["RS256"],
                                issuer=AUTH_ISSUER,
                                options={"verify_aud": False, "require": ["jti"]})
        except jwt.PyJWTError:
            return None
        if claims.get("kind") != kind:
            return None
        return claims

    def mint_robot(self, org, name):
        access_id = str(uuid.uuid4())
        token = self.sign({"iss": AUTH_ISSUER, "sub": "robot|" + name, "jti": access_id,
                           "iat": int(time.time()), "org": org, "kind": "robot"})
        with self.lock:
            self.robots[access_id] = {"org": org, "name": name, "revoked": False}
        return access_id, token

    def robot_for_token(self, token):
        """The robot a robot token stands for, or None (bad or revoked)."""
        claims = self._decode(token, "robot")
        if claims is None:
            return None
        with self.lock:
            r = self.robots.get(claims["jti"])
            if r is None or r["revoked"]:
                return None
            return Principal(None, claims["jti"], r["org"], r["name"])

    def _robot_live(self, access_id):
        r = self.robots.get(access_id)
        if r is None:
            return None
        if r["revoked"] and self.config["revoke_cascade"]:
            return None
        return r

    def principal_for_session(self, sid):
        if not sid:
            return None
        with self.lock:
            s = self.sessions.get(sid)
            if s is None:
                return None
            if time.time() >= s["expires"]:
                del self.sessions[sid]
                return None
            r = self._robot_live(s["access_id"])
            if r is None:
                return None
            return Principal(None, s["access_id"], r["org"], r["name"])

    def principal_for_org_token(self, token):
        claims = self._decode(token, "org-scoped")
        if claims is None:
            return None
        with self.lock:
            t = self.org_tokens.get(claims["jti"])
            if t is None or time.time() >= t["expires"]:
                return None
            r = self._robot_live(t["access_id"])
            if r is None:
                return None
            return Principal(None, t["access_id"], t["org"], r["name"])

    def new_session(self, access_id):
        sid = secrets.token_urlsafe(32)
        with self.lock:
            max_age = int(self.config["session_max_age"])
            self.sessions[sid] = {"access_id": access_id, "expires": time.time() + max_age}
        return sid, max_age

    def new_org_token(self, p, audiences):
        t = time.time()
        now = int(t)
        with self.lock:
            expires_in = int(self.config["org_token_expires_in"])
        jti = str(uuid.uuid4())
        # exp rounded up; the exact end is kept in org_tokens below
        claims = {"iss": AUTH_ISSUER, "sub": p.subject, "jti": jti, "iat": now,
                  "nbf": now, "exp": math.ceil(t + expires_in), "org": p.org, "kind": "org-scoped",
                  "scope": "upbound:org:" + p.org}
        if audiences:
            claims["aud"] = audiences
        token = self.sign(claims)
        with self.lock:
            self.org_tokens[jti] = {"access_id": p.access_id, "org": p.org,
                                    "expires": t + expires_in}
        return token, expires_in

    # ---------------------------------------------------------------- faults
    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f["path"] != path:
                    continue
                if f.get("method") and f["method"].upper() != method:
                    continue
                if f.get("count") is not None:
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.faults.remove(f)
                return dict(f)
        return None

    # ---------------------------------------------------------------- log
    def record(self, entry):
        line = json.dumps(entry, separators=(",", ":"))
        with self.lock:
            self.requests.append(entry)
            if self.log_file is not None:
                self.log_file.write(line + "\n")
                self.log_file.flush()


STATE = None  # set in main()


def parse_cookies(header):
    out = {}
    for part in (header or "").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out.setdefault(k.strip(), v.strip().strip('"'))
    return out


def parse_basic(header):
    """(user, password) from a Basic Authorization header, or None if malformed."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
    except Exception:
        return None
    if ":" not in raw:
        return None
    user, _, pw = raw.partition(":")
    return user, pw


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def version_string(self):
        return "upbound-standin/1"

    # quiet: no per-request lines; errors of the HTTP layer only, without the request line
    def log_message(self, fmt, *args):
        pass

    def log_error(self, fmt, *args):
        # http.server reports e.g. "code 400, message Bad request syntax ('<line>')";
        # keep only the code and a generic word so no request content is echoed.
        if args and isinstance(args[0], int):
            err("HTTP %d from the request parser" % args[0])

    # ------------------------------------------------------------ plumbing
    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            data = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.rfile.read(size)
                self.rfile.readline(1024)
            return data
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._status = status

    def _handle(self):
        self._status = 0
        self._cred = "none"
        self._extra = {}
        start = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        self._query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        try:
            self._body = self._read_body()
            self._dispatch(path)
        except Exception as e:  # a bug in the stand-in, never a client's secret
            err("%s on %s %s: %s" % (type(e).__name__, self.command, path, e))
            if not self._status:
                try:
                    self._send(500, {"message": "internal error"})
                except Exception:
                    pass
        finally:
            entry = {"time": rfc3339_ms(start), "method": self.command, "path": path,
                     "cred": self._cred, "status": self._status}
            if self.server.name:
                entry["listener"] = self.server.name
            entry.update(self._extra)
            STATE.record(entry)

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = do_PATCH = _handle

    # ------------------------------------------------------------ routing
    def _dispatch(self, path):
        if path.startswith("/_test/"):
            return self._test_api(path)
        # credentials first (the log names them even when a fault answers)
        principal = self._classify(path)
        fault = STATE.take_fault(self.command, path)
        if fault is not None:
            if self._apply_fault(fault):
                return
        routes = {
            "/v2/": ("GET", self._registry_ping),
            "/v1/login": ("POST", self._login),
            "/v1/self": ("GET", self._self),
            "/v1/logout": ("POST", self._logout),
            EXCHANGE_PATH: ("POST", self._exchange),
            REALM_PATH: ("GET", self._realm),
        }
        if path not in routes:
            return self._send(404, {"message": "Not Found"})
        method, fn = routes[path]
        if self.command != method and not (method == "GET" and self.command == "HEAD"):
            return self._send(405, {"message": "Method Not Allowed"}, headers=[("Allow", method)])
        fn(principal)

    def _client_gone(self, seconds):
        """Waits up to seconds; True as soon as the client closed or reset
        the connection (so a slow fault ends, and is logged, when the client
        gives up instead of when the sleep would have)."""
        end = time.time() + seconds
        conn = self.connection
        while True:
            left = end - time.time()
            if left <= 0:
                return False
            try:
                readable, _, _ = select.select([conn], [], [], min(left, 0.05))
                if readable:
                    if isinstance(conn, ssl.SSLSocket):
                        data = conn.recv(1)
                    else:
                        data = conn.recv(1, socket.MSG_PEEK)
                    if not data:
                        return True
                    time.sleep(min(left, 0.05))  # data (a pipelined request?): keep waiting
            except (OSError, ValueError):
                return True

    def _gone(self):
        self._extra["client_gone"] = True
        self._status = 0
        self.close_connection = True
        return True

    def _reset(self):
        """Closes the connection with a TCP RST and no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.resets.add(id(self.connection))
        self._extra["reset"] = True
        self._status = 0
        self.close_connection = True
        return True

    def _stream(self, kind):
        """A 200 whose body never ends: chunks until the client goes away
        ("slow": 512 bytes every 50 ms; "fast": as fast as it takes them, to
        64 MiB)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._status = 200
        self._extra["endless"] = kind
        chunk = b" " * (512 if kind == "slow" else 65536)
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        sent = 0
        try:
            self.wfile.write(b"%x\r\n{\"token\":\"\r\n" % len(b'{"token":"'))
            while sent < (64 << 20):
                self.wfile.write(frame)
                self.wfile.flush()
                sent += len(chunk)
                if kind == "slow" and self._client_gone(0.05):
                    break
        except OSError:
            pass
        self._extra["body_bytes"] = sent
        self.close_connection = True
        return True

    def _apply_fault(self, f):
        """Apply an injected fault; True when it answered the request."""
        self._extra["fault"] = True
        if f.get("delay"):
            if self._client_gone(float(f["delay"])):
                return self._gone()
        if f.get("reset"):
            return self._reset()
        if f.get("endless"):
            return self._stream("fast" if f["endless"] == "fast" else "slow")
        if f.get("truncate"):
            body = b'{"access_token":"eyJhbGciOi'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Set-Cookie", "SID=truncated-response; Path=/; Max-Age=3600")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self._status = 200
            self._extra["truncated"] = True
            self.close_connection = True
            return True
        if f.get("redirect"):
            self._send(int(f.get("status") or 302), {"message": "moved"},
                       headers=[("Location", str(f["redirect"]))])
            return True
        if f.get("status"):
            hdrs = []
            if f.get("retry_after") is not None:
                hdrs.append(("Retry-After", str(f["retry_after"])))
            self._send(int(f["status"]), {"message": "injected fault"}, headers=hdrs)
            return True
        if f.get("malformed"):
            self._send(200, f.get("body", "<html><body>upstream hiccup</body></html>"),
                       ctype=f.get("content_type", "text/html"))
            return True
        if f.get("no_cookie"):
            self._send(200, {})
            return True
        return False  # delay only: carry on normally

    def _json_body(self):
        try:
            v = json.loads(self._body.decode("utf-8") or "null")
        except Exception:
            return None
        return v

    def _classify(self, path):
        """Work out which credential the request presents; sets self._cred."""
        if path == "/v1/login":
            b = self._json_body()
            pw = b.get("password") if isinstance(b, dict) else None
            if not pw:
                self._cred = "none"
                return None
            p = STATE.robot_for_token(pw)
            self._cred = "robot-password" if p else "bad"
            return p
        if path in ("/v1/self", "/v1/logout"):
            cookies = parse_cookies(self.headers.get("Cookie"))
            if "SID" not in cookies:
                self._cred = "none"
                return None
            p = STATE.principal_for_session(cookies["SID"])
            self._cred = "session-cookie" if p else "bad"
            return p
        if path == EXCHANGE_PATH:
            form = self._form()
            toks = form.get("subject_token") if form else None
            if not toks:
                return None
            p = STATE.robot_for_token(toks[0])
            if p:
                self._cred = "robot-subject"
                return p
            p = STATE.principal_for_session(toks[0])
            self._cred = "session-subject" if p else "bad"
            return p
        if path == REALM_PATH:
            auth = self.headers.get("Authorization")
            if not auth:
                self._cred = "none"
                return None
            up = parse_basic(auth)
            if up is None:
                self._cred = "bad"
                return None
            user, pw = up
            if user == "_token":
                p = STATE.principal_for_session(pw)
                if p:
                    self._cred = "session-basic"
                    return p
                p = STATE.principal_for_org_token(pw)
                if p:
                    self._cred = "org-token-basic"
                    return p
                self._cred = "bad"
                return None
            p = STATE.robot_for_token(pw)
            if p and p.access_id == user:
                self._cred = "robot-basic"
                return p
            self._cred = "bad"
            return None
        return None

    def _form(self):
        if getattr(self, "_form_cache", None) is None:
            try:
                self._form_cache = urllib.parse.parse_qs(self._body.decode("utf-8"),
                                                         keep_blank_values=True,
                                                         strict_parsing=False)
            except Exception:
                self._form_cache = {}
        return self._form_cache

    # ------------------------------------------------------------ api.<domain>
    def _login(self, p):
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        b = self._json_body()
        if ctype != "application/json" or not isinstance(b, dict):
            return self._send(400, {"message": "Bad Request"})
        ident = b.get("id")
        if p is None or not isinstance(ident, str) or ident != p.access_id:
            return self._send(401, {"message": "Unauthorized"})
        sid, max_age = STATE.new_session(p.access_id)
        cookie = "SID=%s; Path=/" % sid
        if b.get("remember") is True:
            cookie += "; Max-Age=%d" % max_age
            if STATE.config["cookie_expires"]:
                cookie += "; Expires=" + time.strftime(
                    "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + max_age))
        cookie += "; HttpOnly; SameSite=Lax"
        self._extra["org"] = p.org
        self._send(200, {}, headers=[("Set-Cookie", cookie)])

    def _self(self, p):
        if p is None:
            return self._send(401, {"message": "Unauthorized"})
        self._send(200, {"type": "robot", "id": p.access_id, "username": p.subject,
                         "robot": {"id": p.access_id, "name": p.name},
                         "organization": {"name": p.org}})

    def _logout(self, p):
        if p is None:
            return self._send(401, {"message": "Unauthorized"})
        sid = parse_cookies(self.headers.get("Cookie")).get("SID")
        with STATE.lock:
            STATE.sessions.pop(sid, None)
        self._send(200, {}, headers=[("Set-Cookie", "SID=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")])

    # ------------------------------------------------------------ auth.<domain>
    def _exchange(self, p):
        def bad(error, desc, status=400):
            self._extra["error"] = error
            return self._send(status, {"error": error, "error_description": desc})

        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return bad("invalid_request", "content type must be application/x-www-form-urlencoded")
        if self._query:
            return bad("invalid_request", "parameters belong in the request body")
        form = self._form()
        # every parameter except audience/resource at most once (RFC 6749 3.2, RFC 8693 2.1)
        for k, v in form.items():
            if k not in ("audience", "resource") and len(v) > 1:
                return bad("invalid_request", "parameter %s repeated" % k)
        one = {k: v[0] for k, v in form.items()}
        if "grant_type" not in one:
            return bad("invalid_request", "grant_type missing")
        if one["grant_type"] != GRANT_TOKEN_EXCHANGE:
            return bad("unsupported_grant_type", "grant_type not supported")
        for k in ("subject_token", "subject_token_type", "scope"):
            if not one.get(k):
                return bad("invalid_request", "%s missing" % k)
        if one["subject_token_type"] != TOKEN_TYPE_ID:
            return bad("invalid_request", "subject_token_type not supported")
        if "requested_token_type" in one and one["requested_token_type"] != TOKEN_TYPE_ACCESS:
            return bad("invalid_request", "requested_token_type not supported")
        if "actor_token" in one or "actor_token_type" in one:
            return bad("invalid_request", "delegation not supported")
        scopes = one["scope"].split()
        if len(scopes) != 1 or not scopes[0].startswith("upbound:org:") or \
                not scopes[0][len("upbound:org:"):]:
            return bad("invalid_scope", "scope must be upbound:org:<organization>")
        org = scopes[0][len("upbound:org:"):]
        audiences = form.get("audience", [])
        for a in audiences:
            if a not in KNOWN_AUDIENCES:
                return bad("invalid_target", "unknown audience")
        if p is None:
            return bad("invalid_grant", "subject token is invalid, expired or revoked", 401)
        self._extra["org"] = org
        if org != p.org:
            return bad("access_denied", "subject is not a member of the organization", 403)
        token, expires_in = STATE.new_org_token(p, audiences)
        self._send(200, {"access_token": token, "issued_token_type": TOKEN_TYPE_ACCESS,
                         "token_type": "Bearer", "expires_in": expires_in})

    # ------------------------------------------------------------ xpkg.<domain>/v2/
    def _registry_ping(self, p):
        # What a token-auth registry answers an anonymous ping: the realm is
        # this listener's own /service/token, so the direct exchange can be
        # tested without docker-registry (also over TLS).
        scheme = "https" if self.server.tls is not None else "http"
        realm = "%s://127.0.0.1:%d%s" % (scheme, self.server.server_address[1], REALM_PATH)
        self._send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required",
                                     "detail": None}]},
                   headers=[("WWW-Authenticate",
                             'Bearer realm="%s",service="%s"' % (realm, STATE.service)),
                            ("Docker-Distribution-API-Version", "registry/2.0")])

    # ------------------------------------------------------------ xpkg.<domain>/service/token
    def _realm(self, p):
        if self._cred == "bad":
            return self._send(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "incorrect username or password",
                                                "detail": None}],
                                    "details": "incorrect username or password"})
        service = self._query.get("service", [STATE.service])[-1]
        if service != STATE.service:
            return self._send(400, {"errors": [{"code": "DENIED",
                                                "message": "unknown service", "detail": None}]})
        access = []
        requested = []
        for s in self._query.get("scope", []):
            for item in s.split():
                parts = item.split(":")
                if len(parts) < 3:
                    continue
                rtype, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1].split(",")
                requested.append(item)
                if rtype != "repository" or not name:
                    continue
                granted = []
                if p is not None and name.split("/")[0] == p.org:
                    granted = [a for a in ("pull", "push") if a in actions]
                access.append({"type": "repository", "name": name, "actions": granted})
        self._extra["scope"] = requested
        self._extra["granted"] = [a for a in access if a["actions"]]
        now = int(time.time())
        with STATE.lock:
            expires_in = int(STATE.config["registry_token_expires_in"])
        claims = {"iss": STATE.issuer, "sub": p.subject if p else "",
                  "aud": STATE.service,     # a string: distribution 2.8 wants exactly that
                  "iat": now, "nbf": now, "exp": now + expires_in,
                  "jti": secrets.token_hex(16), "access": access}
        token = STATE.sign(claims, headers={"typ": "JWT", "x5c": [STATE.cert_der_b64]})
        self._send(200, {"token": token, "access_token": token, "expires_in": expires_in,
                         "issued_at": rfc3339(now)})

    # ------------------------------------------------------------ test-only API
    def _test_api(self, path):
        m = self.command
        if path == "/_test/robots" and m == "POST":
            b = self._json_body()
            if not isinstance(b, dict) or not b.get("org") or not b.get("name"):
                return self._send(400, {"message": "need org and name"})
            access_id, token = STATE.mint_robot(str(b["org"]), str(b["name"]))
            self._extra["org"] = b["org"]
            return self._send(200, {"accessId": access_id, "token": token})
        if path == "/_test/revoke" and m == "POST":
            b = self._json_body()
            aid = b.get("accessId") if isinstance(b, dict) else None
            with STATE.lock:
                r = STATE.robots.get(aid)
                if r is None:
                    return self._send(404, {"message": "unknown accessId"})
                r["revoked"] = True
            return self._send(200, {"revoked": True})
        if path == "/_test/faults":
            if m == "POST":
                b = self._json_body()
                items = b if isinstance(b, list) else [b]
                for f in items:
                    if not isinstance(f, dict) or not isinstance(f.get("path"), str):
                        return self._send(400, {"message": "a fault needs a path"})
                    if f.get("count") is not None and int(f["count"]) <= 0:
                        return self._send(400, {"message": "count must be positive"})
                with STATE.lock:
                    STATE.faults.extend(dict(f) for f in items)
                    n = len(STATE.faults)
                return self._send(200, {"faults": n})
            if m == "DELETE":
                with STATE.lock:
                    STATE.faults.clear()
                return self._send(200, {"faults": 0})
            if m == "GET":
                with STATE.lock:
                    return self._send(200, list(STATE.faults))
        if path == "/_test/config":
            if m == "POST":
                b = self._json_body()
                if not isinstance(b, dict) or any(k not in DEFAULT_CONFIG for k in b):
                    return self._send(400, {"message": "known keys: " + ", ".join(DEFAULT_CONFIG)})
                with STATE.lock:
                    STATE.config.update(b)
            if m in ("POST", "GET"):
                with STATE.lock:
                    return self._send(200, dict(STATE.config))
        if path == "/_test/expire" and m == "POST":
            # end every live session and/or org-scoped token now
            b = self._json_body() or {}
            with STATE.lock:
                if b.get("sessions", True):
                    STATE.sessions.clear()
                if b.get("org_tokens", True):
                    STATE.org_tokens.clear()
            return self._send(200, {})
        if path == "/_test/requests":
            if m == "GET":
                with STATE.lock:
                    return self._send(200, list(STATE.requests))
            if m == "DELETE":
                with STATE.lock:
                    STATE.requests.clear()
                return self._send(200, {})
        if path == "/_test/count" and m == "GET":
            want = self._query.get("path", [None])[-1]
            method = self._query.get("method", [None])[-1]
            status = self._query.get("status", [None])[-1]
            listener = self._query.get("listener", [None])[-1]
            with STATE.lock:
                n = sum(1 for e in STATE.requests
                        if (want is None or e["path"] == want)
                        and (listener is None or e.get("listener", "") == listener)
                        and (method is None or e["method"] == method.upper())
                        and (status is None or str(e["status"]) == status))
            return self._send(200, {"count": n})
        return self._send(404, {"message": "Not Found"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler, name="", tls=None):
        super().__init__(address, handler)
        self.name = name      # "" for the main listener, else logged as "listener"
        self.tls = tls        # an ssl.SSLContext: serve HTTPS
        self.resets = set()   # ids of connections to close with a RST

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        # The TLS handshake happens here, in the connection's thread, so a
        # client that never completes it cannot stall the accept loop, and a
        # refused certificate is logged.
        request.settimeout(10)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            entry = {"time": rfc3339_ms(time.time()), "method": "-", "path": "(tls-handshake)",
                     "cred": "none", "status": 0,
                     "error": getattr(e, "reason", None) or type(e).__name__}
            if self.name:
                entry["listener"] = self.name
            STATE.record(entry)
            return
        conn.settimeout(None)
        try:
            super().finish_request(conn, client_address)
        finally:
            self._close(conn)

    def _close(self, conn):
        if id(conn) in self.resets:
            self.resets.discard(id(conn))
            conn.close()  # SO_LINGER 0: a RST, no FIN
            return
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        conn.close()

    def shutdown_request(self, request):
        if id(request) in self.resets:
            self.resets.discard(id(request))
            request.close()
            return
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ConnectionError, TimeoutError)):
            return
        err("connection error: %s" % type(e).__name__)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--issuer", default="test-issuer")
    ap.add_argument("--service", default="test-registry")
    ap.add_argument("--log")
    ap.add_argument("--session-max-age", type=int, default=DEFAULT_CONFIG["session_max_age"])
    ap.add_argument("--org-token-expires-in", type=int,
                    default=DEFAULT_CONFIG["org_token_expires_in"])
    ap.add_argument("--tls-cert", help="serve HTTPS on --port with this certificate (PEM)")
    ap.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    ap.add_argument("--listen", action="append", default=[], metavar="NAME:CERT:KEY",
                    help="one more HTTPS listener on a free port (written to STATE-DIR/port.NAME), "
                         "same state; its requests are logged with listener NAME")
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    global STATE
    STATE = State(args.state_dir, args.issuer, args.service)
    STATE.config["session_max_age"] = args.session_max_age
    STATE.config["org_token_expires_in"] = args.org_token_expires_in
    if args.log:
        STATE.log_file = open(args.log, "a", buffering=1)

    def tls_context(cert, key):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        return ctx

    def write_port(path, port):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, path)

    extra = []
    for spec in args.listen:
        name, _, rest = spec.partition(":")
        cert, _, key = rest.partition(":")
        if not name or not cert or not key or not name.replace("-", "").isalnum():
            ap.error("--listen NAME:CERT:KEY")
        extra.append(Server(("127.0.0.1", 0), Handler, name, tls_context(cert, key)))
        write_port(os.path.join(args.state_dir, "port." + name), extra[-1].server_address[1])
    for srv in extra:
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    tls = tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    server = Server(("127.0.0.1", args.port), Handler, "", tls)
    port = server.server_address[1]
    if args.port_file:
        write_port(args.port_file, port)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except SystemExit:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
