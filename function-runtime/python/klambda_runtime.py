#!/usr/bin/env python3
"""Knative Lambda Python function runtime.

Serves one user function over HTTP: binary and structured CloudEvents and plain JSON on POST /,
health on /health/live and /health/ready, Prometheus metrics on /metrics. Standard library only,
Python 3.9+. The contract is in function-runtime/README.md.
"""
import bisect
import importlib.machinery
import io
import json
import os
import selectors
import signal
import socket
import socketserver
import sys
import threading
import time

# Cold start: http.server (with email, http.client, ssl) and urllib.parse are not imported: importing them
# took ~75 ms of a ~120 ms start. HTTP/1.1 is parsed here (RequestHandler), percent-decoding is _unquote.

_PROCESS_T0 = time.time()
_FORKED = False  # started by fork_server: the process start is the fork

SUCCESS_TYPE = "io.knative.lambda.response.success"
ERROR_TYPE = "io.knative.lambda.response.error"
REQUIRED_ATTRIBUTES = ("id", "source", "specversion", "type")
DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
           414: "URI Too Long", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout"}
MAX_DRAIN_EXTRA_BYTES = 8 * 1024 * 1024
MAX_LINE = 65536
MAX_HEADERS = 100


class ConfigError(Exception):
    """A setting of the runtime or the function folder is unusable."""


