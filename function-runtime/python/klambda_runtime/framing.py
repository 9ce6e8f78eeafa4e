"""HTTP/1.1 framing: the request head, Content-Length and chunked bodies, answers written in one piece.

`Http11` is a mixin for a request handler with `rfile`, `wfile` and `runtime` (worker.RequestHandler reads a socket,
eventloop's requests read memory): a lean parser, as http.server's email-based one cost a third of a request.
`request_end` finds where a request ends in a buffer, for the event loop.
"""
import json
import socket

from .cloudevents import error_body
from .errors import HttpError

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
           414: "URI Too Long", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout"}
OK_JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
MAX_DRAIN_EXTRA_BYTES = 8 * 1024 * 1024
MAX_LINE = 65536
MAX_HEADERS = 100
# Where a request's header dict records a ce-* header sent more than once (no header name can hold a NUL).
DUPLICATE_CE = "\x00duplicate-ce"
_HEX_DIGITS = b"0123456789abcdefABCDEF"


def content_length(raw):
    """The value of a Content-Length header: digits only (no sign, no space, no list), else None."""
    if not raw.isdecimal():  # a latin-1 str: 0-9 only
        return None
    return int(raw) if len(raw) < 19 else 10 ** 18  # past any body limit either way


def chunk_size(line):
    """The size on a chunk-size line (hex digits, then optional ;extensions, then the line end), else None."""
    if not line.endswith(b"\n"):
        return None
    digits = line.split(b";", 1)[0].rstrip(b" \t\r\n")
    if not digits or len(digits) > 15 or digits.lstrip(_HEX_DIGITS):
        return None
    return int(digits, 16)


def has_control_character(value):
    """Whether a header value holds a control character other than a tab (RFC 9110: not allowed)."""
    return any(c < " " and c != "\t" or c == "\x7f" for c in value)


def add_field(headers, line):
    """Adds one header line (latin-1 text, its line end included or not) to `headers`: None, or what is wrong with
    it. No space around the name (a proxy could read "Transfer-Encoding :" differently), no control character."""
    name, sep, value = line.partition(":")
    if not sep or not name or name[0] in " \t" or name[-1] in " \t" or not name.isprintable():
        return "malformed header line"
    name = name.lower()
    value = value.strip(" \t\r\n")
    if not value.isprintable() and has_control_character(value):
        return "a header value holds a control character"
    if name in headers:
        if name[:3] == "ce-":
            headers[DUPLICATE_CE] = name
        headers[name] += ", " + value
    else:
        headers[name] = value
    return None


class AnswerBuffer(list):
    """What a request handler writes into memory (event-loop mode): the pieces, joined once; a list append a write."""

    __slots__ = ()
    write = list.append

    def getvalue(self):
        return b"".join(self)


