"""A registry that only answers a direct pair's verification, as docker
login asks it: GET /v2/ gives a Bearer challenge naming a realm on the same
host, the realm accepts any Basic credentials. Loopback only.

    python3 verify_registry.py PORT
"""
import http.server
import sys

PORT = int(sys.argv[1])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/v2/":
            self.send_response(401)
            self.send_header("WWW-Authenticate",
                             'Bearer realm="http://127.0.0.1:%d/token",service="bench"' % PORT)
        elif self.path.startswith("/token?") and self.headers.get("Authorization", "").startswith("Basic "):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
