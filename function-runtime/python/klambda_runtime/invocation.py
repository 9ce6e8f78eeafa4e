"""Invoking the function: the runtime's shared state (concurrency slots, deadlines, the watchdog) and the endpoints.

`Endpoints` is a mixin for a request handler that also has framing.Http11: POST / invokes the function (in the
request's CloudEvents mode), GET serves health and metrics, any other method on / is 405.
"""
import threading
import time

from .cloudevents import (ERROR_TYPE, SUCCESS_TYPE, ce_headers, envelope_data, error_body, json_kind,
                          missing_attributes, not_json, parse_envelope, parse_json, structured, unquote,
                          validate_attributes)
from .errors import HttpError
from .framing import DUPLICATE_CE
from .telemetry import Metrics, encode_result, json_string, invocation_line, log, log_invocation, trace



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
        # event-loop mode: one invocation at a time on the loop, its deadline checked when it returns (no slots, no
        # watchdog); worker mode: slots for FUNCTION_CONCURRENCY, and the watchdog answers 504 while a handler runs
        self.on_loop = config.execution == "event-loop"
        self.slots = None if self.on_loop else threading.BoundedSemaphore(config.concurrency)
        self.active = 0
        self.running = {}  # key -> (deadline, request handler): invocations the watchdog may time out
        self.connections = {}  # key -> request handler: open connections, for the idle check
        self.invoked = threading.Event()  # wakes the watchdog when an invocation starts while it sleeps
        self.watchdog_idle = False
        self.timeout_s = config.timeout_ms / 1000.0
        self.function_json = json_string(config.function_id)
        # the log line of a plain invocation answered 200 that is not the cold one, its duration and time to fill in
        self.plain_ok_line = invocation_line(self.function_json.replace("%", "%%"), "plain", None, None, 200, None,
                                             False, None)

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


def call_handler(rt, data, attrs):
    """Calls the function: (its result, None), or (None, the HttpError its exception is answered with)."""
    try:
        if rt.wants_attributes:
            return rt.handler(data, dict(attrs) if attrs is not None else {}), None
        return rt.handler(data), None
    except ValueError as e:
        return None, HttpError(400, "InvalidInput", str(e) or "invalid input")
    except BaseException as e:  # noqa: B036 - a function's SystemExit is its failure, not ours
        log({"level": "error", "msg": "function raised", "function": rt.config.function_id,
             "eventId": (attrs or {}).get("id"), "exception": type(e).__name__, "trace": trace()})
        return None, HttpError(500, "FunctionError", "the function raised %s" % type(e).__name__)


def record_invocation(rt, seconds, status, code, mode, attrs):
    """Counts one invocation in the metrics and queues its log line."""
    cold = (rt.metrics.count if rt.on_loop else rt.metrics.record)(seconds, code if status != 200 else None)
    record_line(rt, seconds, status, code, mode, attrs, cold)


def record_line(rt, seconds, status, code, mode, attrs, cold):
    """Queues the log line of one invocation."""
    if attrs is None:
        log_invocation(rt.function_json, mode, None, None, status, seconds, cold, code)
    else:
        log_invocation(rt.function_json, mode, attrs.get("id"), attrs.get("type"), status, seconds, cold, code)