class HttpError(Exception):
    """An answer other than 200, with a stable error code and a message for a person."""

    def __init__(self, status, code, message, close=False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.close = close


def _env_int(env, name, default, minimum=1):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError("%s must be an integer, got %r" % (name, raw))
    if value < minimum:
        raise ConfigError("%s must be at least %d, got %d" % (name, minimum, value))
    return value


class Config:
    """The runtime's settings, read from the environment (see README: Environment)."""

    def __init__(self, env):
        self.function_dir = env.get("FUNCTION_DIR") or "/function"
        self.function_file = env.get("FUNCTION_FILE") or None
        self.handler_name = env.get("FUNCTION_HANDLER") or "handler"
        self.function_id = env.get("FUNCTION_ID") or "function"
        self.host = env.get("HOST") or "0.0.0.0"
        self.port = _env_int(env, "PORT", 8080, minimum=0)
        self.timeout_ms = _env_int(env, "FUNCTION_TIMEOUT_MS", 30000)
        self.max_body_bytes = _env_int(env, "FUNCTION_MAX_BODY_BYTES", 6 * 1024 * 1024)
        self.concurrency = _env_int(env, "FUNCTION_CONCURRENCY", 16)
        self.drain_ms = _env_int(env, "FUNCTION_DRAIN_TIMEOUT_MS", self.timeout_ms + 5000)
        self.idle_ms = _env_int(env, "FUNCTION_IDLE_TIMEOUT_MS", 600000)
        self.execution = (env.get("FUNCTION_EXECUTION") or "worker").strip().lower()
        if self.execution not in ("worker", "event-loop"):
            raise ConfigError("FUNCTION_EXECUTION must be worker or event-loop, got %r" % self.execution[:40])
        if any(c in self.function_id for c in "\r\n\"\\"):
            raise ConfigError("FUNCTION_ID contains characters that cannot appear in a header")
        self.source = "/knative-lambda/functions/" + self.function_id


def find_function_file(function_dir, function_file=None):
    """The path of the user's source: FUNCTION_FILE, else the single .py file, else the single extension-less file."""
    if not os.path.isdir(function_dir):
        raise ConfigError("FUNCTION_DIR %s is not a folder" % function_dir)
    if function_file:
        path = os.path.join(function_dir, function_file)
        if not os.path.isfile(path):
            raise ConfigError("FUNCTION_FILE %s not found in %s" % (function_file, function_dir))
        return path
    files = sorted(f for f in os.listdir(function_dir)
                   if not f.startswith(".") and os.path.isfile(os.path.join(function_dir, f)))
    python_files = [f for f in files if f.endswith(".py")]
    bare_files = [f for f in files if "." not in f]
    if len(python_files) == 1:
        return os.path.join(function_dir, python_files[0])
    if not python_files and len(bare_files) == 1:
        return os.path.join(function_dir, bare_files[0])
    raise ConfigError("cannot tell which file in %s is the function (found %s); set FUNCTION_FILE"
                      % (function_dir, ", ".join(files) or "no files"))


def load_handler(path, handler_name, function_dir):
    """Imports the user's file as module 'klambda_function' (never '__main__') and returns (handler, wants_attributes)."""
    sys.dont_write_bytecode = True
    if function_dir not in sys.path:
        sys.path.insert(0, function_dir)
    name = "klambda_function"
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = type(sys)(name)
    module.__file__ = path
    module.__loader__ = loader
    module.__spec__ = importlib.machinery.ModuleSpec(name, loader, origin=path)
    sys.modules[name] = module
    loader.exec_module(module)
    handler = getattr(module, handler_name, None)
    if handler is None or not callable(handler):
        raise ConfigError("%s has no callable %r" % (os.path.basename(path), handler_name))
    return handler, _takes_two_arguments(handler)


def _takes_two_arguments(fn):
    code = getattr(fn, "__code__", None)
    if code is not None and not hasattr(fn, "__self__"):
        return code.co_argcount >= 2 or bool(code.co_flags & 0x04)  # CO_VARARGS
    import inspect
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _trace():
    import traceback  # imported when first needed: a quicker cold start
    return traceback.format_exc()


def _uuid4():
    """A random (version 4) UUID string, without importing uuid (a quicker cold start)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


_second_cache = [0, ""]


def _now_rfc3339():
    t = time.time()
    second = int(t)
    cache = _second_cache
    if cache[0] != second:
        cache[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        cache[0] = second
    return "%s.%03dZ" % (cache[1], int((t - second) * 1000))


def _process_start_time():
    """The wall-clock time the process was exec'd (from /proc), or the time this module started (or was forked)."""
    if _FORKED:
        return _PROCESS_T0
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime"))
        return min(btime + start_ticks / os.sysconf("SC_CLK_TCK"), _PROCESS_T0)
    except Exception:
        return _PROCESS_T0


class Metrics:
    """Invocation counters, errors by code, a duration histogram and the cold start, as Prometheus text."""

    def __init__(self, function_id):
        self.lock = threading.Lock()
        self.label = 'function="%s",runtime="python"' % function_id
        self.invocations = 0
        self.errors = {}
        self.buckets = [0] * (len(DURATION_BUCKETS) + 1)
        self.duration_sum = 0.0
        self.cold_start_seconds = None
        self.cold = True
        self.in_flight = lambda: 0

    def record(self, seconds, code):
        """Counts one invocation; returns True for the first one of the process (the cold one)."""
        index = bisect.bisect_left(DURATION_BUCKETS, seconds)
        with self.lock:
            self.invocations += 1
            self.buckets[index] += 1
            self.duration_sum += seconds
            if code is not None:
                self.errors[code] = self.errors.get(code, 0) + 1
            cold, self.cold = self.cold, False
        return cold

    def render(self):
        with self.lock:
            label = self.label
            lines = [
                "# HELP klambda_function_invocations_total Invocations of the function (every POST /).",
                "# TYPE klambda_function_invocations_total counter",
                "klambda_function_invocations_total{%s} %d" % (label, self.invocations),
                "# HELP klambda_function_errors_total Invocations answered with an error, by error code.",
                "# TYPE klambda_function_errors_total counter",
            ]
            for code in sorted(self.errors):
                lines.append('klambda_function_errors_total{%s,code="%s"} %d' % (label, code, self.errors[code]))
            lines += [
                "# HELP klambda_function_duration_seconds Time from request to answer.",
                "# TYPE klambda_function_duration_seconds histogram",
            ]
            cumulative = 0
            for bound, count in zip(DURATION_BUCKETS + ("+Inf",), self.buckets):
                cumulative += count
                le = bound if isinstance(bound, str) else repr(float(bound))
                lines.append('klambda_function_duration_seconds_bucket{%s,le="%s"} %d' % (label, le, cumulative))
            lines.append("klambda_function_duration_seconds_sum{%s} %.6f" % (label, self.duration_sum))
            lines.append("klambda_function_duration_seconds_count{%s} %d" % (label, cumulative))
            lines += [
                "# HELP klambda_function_cold_start_seconds Time from process start to the handler loaded and ready.",
                "# TYPE klambda_function_cold_start_seconds gauge",
                "klambda_function_cold_start_seconds{%s} %.6f" % (label, self.cold_start_seconds or 0.0),
                "# HELP klambda_function_in_flight Requests being handled now.",
                "# TYPE klambda_function_in_flight gauge",
                "klambda_function_in_flight{%s} %d" % (label, self.in_flight()),
            ]
        return ("\n".join(lines) + "\n").encode()


class LogWriter:
    """JSON lines to stdout, written in batches by one thread (a write per request would cost a third of the
    throughput). The thread sleeps until a line is queued: an idle function does not wake up for nothing."""

    def __init__(self, interval=0.05):
        self.lines = []
        self.interval = interval
        self.lock = threading.Lock()
        self.queued = threading.Event()

    def add(self, line):
        self.lines.append(line)
        if not self.queued.is_set():
            self.queued.set()

    def run(self):
        while True:
            self.queued.wait()
            time.sleep(self.interval)  # gather the lines of the requests of the next moment into one write
            self.queued.clear()
            self.flush()

    def flush(self):
        with self.lock:
            lines, self.lines = self.lines, []
            if lines:
                data = "".join(lines).encode("utf-8", "replace")
                while data:
                    try:
                        written = os.write(1, data)
                    except InterruptedError:
                        continue
                    except OSError:
                        return
                    data = data[written:]


_LOG = LogWriter()
_encode = json.JSONEncoder(separators=(",", ":")).encode


def log(record, now=False):
    """Queues one JSON log line for stdout (never a payload); now=True writes it at once."""
    record["ts"] = _now_rfc3339()
    _LOG.add(_encode(record) + "\n")
    if now:
        _LOG.flush()


class Runtime:
    """The loaded function, its limits and the bookkeeping shared by every connection thread."""

    def __init__(self, config):
        self.config = config
        self.metrics = Metrics(config.function_id)
        self.metrics.in_flight = lambda: self.active
        self.handler = None
        self.wants_attributes = False
        self.ready = False
        self.draining = False
        self.slots = threading.BoundedSemaphore(config.concurrency)
        self.active = 0
        self.running = {}  # key -> (deadline, request handler): invocations the watchdog may time out
        self.connections = {}  # key -> request handler: open connections, for the idle check
        self.invoked = threading.Event()  # wakes the watchdog when an invocation starts while it sleeps
        self.watchdog_idle = False
        self.timeout_s = config.timeout_ms / 1000.0

    def begin(self):
        with self.metrics.lock:
            self.active += 1

    def end(self):
        with self.metrics.lock:
            self.active -= 1

    def wait_idle(self, seconds):
        """Waits (polling, only at shutdown) until no request is in flight; False if some still are."""
        deadline = time.monotonic() + seconds
        while self.active > 0:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def watchdog(self):
        """Answers 504 for handlers that run past FUNCTION_TIMEOUT_MS (the handler thread cannot be killed), and
        closes connections idle for FUNCTION_IDLE_TIMEOUT_MS. It ticks while invocations come in, and sleeps once
        none has come for a second, until one starts or the next idle check is due: an idle function costs no CPU,
        and a busy one no wake-up per request (a thread switch and a GIL hand-off each)."""
        period = min(0.05, max(0.005, self.timeout_s / 20))
        idle_s = self.config.idle_ms / 1000.0
        idle_every = min(5.0, max(0.05, idle_s / 4))
        next_idle_check = time.monotonic() + idle_every
        seen, quiet_since = -1, time.monotonic()
        while True:
            count = self.metrics.invocations + self.active
            if count != seen or self.running:
                seen, quiet_since = count, time.monotonic()
            if not self.running and time.monotonic() - quiet_since > 1.0:
                self.watchdog_idle = True  # _invoke sets `invoked` when it sees this flag
                if not self.running:  # a second look after raising the flag closes the gap
                    self.invoked.wait(max(0.0, next_idle_check - time.monotonic()))
                self.watchdog_idle = False
                self.invoked.clear()
                quiet_since = time.monotonic()
            else:
                time.sleep(period)
            now = time.monotonic()
            for key, (deadline, request) in list(self.running.items()):
                if now >= deadline and self.running.pop(key, None) is not None:
                    try:
                        request.answer_timeout()
                    except Exception:
                        pass
            if now >= next_idle_check:
                next_idle_check = now + idle_every
                for connection in list(self.connections.values()):
                    if not connection.busy and now - connection.last_active >= idle_s:
                        connection.close_idle()


class RequestHandler(socketserver.StreamRequestHandler):
    """One connection: POST / invokes the function; GET serves health and metrics."""

    disable_nagle_algorithm = True  # TCP_NODELAY on every connection (StreamRequestHandler.setup)
    # Blocking sockets without a timeout: a socket timeout makes every read a poll() plus a recv(), which cost
    # a third of the throughput. Idle connections are closed by Runtime.watchdog instead (FUNCTION_IDLE_TIMEOUT_MS).
    timeout = None
    runtime = None  # set by serve()
    continue_sent = False  # the event loop answers Expect: 100-continue itself, before the body arrives

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
            self.requestline = ""
            headers = {}
            while True:
                raw = rfile.readline(MAX_LINE + 1)
                if raw in (b"\r\n", b"\n", b""):
                    break
                if len(raw) > MAX_LINE or len(headers) >= MAX_HEADERS:
                    self.send_error(431, "request headers too large")
                    return
                name, sep, value = raw.decode("latin-1").partition(":")
                if not sep or not name or name[0] in " \t":
                    self.send_error(400, "malformed header line")
                    return
                name = name.strip().lower()
                value = value.strip()
                headers[name] = headers[name] + ", " + value if name in headers else value
            self.hdrs = headers
            connection = headers.get("connection", "").lower()
            if self.request_version == "HTTP/1.0":
                self.close_connection = "keep-alive" not in connection
            else:
                self.close_connection = "close" in connection
            if headers.get("expect", "").lower() == "100-continue" and not self.continue_sent:
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self._not_allowed()
            else:
                method()
        except (TimeoutError, socket.timeout):  # the same class since 3.10
            self.close_connection = True

    # ---- answers: one write per response (DESIGN §7: no 40 ms delayed-ACK stall on keep-alive) ----

    def _send(self, status, body, content_type="application/json", extra_headers=(), close=False):
        if close or self.runtime.draining:
            self.close_connection = True
        head = ["HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                % (status, REASONS.get(status, "Error"), content_type, len(body))]
        for name, value in extra_headers:
            head.append("%s: %s\r\n" % (name, value))
        if self.close_connection:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        self.wfile.write("".join(head).encode("latin-1") + body)

    def send_error(self, code, message=None, explain=None):
        """Protocol errors (malformed request line or headers) answered as JSON; the connection is closed."""
        body = json.dumps({"error": "BadRequest" if code < 500 else "NotImplemented",
                           "message": message or REASONS.get(code, "error")}).encode()
        self.close_connection = True
        try:
            self._send(code, body, close=True)
        except OSError:
            pass

    def _json(self, status, obj, close=False):
        self._send(status, json.dumps(obj).encode(), close=close)

    # ---- GET ----

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        rt = self.runtime
        if path == "/health/live":
            self._json(200, {"status": "UP"})
        elif path == "/health/ready":
            up = rt.ready and not rt.draining
            self._json(200 if up else 503, {"status": "UP" if up else "DOWN"})
        elif path == "/metrics":
            self._send(200, rt.metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
        elif path == "/":
            self._json(405, {"error": "MethodNotAllowed", "message": "invoke the function with POST /"})
        else:
            self._json(404, {"error": "NotFound", "message": "no such path: " + path[:200]})

    def _not_allowed(self):
        self._json(405, {"error": "MethodNotAllowed", "message": "invoke the function with POST /"}, close=True)

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    # ---- POST / ----

    def do_POST(self):
        rt = self.runtime
        path = self.path.split("?", 1)[0]
        if path != "/":
            self._json(404, {"error": "NotFound", "message": "no such path: " + path[:200]}, close=True)
            return
        t0 = time.monotonic()
        self.busy = True
        rt.begin()
        self._mode = "plain"
        self._attrs = None
        self._answered = False
        self._answered_at = None
        status, code = 500, "FunctionError"
        try:
            status, code = self._invoke(rt, t0)
        except HttpError as e:
            status, code = e.status, e.code
            self._answer_error(e)
        except Exception as e:  # a bug of the runtime itself: still an answer, never a trace
            log({"level": "error", "msg": "runtime failure", "function": rt.config.function_id,
                 "exception": type(e).__name__, "trace": _trace()})
            status, code = 500, "RuntimeError"
            self._answer_error(HttpError(500, "RuntimeError", "the runtime failed; see its log"))
        finally:
            rt.end()
            self.busy = False
        seconds = (self._answered_at or time.monotonic()) - t0
        cold = rt.metrics.record(seconds, code if status != 200 else None)
        attrs = self._attrs or {}
        entry = {"level": "info", "msg": "invocation", "function": rt.config.function_id, "mode": self._mode,
                 "eventId": attrs.get("id"), "eventType": attrs.get("type"), "status": status,
                 "durationMs": round(seconds * 1000, 3), "coldStart": cold}
        if status != 200:
            entry["error"] = code
        log(entry)

    def _invoke(self, rt, t0):
        if not rt.ready:
            raise HttpError(503, "NotReady", "the function is still loading", close=True)
        headers = self.hdrs
        body = self._read_body(headers, rt.config.max_body_bytes)
        content_type = headers.get("content-type", "").lower()
        if content_type.startswith("application/cloudevents-batch"):
            raise HttpError(400, "InvalidEvent", "batched CloudEvents are not supported")
        if content_type.startswith("application/cloudevents"):
            self._mode = "structured"
            data, attrs = self._parse_structured(body)
        else:
            ce = {}
            for name, value in headers.items():
                if name[:3] == "ce-":
                    ce[name[3:]] = _unquote(value) if "%" in value else value
            if ce:
                self._mode = "binary"
                self._attrs = ce
                if content_type:
                    ce["datacontenttype"] = headers["content-type"]
                _validate_attributes(ce)
                data = _parse_json(body) if body.strip() else {}
                attrs = ce
            else:
                data = _parse_json(body)
                attrs = None
        if not isinstance(data, dict):
            raise HttpError(400, "InvalidEvent", "the event data must be a JSON object, got %s" % _json_kind(data))

        # bounded concurrency: wait for a slot until the deadline, else 503
        deadline = t0 + rt.timeout_s
        if not rt.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise HttpError(503, "Overloaded", "all %d invocation slots stayed busy for %d ms"
                            % (rt.config.concurrency, rt.config.timeout_ms))
        key = id(self)
        rt.running[key] = (deadline, self)
        if rt.watchdog_idle:
            rt.invoked.set()
        try:
            if rt.wants_attributes:
                result = rt.handler(data, dict(attrs) if attrs is not None else {})
            else:
                result = rt.handler(data)
        except ValueError as e:
            error = HttpError(400, "InvalidInput", str(e) or "invalid input")
        except BaseException as e:  # noqa: B036 - a function's SystemExit is its failure, not ours
            log({"level": "error", "msg": "function raised", "function": rt.config.function_id,
                 "eventId": (attrs or {}).get("id"), "exception": type(e).__name__, "trace": _trace()})
            error = HttpError(500, "FunctionError", "the function raised %s" % type(e).__name__)
        else:
            error = None
        finally:
            rt.slots.release()
        if rt.running.pop(key, None) is None:  # the watchdog answered 504 already
            self._answered = True
            return 504, "Timeout"
        if error is not None:
            raise error
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            log({"level": "error", "msg": "result not JSON", "function": rt.config.function_id, "exception": str(e)})
            raise HttpError(500, "FunctionError", "the function returned a value that is not JSON-serialisable")
        self._answer_success(payload)
        return 200, None

    def _read_body(self, headers, limit):
        if "transfer-encoding" in headers and "chunked" in headers["transfer-encoding"].lower():
            return self._read_chunked(limit)
        raw = headers.get("content-length")
        if not raw:
            return b""
        try:
            length = int(raw)
        except ValueError:
            raise HttpError(400, "BadRequest", "invalid Content-Length", close=True)
        if length > limit:
            self._discard(length)
            raise HttpError(413, "PayloadTooLarge", "the body has %d bytes; the limit is %d (FUNCTION_MAX_BODY_BYTES)"
                            % (length, limit), close=True)
        return self.rfile.read(length)

    def _discard(self, length):
        if length > limit_extra(self):
            return
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                return
            left -= len(chunk)

    def _read_chunked(self, limit):
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                raise HttpError(413, "PayloadTooLarge", "the body is over the limit of %d bytes (FUNCTION_MAX_BODY_BYTES)"
                                % limit, close=True)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _parse_structured(self, body):
        envelope = _parse_json(body)
        if not isinstance(envelope, dict):
            raise HttpError(400, "InvalidEvent", "a structured CloudEvent must be a JSON object")
        attrs = {k: v for k, v in envelope.items() if k not in ("data", "data_base64")}
        self._attrs = attrs
        _validate_attributes(attrs)
        if "data_base64" in envelope:
            import base64
            try:
                data = _parse_json(base64.b64decode(envelope["data_base64"]))
            except (ValueError, TypeError):
                raise HttpError(400, "InvalidJson", "data_base64 is not base64-encoded JSON")
        else:
            data = envelope.get("data")
            if data is None:
                data = {}
            elif isinstance(data, str):
                data = _parse_json(data.encode())
        return data, attrs

    # ---- answers in the request's mode ----

    def _ce_headers(self, event_type):
        rt = self.runtime
        return (("ce-specversion", "1.0"), ("ce-id", _uuid4()), ("ce-source", rt.config.source),
                ("ce-type", event_type), ("ce-subject", rt.config.function_id), ("ce-time", _now_rfc3339()))

    def _structured(self, event_type, payload):
        rt = self.runtime
        return ('{"specversion":"1.0","id":"%s","source":%s,"type":"%s","subject":%s,"time":"%s",'
                '"datacontenttype":"application/json","data":%s}'
                % (_uuid4(), json.dumps(rt.config.source), event_type, json.dumps(rt.config.function_id),
                   _now_rfc3339(), payload.decode())).encode()

    def _answer_success(self, payload):
        if self._mode == "binary":
            self._send(200, payload, extra_headers=self._ce_headers(SUCCESS_TYPE))
        elif self._mode == "structured":
            self._send(200, self._structured(SUCCESS_TYPE, payload), content_type="application/cloudevents+json")
        else:
            self._send(200, payload)
        self._answered = True

    def _answer_error(self, error):
        """A valid CloudEvent gets an error CloudEvent in its mode; anything else plain JSON {error, message}."""
        if self._answered:
            return
        self._answered = True
        payload = json.dumps({"error": error.code, "message": error.message}).encode()
        valid_event = self._attrs is not None and _missing_attributes(self._attrs) is None
        try:
            if valid_event and self._mode == "binary":
                self._send(error.status, payload, extra_headers=self._ce_headers(ERROR_TYPE), close=error.close)
            elif valid_event and self._mode == "structured":
                self._send(error.status, self._structured(ERROR_TYPE, payload),
                           content_type="application/cloudevents+json", close=error.close)
            else:
                self._send(error.status, payload, close=error.close)
        except OSError:
            self.close_connection = True

    def answer_timeout(self):
        """Called by the watchdog thread: answers 504 while the handler still runs, and closes the connection."""
        self.close_connection = True
        self._answered_at = time.monotonic()
        self._answer_error(HttpError(504, "Timeout", "the function ran longer than %d ms (FUNCTION_TIMEOUT_MS)"
                                     % self.runtime.config.timeout_ms, close=True))


def limit_extra(request):
    return request.runtime.config.max_body_bytes + MAX_DRAIN_EXTRA_BYTES


def _json_kind(value):
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def _parse_json(body):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise HttpError(400, "InvalidJson", "the body is not valid JSON: %s" % str(e)[:200])


def _missing_attributes(attrs):
    missing = [a for a in REQUIRED_ATTRIBUTES if not isinstance(attrs.get(a), str) or not attrs.get(a)]
    return missing or None


def _validate_attributes(attrs):
    missing = _missing_attributes(attrs)
    if missing:
        raise HttpError(400, "InvalidEvent", "the CloudEvent lacks the required attribute(s): " + ", ".join(missing))
    if attrs["specversion"] != "1.0":
        raise HttpError(400, "InvalidEvent", "unsupported CloudEvents specversion %r (want 1.0)" % attrs["specversion"][:20])


_HEX = frozenset("0123456789abcdefABCDEF")


def _unquote(value):
    """Percent-decodes a ce-* header value as UTF-8 (CloudEvents HTTP binding), like urllib.parse.unquote."""
    parts = value.split("%")
    out = bytearray(parts[0].encode("utf-8"))
    for part in parts[1:]:
        if len(part) >= 2 and part[0] in _HEX and part[1] in _HEX:
            out.append(int(part[:2], 16))
            out += part[2:].encode("utf-8")
        else:
            out += b"%" + part.encode("utf-8")
    return out.decode("utf-8", "replace")


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
             "trace": _trace()})


def _request_end(buf, max_body):
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
            try:
                size = int(bytes(buf[pos:eol]).split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:
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
    try:
        n = int(length)
    except ValueError:
        return body_start
    if n < 0 or n > max_body:
        return body_start
    end = body_start + n
    return end if len(buf) >= end else None


class _Connection:
    """An event-loop connection: bytes received and not yet parsed, bytes to send, when it was last active."""

    __slots__ = ("sock", "inbuf", "out", "last_active", "closing", "continue_sent", "linger_until", "discarded")

    def __init__(self, sock):
        self.sock = sock
        self.inbuf = bytearray()
        self.out = bytearray()
        self.last_active = time.monotonic()
        self.closing = False
        self.continue_sent = False
        self.linger_until = None
        self.discarded = 0


class _MemoryRequest(RequestHandler):
    """One request of an event-loop connection, parsed and answered by RequestHandler's own code, from and into
    memory. The watchdog's 504 for a handler past its deadline lands here too, and goes out when the handler
    returns (nothing can answer while it holds the loop)."""

    def __init__(self, sock, data, continue_sent):  # noqa: super().__init__ would serve a socket at once
        self.connection = sock
        self.rfile = io.BytesIO(data)
        self.wfile = io.BytesIO()
        self.busy = False
        self.last_active = time.monotonic()
        self.continue_sent = continue_sent
        self.close_connection = True


class EventLoopServer:
    """FUNCTION_EXECUTION=event-loop: every connection on one selector loop, each handler called on the loop with no
    thread hand-off. For handlers that never block: one that does stalls every connection. Same HTTP surface,
    same contract; the serve_forever/shutdown/server_close interface of socketserver's servers."""

    def __init__(self, address, runtime):
        self.runtime = runtime
        self.request_class = type("MemoryRequest", (_MemoryRequest,), {"runtime": runtime})
        self.listener = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(address)
        self.listener.listen(128)
        self.listener.setblocking(False)
        self.server_address = self.listener.getsockname()
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.stopping = False
        self.connections = {}

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
        self.selector.close()

    def serve_forever(self, poll_interval=0.5):
        rt = self.runtime
        idle_s = rt.config.idle_ms / 1000.0
        idle_every = min(5.0, max(0.05, idle_s / 4))
        next_idle_check = time.monotonic() + idle_every
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)
        while not self.stopping:
            for key, events in self.selector.select(max(0.0, min(poll_interval, next_idle_check - time.monotonic()))):
                if key.fileobj is self.listener:
                    self._accept()
                elif key.fileobj is self.wake_r:
                    try:
                        self.wake_r.recv(64)
                    except OSError:
                        pass
                else:
                    conn = key.data
                    try:
                        if events & selectors.EVENT_WRITE:
                            self._send_pending(conn)
                        if events & selectors.EVENT_READ and conn.sock.fileno() >= 0:
                            self._receive(conn)
                    except Exception as e:
                        if not isinstance(e, (ConnectionError, TimeoutError)):
                            log({"level": "error", "msg": "connection failed", "exception": type(e).__name__,
                                 "trace": _trace()})
                        self._close(conn)
            now = time.monotonic()
            if now >= next_idle_check:
                next_idle_check = now + idle_every
                for conn in list(self.connections.values()):
                    if conn.linger_until is not None and now >= conn.linger_until \
                            or not conn.out and now - conn.last_active >= idle_s:
                        self._close(conn)
        self.selector.unregister(self.listener)

    def _accept(self):
        for _ in range(64):
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(sock)
            self.connections[sock.fileno()] = conn
            self.selector.register(sock, selectors.EVENT_READ, conn)

    def _receive(self, conn):
        try:
            data = conn.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        if not data:
            self._close(conn)
            return
        if conn.linger_until is not None:  # answered and closing: the rest of what the client sends is dropped
            conn.discarded += len(data)
            if conn.discarded > self.runtime.config.max_body_bytes + MAX_DRAIN_EXTRA_BYTES:
                self._close(conn)
            return
        conn.last_active = time.monotonic()
        conn.inbuf += data
        self._process(conn)

    def _process(self, conn):
        """Answers the complete requests in the connection's buffer, in order, until an answer cannot go out at once."""
        limit = self.runtime.config.max_body_bytes
        while conn.inbuf and not conn.closing and not conn.out:
            end = _request_end(conn.inbuf, limit)
            if end is None:
                if not conn.continue_sent and b"100-continue" in bytes(conn.inbuf[:MAX_LINE * 2]).lower():
                    self._write(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
                    conn.continue_sent = True
                return
            request = self.request_class(conn.sock, bytes(conn.inbuf[:end]), conn.continue_sent)
            del conn.inbuf[:end]
            conn.continue_sent = False
            request.handle_one_request()
            if request.close_connection:
                conn.closing = True
            self._write(conn, request.wfile.getvalue())
            conn.last_active = time.monotonic()  # idle counts from the answer: a slow handler is not idleness
        if conn.closing and not conn.out:
            self._finish(conn)

    def _write(self, conn, data):
        if not data:
            return
        if not conn.out:
            try:
                sent = conn.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
            self.selector.modify(conn.sock, selectors.EVENT_WRITE, conn)  # no more requests until this is out
        conn.out += data

    def _send_pending(self, conn):
        try:
            sent = conn.sock.send(conn.out)
        except (BlockingIOError, InterruptedError):
            return
        del conn.out[:sent]
        if not conn.out:
            if conn.closing:
                self._finish(conn)
                return
            self.selector.modify(conn.sock, selectors.EVENT_READ, conn)
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
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        try:
            conn.sock.close()
        except OSError:
            pass


def serve(config):
    """Binds, loads the function, serves until SIGTERM/SIGINT, drains in-flight requests; returns the exit code."""
    runtime = Runtime(config)
    if config.execution == "event-loop":
        server = EventLoopServer((config.host, config.port), runtime)
    else:
        server = Server((config.host, config.port), type("Handler", (RequestHandler,), {"runtime": runtime}))
    started = _process_start_time()
    exit_code = [0]

    def stop(signum, frame):
        if not runtime.draining:
            runtime.draining = True
            log({"level": "info", "msg": "draining", "function": config.function_id, "signal": signum,
                 "inFlight": runtime.active})
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def load():
        try:
            path = find_function_file(config.function_dir, config.function_file)
            runtime.handler, runtime.wants_attributes = load_handler(path, config.handler_name, config.function_dir)
        except BaseException as e:
            log({"level": "error", "msg": "cannot load the function", "function": config.function_id,
                 "exception": type(e).__name__, "message": str(e)[:1000], "trace": _trace()})
            exit_code[0] = 1
            runtime.draining = True
            threading.Thread(target=server.shutdown, daemon=True).start()
            return
        runtime.metrics.cold_start_seconds = time.time() - started
        runtime.ready = True
        log({"level": "info", "msg": "ready", "function": config.function_id, "runtime": "python",
             "file": os.path.basename(path), "port": server.server_address[1], "execution": config.execution,
             "coldStartMs": round(runtime.metrics.cold_start_seconds * 1000, 1)})

    threading.Thread(target=runtime.watchdog, name="klambda-watchdog", daemon=True).start()
    threading.Thread(target=_LOG.run, name="klambda-log", daemon=True).start()
    threading.Thread(target=load, name="klambda-load", daemon=True).start()
    server.serve_forever(poll_interval=0.5)  # the accept loop notices shutdown() within 0.5 s
    server.server_close()
    drained = runtime.wait_idle(config.drain_ms / 1000.0)
    log({"level": "info" if drained else "warn", "msg": "stopped", "function": config.function_id,
         "drained": drained, "inFlight": runtime.active}, now=True)
    return exit_code[0]


def fork_server(path):
    """Local mode's function starter (`--fork-server SOCKET`): an interpreter that has imported this runtime once
    and forks a child per function. A child skips exec, the interpreter's start and every import: on two cores
    ~10 ms instead of ~100 ms of CPU per function. Protocol, on a Unix socket: one JSON line
    {"env": {...}, "log": "/path"} in; one line {"pid": N} or {"error": "..."} out. The child gets exactly that
    environment, stdout and stderr appended to the log, its own session, and serves as `main()` would. This
    process stays single-threaded (fork is only safe then) and reaps its children."""
    global _PROCESS_T0, _FORKED
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)  # the socket is the owner's only: it starts processes with any environment
    try:
        server.bind(path)
    finally:
        os.umask(old_umask)
    server.listen(64)

    def reap(signum, frame):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                conn.settimeout(10)
                request = json.loads(conn.makefile("rb").readline(1 << 20))
                env, log_path = request["env"], request["log"]
                if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()) \
                        or not isinstance(log_path, str) or not log_path:
                    raise ValueError("env must map strings to strings and log must be a path")
                log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            except (ValueError, KeyError, TypeError, OSError) as e:
                try:
                    conn.sendall(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}).encode() + b"\n")
                except OSError:
                    pass
                continue
            pid = os.fork()
            if pid == 0:  # the function
                code = 70
                try:
                    server.close()
                    conn.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    os.setsid()
                    os.dup2(log_fd, 1)
                    os.dup2(log_fd, 2)
                    os.close(log_fd)
                    null = os.open(os.devnull, os.O_RDONLY)
                    os.dup2(null, 0)
                    os.close(null)
                    os.environ.clear()
                    os.environ.update(env)
                    try:  # `ps -o comm` / `top` show the function, not a second fork server (Linux only)
                        with open("/proc/self/comm", "w") as comm:
                            comm.write(("fn-" + env.get("FUNCTION_ID", "function"))[:15])
                    except OSError:
                        pass
                    _PROCESS_T0 = time.time()
                    _FORKED = True
                    code = main()
                except BaseException:  # noqa: B036 - whatever happens, the child must not return into the server loop
                    try:
                        os.write(2, _trace().encode("utf-8", "replace"))
                    except OSError:
                        pass
                finally:
                    os._exit(code if isinstance(code, int) else 1)
            os.close(log_fd)
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:
                pass


def main():
    try:
        config = Config(os.environ)
    except ConfigError as e:
        log({"level": "error", "msg": "invalid configuration", "message": str(e)}, now=True)
        return 2
    return serve(config)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fork-server":
        fork_server(sys.argv[2])
    else:
        sys.exit(main())
