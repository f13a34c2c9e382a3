"""A registry that only answers a direct pair's verification, as docker
login asks it: GET /v2/ gives a Bearer challenge naming a realm on the same
host, the realm accepts any Basic credentials with a token (a 200 without
one is no verdict). Loopback only.

    python3 verify_registry.py PORT
"""
import http.server
import sys

PORT = int(sys.argv[1])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b""
        if self.path == "/v2/":
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             'Bearer realm="http://127.0.0.1:%d/token",service="bench"' % PORT)
        elif self.path.startswith("/token?") and self.headers.get("Authorization", "").startswith("Basic "):
            body = b'{"token":"bench-registry-token"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
