#!/usr/bin/env python3
"""Bare baseline for the Python runtime benchmark: a standard-library ThreadingHTTPServer that reads
the body and answers fixed JSON with one write, Nagle off, keep-alive. No function, no logging."""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"ok": true}'
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)


class Handler(BaseHTTPRequestHandler):
    """Answers every POST and GET with the same JSON."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.wfile.write(RESPONSE)

    do_GET = do_POST


class Server(ThreadingHTTPServer):
    """Daemon connection threads."""

    daemon_threads = True
    request_queue_size = 128


if __name__ == "__main__":
    Server((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
    sys.exit(0)
