"""FUNCTION_EXECUTION=event-loop: every connection on one epoll (selectors) loop, each handler called on the loop.

No thread hand-off per request (~2.3x the requests per second of worker mode): for handlers that never block,
since one that does stalls every connection. An ordinary request is parsed straight from the buffer, and the usual
POST / answered, by fastpath; any other is framed in memory (framing.request_end) and parsed and answered by the
same code as worker mode (`_MemoryRequest`). The answers made in one round of the loop (one poll's ready
connections) are sent together at its end (`_send_answers`).
"""
import io
import socket
import time

from .fastpath import memory_request, parsed_request, post
from .framing import MAX_DRAIN_EXTRA_BYTES, MAX_LINE, AnswerBuffer, overloaded_answer, refuse, request_end
from .poller import READ, WRITE, Poller
from .telemetry import log, trace
from .worker import RequestHandler

# Answers made in a round of the loop are sent at its end, or as soon as the round has run this long: a round of
# many slow handlers does not hold back the answers of the first ones (a single slow handler holds the whole loop).
MAX_ANSWER_WAIT_S = 0.002


class _Connection:
    """An event-loop connection: bytes received and not yet parsed, answers not yet sent, when it was last active."""

    __slots__ = ("sock", "inbuf", "out", "last_active", "closing", "continue_sent", "linger_until", "discarded",
                 "writing")

    def __init__(self, sock):
        self.sock = sock
        self.inbuf = bytearray()
        self.out = bytearray()
        self.last_active = time.monotonic()
        self.closing = False
        self.continue_sent = False
        self.linger_until = None
        self.discarded = 0
        self.writing = False  # registered for writing (an answer did not go out at once), not for reading


class _MemoryRequest(RequestHandler):
    """One request of an event-loop connection, parsed and answered by RequestHandler's own code, from and into
    memory. The deadline of a handler is checked when it returns: a 504 goes out then (nothing can answer while it
    holds the loop)."""

    rfile = None

    def __init__(self, sock, data, continue_sent):  # noqa: super().__init__ would serve a socket at once
        self.connection = sock
        self.rfile = io.BytesIO(data)
        self.wfile = AnswerBuffer()
        self.busy = False
        self.continue_sent = continue_sent
        self.close_connection = True

    def _awaits_continue(self, headers):
        return False  # the loop answers Expect: 100-continue itself, while the body has not arrived


