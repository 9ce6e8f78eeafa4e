#!/usr/bin/env python3
"""Bare baseline for the Python runtime benchmark: a standard-library ThreadingHTTPServer, one write per
response, Nagle off, keep-alive. POST does the benchmark's trivial function in plain code (json.loads the body,
answers {"ok": true, "n": <n>}); with BARE_BODY=fixed it only reads the body and answers fixed JSON. No runtime
contract: no CloudEvents, metrics, logging, limits."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEAD = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
FIXED = b'{"ok": true}'
JSON = os.environ.get("BARE_BODY") != "fixed"


class Handler(BaseHTTPRequestHandler):
    """POST: the trivial function (or fixed JSON); GET: fixed JSON."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        status, body = 200, FIXED
        if JSON:
            try:
                event = json.loads(data)
                body = json.dumps({"ok": True, "n": event.get("n")}).encode()
            except (ValueError, AttributeError):
                status, body = 400, b'{"error": "InvalidJson"}'
        self.wfile.write(HEAD % (status, b"OK" if status == 200 else b"Bad Request", len(body)) + body)

    def do_GET(self):
        self.wfile.write(HEAD % (200, b"OK", len(FIXED)) + FIXED)


class Server(ThreadingHTTPServer):
    """Daemon connection threads."""

    daemon_threads = True
    request_queue_size = 128


if __name__ == "__main__":
    Server((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
    sys.exit(0)
