"""FUNCTION_EXECUTION=worker (the default): a thread per connection, blocking sockets, handlers on those threads."""
import socket
import socketserver
import sys
import threading
import time

from .framing import MAX_DRAIN_EXTRA_BYTES, Http11, overloaded_answer, refuse
from .invocation import Endpoints
from .telemetry import log, trace


class RequestHandler(Endpoints, Http11, socketserver.StreamRequestHandler):
    """One connection: its requests, one after the other, on the connection's own thread."""

    disable_nagle_algorithm = True  # TCP_NODELAY on every connection (StreamRequestHandler.setup)
    # Blocking sockets without a timeout: a socket timeout makes every read a poll() plus a recv(), which cost
    # a third of the throughput. Idle connections are closed by Runtime.watchdog instead (FUNCTION_IDLE_TIMEOUT_MS).
    timeout = None

    def setup(self):
        super().setup()
        self.busy = False
        self.last_active = time.monotonic()
        self.runtime.connections[id(self)] = self

    def finish(self):
        self.runtime.connections.pop(id(self), None)
        super().finish()
        if self.linger:
            self._drain()

    def _drain(self):
        """After an answer that left request bytes unread (a head too large, a body refused): half-close, then read
        and drop what the client still sends until it closes too, for at most 2 s: closing with unread bytes would
        send a reset, and the client could lose the answer."""
        sock = self.connection
        bound = self.runtime.config.max_body_bytes + MAX_DRAIN_EXTRA_BYTES
        deadline = time.monotonic() + 2.0
        try:
            sock.shutdown(socket.SHUT_WR)
            while bound > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                sock.settimeout(left)
                data = sock.recv(65536)
                if not data:
                    return
                bound -= len(data)
        except OSError:  # timeouts included: done either way
            pass

    def close_idle(self):
        """Called by the watchdog: ends a connection that sent nothing for FUNCTION_IDLE_TIMEOUT_MS."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)  # the connection's thread sees end of stream and returns
        except OSError:
            pass

    def handle(self):
        """Requests of one keep-alive connection, one after the other, until either side closes it."""
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.last_active = time.monotonic()
            self.handle_one_request()


class Server(socketserver.ThreadingTCPServer):
    """A thread per connection, daemon threads, address reuse and a deeper accept queue; past
    FUNCTION_MAX_CONNECTIONS open at once, a new connection is answered 503 Overloaded and closed."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler_class):
        max_connections = handler_class.runtime.config.max_connections
        self.max_connections, self.overloaded = max_connections, overloaded_answer(max_connections)
        self.open = 0
        self.open_lock = threading.Lock()
        super().__init__(address, handler_class)

    def process_request(self, request, client_address):
        with self.open_lock:
            if self.open >= self.max_connections:
                refuse(request, self.overloaded)
                return
            self.open += 1
        try:
            super().process_request(request, client_address)  # starts the connection's thread
        except BaseException:
            self._closed()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._closed()

    def _closed(self):
        with self.open_lock:
            self.open -= 1

    def handle_error(self, request, client_address):
        """A client that went away is not an error worth a trace; anything else is logged as one JSON line."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        log({"level": "error", "msg": "connection failed", "exception": type(exc).__name__,
             "trace": trace()})