class EventLoopServer:
    """Every connection on one selector loop, each handler called on the loop with no thread hand-off. Same HTTP
    surface, same contract; the serve_forever/shutdown/server_close interface of socketserver's servers."""

    def __init__(self, address, runtime):
        self.runtime = runtime
        self.request_class = type("MemoryRequest", (_MemoryRequest,), {"runtime": runtime})
        self.listener = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(address)
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.server_address = self.listener.getsockname()
        self.poller = Poller()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.stopping = False
        self.connections = {}
        self.unsent = []  # connections with answers made in this round of the loop, sent together at its end
        self.max_connections = runtime.config.max_connections
        self.overloaded = overloaded_answer(self.max_connections)

    def shutdown(self):
        """From another thread (as socketserver's): serve_forever returns after the requests it holds."""
        self.stopping = True
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    def server_close(self):
        for conn in list(self.connections.values()):
            self._flush_blocking(conn)
            self._close(conn)
        for sock in (self.listener, self.wake_r, self.wake_w):
            sock.close()
        self.poller.close()

    def serve_forever(self, poll_interval=0.5):
        rt = self.runtime
        idle_s = rt.config.idle_ms / 1000.0
        idle_every = min(5.0, max(0.05, idle_s / 4))
        next_idle_check = time.monotonic() + idle_every
        poller, connections = self.poller, self.connections
        poller.register(self.listener)
        poller.register(self.wake_r)
        listener_fd, wake_fd = self.listener.fileno(), self.wake_r.fileno()
        receive, monotonic, send_answers = self._receive, time.monotonic, self._send_answers
        while not self.stopping:
            events = poller.poll(max(0.0, min(poll_interval, next_idle_check - monotonic())))
            send_by = monotonic() + MAX_ANSWER_WAIT_S
            for fd, _ in events:
                conn = connections.get(fd)
                if conn is None:
                    if fd == listener_fd:
                        self._accept()
                    elif fd == wake_fd:
                        try:
                            self.wake_r.recv(64)
                        except OSError:
                            pass
                else:
                    try:
                        if conn.writing:
                            self._send_pending(conn)
                        elif conn.sock.fileno() >= 0:
                            receive(conn)
                    except Exception as e:
                        if not isinstance(e, (ConnectionError, TimeoutError)):
                            log({"level": "error", "msg": "connection failed", "exception": type(e).__name__,
                                 "trace": trace()})
                        self._close(conn)
                    if self.unsent and conn.last_active >= send_by:  # the time _process ended
                        send_answers()
                        send_by = monotonic() + MAX_ANSWER_WAIT_S
            if self.unsent:
                send_answers()
            now = monotonic()
            if now >= next_idle_check:
                next_idle_check = now + idle_every
                for conn in list(self.connections.values()):
                    if conn.linger_until is not None and now >= conn.linger_until \
                            or not conn.out and now - conn.last_active >= idle_s:
                        self._close(conn)
        poller.unregister(self.listener)

    def _accept(self):
        poller = self.poller
        for _ in range(64):
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if len(self.connections) >= self.max_connections:
                refuse(sock, self.overloaded)
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(sock)
            self.connections[sock.fileno()] = conn
            poller.register(sock)

    def _receive(self, conn):
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        if not data:
            if conn.inbuf and conn.linger_until is None and not conn.closing and not conn.out \
                    and (b"\r\n\r\n" in conn.inbuf or b"\n\n" in conn.inbuf):
                self._answer_cut_off(conn)
            self._close(conn)
            return
        if conn.linger_until is not None:  # answered and closing: the rest of what the client sends is dropped
            conn.discarded += len(data)
            if conn.discarded > self.runtime.config.max_body_bytes + MAX_DRAIN_EXTRA_BYTES:
                self._close(conn)
            return
        conn.inbuf += data
        self._process(conn)

    def _answer_cut_off(self, conn):
        """The client ended its side inside a request's body (its head is whole): answered as on a thread, a 400
        from the general code (the body is short of its length), which never reaches the function."""
        request = self.request_class(conn.sock, bytes(conn.inbuf), conn.continue_sent)
        conn.inbuf = bytearray()
        request.handle_one_request()
        self._write(conn, b"".join(request.wfile))
        self._flush_blocking(conn)

    def _process(self, conn):
        """Answers the complete requests in the connection's buffer, in order, until one closes the connection or
        an answer waits for the socket to be writable. The answers are queued for _send_answers."""
        rt, cls = self.runtime, self.request_class
        limit = rt.config.max_body_bytes
        while conn.inbuf and not conn.closing and not conn.writing:
            buf = conn.inbuf
            parsed = parsed_request(buf, limit)
            if parsed is not None:
                parts, headers, body, end = parsed
                answer = post(rt, cls, headers, body) if parts[0] == "POST" and parts[1] == "/" else None
                if answer is not None:  # the usual invocation, answered by fastpath.post
                    del buf[:end]
                    conn.continue_sent = False
                    data, conn.closing = answer
                    if not conn.out:  # _write's work, in place
                        self.unsent.append(conn)
                    conn.out += data
                    continue
                request = memory_request(cls, conn.sock, parts, headers, body, conn.continue_sent)
            else:
                end = request_end(buf, limit)
                request = None if end is None else cls(conn.sock, bytes(buf[:end]), conn.continue_sent)
            if request is None:
                if not conn.continue_sent and b"100-continue" in bytes(buf[:MAX_LINE * 2]).lower():
                    self._write(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
                    conn.continue_sent = True
                return
            del buf[:end]
            conn.continue_sent = False
            if request.body is None:
                request.handle_one_request()
            else:
                request.dispatch(request.hdrs)
            if request.close_connection:
                conn.closing = True
            self._write(conn, b"".join(request.wfile))
        conn.last_active = time.monotonic()  # what came is read and answered: idle counts from now, not from the
        # bytes' arrival (a slow handler is not idleness)
        if conn.closing and not conn.out:
            self._finish(conn)

    def _write(self, conn, data):
        """Queues an answer: it goes out with the others of this round of the loop (_send_answers)."""
        if data:
            if not conn.out:
                self.unsent.append(conn)
            conn.out += data

    def _send_answers(self):
        """Sends the answers made in this round, one send a connection, one after the other: the clients (or the
        proxy) reading them are woken once for the lot, not once an answer between handler calls (a wake-up on
        another core costs about as much as a request here). What does not go out at once waits for the socket
        to be writable, and the connection reads no more requests until it is out."""
        unsent, self.unsent = self.unsent, []
        for conn in unsent:
            if conn.writing or not conn.out:  # being sent already, or closed (_close empties `out`)
                continue
            try:
                try:
                    sent = conn.sock.send(conn.out)
                except (BlockingIOError, InterruptedError):
                    sent = 0
                if sent == len(conn.out):
                    conn.out = bytearray()
                    if conn.closing:
                        self._finish(conn)
                else:
                    del conn.out[:sent]
                    self.poller.modify(conn.sock, WRITE)
                    conn.writing = True
            except OSError:  # the client is gone
                self._close(conn)

    def _send_pending(self, conn):
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            return
        del conn.out[:sent]
        if not conn.out:
            self.poller.modify(conn.sock, READ)  # also while lingering after the last answer: reads, not a busy loop
            conn.writing = False
            if conn.closing:
                self._finish(conn)
                return
            self._process(conn)  # requests that came while the answer was going out

    def _finish(self, conn):
        """After the last answer: half-close, then read and drop what the client still sends (say, the rest of a
        body answered 413) until it closes too, for at most 2 s: closing with unread bytes would send a reset,
        and the client could lose the answer."""
        if conn.linger_until is not None:
            return
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.linger_until = time.monotonic() + 2.0
        conn.inbuf = bytearray()

    def _flush_blocking(self, conn):
        if conn.out and conn.sock.fileno() >= 0:
            try:
                conn.sock.settimeout(1.0)
                conn.sock.sendall(conn.out)
            except OSError:
                pass
            conn.out = bytearray()

    def _close(self, conn):
        fd = conn.sock.fileno()
        if fd < 0:
            return
        self.connections.pop(fd, None)
        conn.out = bytearray()
        self.poller.unregister(conn.sock)
        try:
            conn.sock.close()
        except OSError:
            pass