class Endpoints:
    """POST / invokes the function; GET serves health and metrics; other methods on / are 405."""

    runtime = None  # set by app.serve() on the concrete handler class

    # ---- GET ----

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        rt = self.runtime
        if self.hdrs.get("content-length", "0") != "0" or "transfer-encoding" in self.hdrs:
            self.close_connection = True  # a body nobody reads: its bytes must not be taken for the next request
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

    def not_allowed(self):
        self._json(405, {"error": "MethodNotAllowed", "message": "invoke the function with POST /"}, close=True)

    do_PUT = do_DELETE = do_PATCH = not_allowed

    # ---- POST / ----

    def do_POST(self):
        rt = self.runtime
        path = self.path.split("?", 1)[0]
        if path != "/":
            self._json(404, {"error": "NotFound", "message": "no such path: " + path[:200]}, close=True)
            return
        t0 = time.monotonic()
        on_loop = rt.on_loop
        if on_loop:  # only the loop's thread counts and records: no lock
            rt.active += 1
        else:
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
                 "exception": type(e).__name__, "trace": trace()})
            status, code = 500, "RuntimeError"
            self._answer_error(HttpError(500, "RuntimeError", "the runtime failed; see its log"))
        finally:
            if on_loop:
                rt.active -= 1
            else:
                rt.end()
            self.busy = False
        record_invocation(rt, (self._answered_at or time.monotonic()) - t0, status, code, self._mode, self._attrs)

    def _invoke(self, rt, t0):
        if not rt.ready:
            raise HttpError(503, "NotReady", "the function is still loading", close=True)
        headers = self.hdrs
        body = self.body  # the event loop frames a request itself, and has its body then
        if body is None:
            body = self._read_body(headers, rt.config.max_body_bytes)
        self.busy = True  # from here on the idle check leaves the connection alone (not while a body trickles in)
        content_type = headers.get("content-type", "").lower()
        if content_type[:23] == "application/cloudevents":
            if content_type.startswith("application/cloudevents-batch"):
                raise HttpError(400, "InvalidEvent", "batched CloudEvents are not supported")
            self._mode = "structured"
            envelope, attrs = parse_envelope(body)
            self._attrs = attrs
            validate_attributes(attrs)
            data = envelope_data(envelope)
        else:
            ce = {}
            for name, value in headers.items():
                if name[:3] == "ce-":
                    ce[name[3:]] = unquote(value) if "%" in value else value
            if ce:
                self._mode = "binary"
                if DUPLICATE_CE in headers:
                    raise HttpError(400, "InvalidEvent", "the header %s appears more than once" % headers[DUPLICATE_CE])
                self._attrs = ce
                if content_type:
                    ce["datacontenttype"] = headers["content-type"]
                validate_attributes(ce)
                data = parse_json(body) if body.strip() else {}
                attrs = ce
            else:
                data = parse_json(body)
                attrs = None
        if not isinstance(data, dict):
            raise HttpError(400, "InvalidEvent", "the event data must be a JSON object, got %s" % json_kind(data))

        deadline = t0 + rt.timeout_s
        slots = rt.slots
        if slots is not None:  # bounded concurrency: wait for a slot until the deadline, else 503
            if not slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise HttpError(503, "Overloaded", "all %d invocation slots stayed busy for %d ms"
                                % (rt.config.concurrency, rt.config.timeout_ms))
            key = id(self)
            rt.running[key] = (deadline, self)
            if rt.watchdog_idle:
                rt.invoked.set()
        try:
            result, error = call_handler(rt, data, attrs)
        finally:
            if slots is not None:
                slots.release()
        if slots is None:
            if time.monotonic() >= deadline:  # on the loop: the 504 goes out now that the handler has returned
                self.answer_timeout()
                return 504, "Timeout"
        elif rt.running.pop(key, None) is None:  # the watchdog answered 504 already
            self._answered = True
            return 504, "Timeout"
        if error is not None:
            raise error
        try:
            payload = encode_result(result)
        except (TypeError, ValueError, RecursionError) as e:
            log({"level": "error", "msg": "result not JSON", "function": rt.config.function_id, "exception": str(e)})
            raise HttpError(500, "FunctionError", "the function returned a value that is not JSON%s"
                            % (": nested too deeply" if isinstance(e, RecursionError) else not_json(result)))
        self._answer_success(payload)
        return 200, None

    # ---- answers in the request's mode ----

    def _answer_success(self, payload):
        if self._mode == "binary":
            self._send(200, payload, extra_headers=ce_headers(self.runtime.config, SUCCESS_TYPE, self._attrs))
        elif self._mode == "structured":
            self._send(200, structured(self.runtime.config, SUCCESS_TYPE, payload, self._attrs),
                       content_type="application/cloudevents+json")
        else:
            self._send(200, payload)
        self._answered = True

    def _answer_error(self, error):
        """A valid CloudEvent gets an error CloudEvent in its mode; anything else plain JSON {error, message}."""
        if self._answered:
            return
        self._answered = True
        payload = error_body(error.code, error.message)
        valid_event = self._attrs is not None and missing_attributes(self._attrs) is None
        try:
            if valid_event and self._mode == "binary":
                self._send(error.status, payload, extra_headers=ce_headers(self.runtime.config, ERROR_TYPE, self._attrs),
                           close=error.close)
            elif valid_event and self._mode == "structured":
                self._send(error.status, structured(self.runtime.config, ERROR_TYPE, payload, self._attrs),
                           content_type="application/cloudevents+json", close=error.close)
            else:
                self._send(error.status, payload, close=error.close)
        except OSError:
            self.close_connection = True

    def answer_timeout(self):
        """Answers 504 and closes the connection: from the watchdog thread while the handler still runs (worker), or on
        the event loop once a handler past its deadline has returned."""
        self.close_connection = True
        self._answered_at = time.monotonic()
        self._answer_error(HttpError(504, "Timeout", "the function ran longer than %d ms (FUNCTION_TIMEOUT_MS)"
                                     % self.runtime.config.timeout_ms, close=True))
