"""FUNCTION_EXECUTION=worker (the default): a thread per connection, blocking sockets, handlers on those threads."""
import socket
import socketserver
import sys
import time

from .framing import Http11
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
    """A thread per connection, daemon threads, address reuse and a deeper accept queue."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        """A client that went away is not an error worth a trace; anything else is logged as one JSON line."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        log({"level": "error", "msg": "connection failed", "exception": type(exc).__name__,
             "trace": trace()})