def http_answer(status, body, content_type="application/json", extra_headers=(), close=False):
    """A whole answer, head and body, as the bytes of one write (no 40 ms delayed-ACK stall on keep-alive)."""
    if status == 200 and content_type == "application/json" and not extra_headers and not close:
        return OK_JSON_HEAD % len(body) + body  # the usual answer, its head made ahead
    head = ["HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            % (status, REASONS.get(status, "Error"), content_type, len(body))]
    for name, value in extra_headers:
        head.append("%s: %s\r\n" % (name, value))
    if close:
        head.append("Connection: close\r\n")
    head.append("\r\n")
    return "".join(head).encode("latin-1") + body


def overloaded_answer(max_connections):
    """The answer to a connection past FUNCTION_MAX_CONNECTIONS, which is closed after it."""
    return http_answer(503, error_body("Overloaded", "too many connections open at once (%d, FUNCTION_MAX_CONNECTIONS)"
                                       % max_connections), close=True)


def refuse(sock, answer):
    """Sends `answer` to a connection the runtime will not serve (as far as it goes at once) and closes it, after
    dropping what the client has sent already: closing with unread bytes would send a reset, and the client could lose
    the answer. Never waits."""
    try:
        sock.setblocking(False)
        sock.send(answer)
        sock.shutdown(socket.SHUT_WR)
        for _ in range(16):
            if not sock.recv(65536):
                break
    except OSError:  # nothing more to read (or the client is gone)
        pass
    finally:
        sock.close()


class Http11:
    """Reads one request (line, headers; the body when the endpoint asks) and writes answers; dispatches to do_<METHOD>."""

    continue_sent = False  # the event loop answers Expect: 100-continue itself, before the body arrives
    linger = False  # answered with bytes of the request left unread: read and drop them before closing
    body = None  # the body, when the event loop framed the request itself (eventloop.parsed_request)

    def handle_one_request(self):
        """Reads one HTTP/1.1 request (a lean parser: http.server's email-based one costs a third of a request) and dispatches it."""
        try:
            rfile = self.rfile
            line = rfile.readline(MAX_LINE + 1)
            if not line:
                self.close_connection = True
                return
            if len(line) > MAX_LINE:
                self.send_error(414, "request line too long")
                return
            parts = line.decode("latin-1").split()
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                self.send_error(400, "malformed request line")
                return
            self.command, self.path, self.request_version = parts
            headers = {}
            while True:
                raw = rfile.readline(MAX_LINE + 1)
                if not raw:  # the client went away inside the head: nothing of it reaches the function
                    self.close_connection = True
                    return
                if raw in (b"\r\n", b"\n"):
                    break
                if len(raw) > MAX_LINE or len(headers) >= MAX_HEADERS:
                    self.send_error(431, "request headers too large")
                    return
                error = add_field(headers, raw.decode("latin-1"))
                if error:
                    self.send_error(400, error)
                    return
            self.dispatch(headers)
        except (TimeoutError, socket.timeout):  # the same class since 3.10
            self.close_connection = True

    def dispatch(self, headers):
        """Answers a request whose line and headers are parsed (`command`, `path`, `request_version`, `headers`)."""
        self.hdrs = headers
        connection = headers.get("connection", "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in connection
        else:
            self.close_connection = "close" in connection
        method = getattr(self, "do_" + self.command, None)
        if method is None:
            self.not_allowed()
        else:
            method()

    # ---- answers: one write per response (no 40 ms delayed-ACK stall on keep-alive) ----

    def _send(self, status, body, content_type="application/json", extra_headers=(), close=False):
        if close or self.runtime.draining:
            self.close_connection = True
        self.wfile.write(http_answer(status, body, content_type, extra_headers, self.close_connection))

    def send_error(self, code, message=None, explain=None):
        """Protocol errors (malformed request line or headers) answered as JSON; the connection is closed."""
        body = error_body("BadRequest" if code < 500 else "NotImplemented", message or REASONS.get(code, "error"))
        self.close_connection = True
        self.linger = True
        try:
            self._send(code, body, close=True)
        except OSError:
            pass

    def _json(self, status, obj, close=False):
        self._send(status, json.dumps(obj).encode(), close=close)

    # ---- the body ----

    def _awaits_continue(self, headers):
        """Whether the client waits for a 100 Continue before it sends the body (none was sent yet)."""
        return not self.continue_sent and headers.get("expect", "").lower() == "100-continue"

    def _read_body(self, headers, limit):
        """The body, framed by Content-Length or chunked (never both: a proxy in front could frame it the other way).
        Expect: 100-continue is answered here, once the framing and the length are accepted: never before a 413."""
        coding = headers.get("transfer-encoding")
        raw = headers.get("content-length")
        if coding is not None:
            if raw is not None:
                raise HttpError(400, "BadRequest", "Transfer-Encoding together with Content-Length", close=True)
            if coding.lower() != "chunked":
                raise HttpError(400, "BadRequest", "unsupported Transfer-Encoding (only chunked)", close=True)
            if self._awaits_continue(headers):
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return self._read_chunked(limit)
        if raw is None:
            return b""
        length = content_length(raw)
        if length is None:
            raise HttpError(400, "BadRequest", "invalid Content-Length", close=True)
        if length > limit:
            if not self._awaits_continue(headers):  # a client waiting for a 100 sends no body: nothing to drop
                self._discard(length)
            self.linger = True
            raise HttpError(413, "PayloadTooLarge", "the body has %d bytes; the limit is %d (FUNCTION_MAX_BODY_BYTES)"
                            % (length, limit), close=True)
        if length and self._awaits_continue(headers):
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self.rfile.read(length)
        if len(body) < length:
            raise HttpError(400, "BadRequest", "the body ended after %d of %d bytes" % (len(body), length), close=True)
        return body

    def _discard(self, length):
        if length > self.runtime.config.max_body_bytes + MAX_DRAIN_EXTRA_BYTES:
            return
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    def _read_chunked(self, limit):
        rfile = self.rfile
        parts, total = [], 0
        while True:
            line = rfile.readline(1024)
            size = chunk_size(line)
            if size is None:
                raise HttpError(400, "BadRequest", "the body ended early" if not line else "malformed chunk size", close=True)
            if size == 0:  # the last chunk, then trailers up to an empty line
                while True:
                    trailer = rfile.readline(MAX_LINE + 1)
                    if trailer in (b"\r\n", b"\n"):
                        return b"".join(parts)
                    if not trailer.endswith(b"\n"):
                        raise HttpError(400, "BadRequest", "malformed chunked body", close=True)
            total += size
            if total > limit:
                self.linger = True
                raise HttpError(413, "PayloadTooLarge", "the body is over the limit of %d bytes (FUNCTION_MAX_BODY_BYTES)"
                                % limit, close=True)
            data = rfile.read(size)
            if len(data) < size:
                raise HttpError(400, "BadRequest", "the body ended early", close=True)
            parts.append(data)
            if rfile.readline(3) not in (b"\r\n", b"\n"):
                raise HttpError(400, "BadRequest", "malformed chunked body", close=True)


def request_end(buf, max_body):
    """Where the first request in `buf` ends, or None while it is incomplete. A request that cannot be framed
    (no end of headers within the limits, a bad or oversized length) ends where the bytes seen so far end: the
    parser then answers it 4xx and the connection closes, as on a threaded connection."""
    crlf, lf = buf.find(b"\r\n\r\n"), buf.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        body_start = crlf + 4
    elif lf >= 0:
        body_start = lf + 2
    else:
        return len(buf) if len(buf) > MAX_LINE * 2 else None
    head = bytes(buf[:body_start]).lower()
    length, chunked = None, False
    at = head.find(b"\ntransfer-encoding:")
    if at >= 0:
        chunked = b"chunked" in head[at:head.find(b"\n", at + 1)]
    at = head.find(b"\ncontent-length:")
    if at >= 0:
        length = head[at + 16:head.find(b"\n", at + 1)].strip()
    if chunked:
        pos, total = body_start, 0
        while True:
            eol = buf.find(b"\n", pos)
            if eol < 0:
                return None if len(buf) - pos <= 1024 else len(buf)
            size = chunk_size(bytes(buf[pos:eol + 1]))
            if size is None:
                return len(buf)
            if size == 0:  # the last chunk, then trailers up to an empty line
                pos = eol + 1
                while True:
                    eol = buf.find(b"\n", pos)
                    if eol < 0:
                        return None
                    if bytes(buf[pos:eol]).strip() == b"":
                        return eol + 1
                    pos = eol + 1
            total += size
            if total > max_body:
                return len(buf)
            pos = eol + 1 + size
            eol = buf.find(b"\n", pos)
            if eol < 0:
                return None
            pos = eol + 1
    if length is None:
        return body_start
    n = content_length(length.decode("latin-1"))
    if n is None or n > max_body:
        return body_start
    end = body_start + n
    return end if len(buf) >= end else None
