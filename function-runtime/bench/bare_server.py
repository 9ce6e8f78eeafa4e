#!/usr/bin/env python3
"""Bare baseline for the Python runtime benchmark: a standard-library ThreadingHTTPServer, one write per
response, Nagle off, keep-alive. POST does the benchmark's trivial function in plain code (json.loads the body,
answers {"ok": true, "n": <n>}); with BARE_BODY=fixed it only reads the body and answers fixed JSON. A thread
per connection (ThreadingHTTPServer), or with BARE_EXECUTION=event-loop every connection on one `selectors` loop.
No runtime contract: no CloudEvents, metrics, logging, limits, chunked bodies."""
import json
import os
import selectors
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEAD = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
FIXED = b'{"ok": true}'
JSON = os.environ.get("BARE_BODY") != "fixed"


def answer(data):
    """The whole HTTP answer to a POST body: the trivial function, or the fixed JSON."""
    status, body = 200, FIXED
    if JSON:
        try:
            event = json.loads(data)
            body = json.dumps({"ok": True, "n": event.get("n")}).encode()
        except (ValueError, AttributeError):
            status, body = 400, b'{"error": "InvalidJson"}'
    return HEAD % (status, b"OK" if status == 200 else b"Bad Request", len(body)) + body


def serve_event_loop(host, port):
    """Every connection on one selector loop; keep-alive and pipelining, Content-Length bodies only."""
    selector = selectors.DefaultSelector()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(128)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
    buffers = {}
    while True:
        for key, _ in selector.select():
            if key.data is None:
                conn, _ = listener.accept()
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffers[conn] = b""
                selector.register(conn, selectors.EVENT_READ, True)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionError:
                data = b""
            if not data:
                selector.unregister(conn)
                conn.close()
                buffers.pop(conn, None)
                continue
            buf, out = buffers[conn] + data, []
            while True:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    break
                length = 0
                for line in buf[:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(buf) < end + 4 + length:
                    break
                out.append(answer(buf[end + 4:end + 4 + length]))
                buf = buf[end + 4 + length:]
            buffers[conn] = buf
            if out:
                data = b"".join(out)
                sent = conn.send(data)  # one send, as the runtime's loop: no blocking-mode switch per answer
                if sent < len(data):  # a baseline: a slow reader may hold the loop, the runtime does not let it
                    conn.setblocking(True)
                    conn.sendall(data[sent:])
                    conn.setblocking(False)


class Handler(BaseHTTPRequestHandler):
    """POST: the trivial function (or fixed JSON); GET: fixed JSON."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.wfile.write(answer(self.rfile.read(length) if length else b""))

    def do_GET(self):
        self.wfile.write(HEAD % (200, b"OK", len(FIXED)) + FIXED)


class Server(ThreadingHTTPServer):
    """Daemon connection threads."""

    daemon_threads = True
    request_queue_size = 128


if __name__ == "__main__":
    address = (os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080")))
    if os.environ.get("BARE_EXECUTION") == "event-loop":
        serve_event_loop(*address)
    else:
        Server(address, Handler).serve_forever()
    sys.exit(0)
