"""What the runtime tells its operator: JSON log lines on stdout (batched) and Prometheus metrics. Never a payload."""
import bisect
import json
import os
import threading
import time

DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_process_t0 = time.time()
_forked = False  # started by local mode's fork server: the process start is the fork


def mark_forked():
    """Called in a process forked from an interpreter that had loaded the runtime: its start is now."""
    global _process_t0, _forked
    _process_t0 = time.time()
    _forked = True


def process_start_time():
    """The wall-clock time the process was exec'd (from /proc), or the time this module started (or was forked)."""
    if _forked:
        return _process_t0
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime"))
        return min(btime + start_ticks / os.sysconf("SC_CLK_TCK"), _process_t0)
    except Exception:
        return _process_t0


def trace():
    """The current exception's stack trace, for the log (never for a response)."""
    import traceback  # imported when first needed: a quicker cold start
    return traceback.format_exc()


_second_cache = [0, ""]
_milli_cache = [0, ""]


def now_rfc3339():
    """The time now, RFC 3339 UTC with milliseconds; the formatted second and millisecond are cached."""
    t = time.time()
    milli = int(t * 1000)
    if _milli_cache[0] == milli:
        return _milli_cache[1]
    second = int(t)
    cache = _second_cache
    if cache[0] != second:
        cache[1] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        cache[0] = second
    text = "%s.%03dZ" % (cache[1], int((t - second) * 1000))
    _milli_cache[0], _milli_cache[1] = milli, text
    return text


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
        with self.lock:
            return self.count(seconds, code)

    def count(self, seconds, code):
        """record() without the lock, for the one thread that records and renders (event-loop mode)."""
        self.invocations += 1
        self.buckets[bisect.bisect_left(DURATION_BUCKETS, seconds)] += 1
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
    throughput). The thread sleeps until a line is queued: an idle function does not wake up for nothing. At most
    `max_queued` lines wait: past that, the thread that adds one writes them itself, and waits while stdout is full
    (a log reader that stalls slows the function down; it neither loses lines nor fills the memory)."""

    def __init__(self, interval=0.05, fd=1, max_queued=16384):
        self.lines = []
        self.interval = interval
        self.fd = fd
        self.max_queued = max_queued
        self.lock = threading.Lock()
        self.queued = threading.Event()
        self.pending = False  # `queued` is set (a plain attribute: Event.is_set is a call)

    def add(self, line):
        self.lines.append(line)
        if len(self.lines) > self.max_queued:
            self.flush()
        elif not self.pending:
            self.pending = True
            self.queued.set()

    def run(self):
        while True:
            self.queued.wait()
            time.sleep(self.interval)  # gather the lines of the requests of the next moment into one write
            self.queued.clear()
            self.pending = False  # after clear(): a line added in between is in the flush below
            self.flush()

    def flush(self):
        with self.lock:
            lines, self.lines = self.lines, []
            if lines:
                data = "".join(lines).encode("utf-8", "replace")
                while data:
                    try:
                        written = os.write(self.fd, data)
                    except InterruptedError:
                        continue
                    except BlockingIOError:  # a non-blocking stdout that is full: wait for its reader
                        time.sleep(0.001)
                        continue
                    except OSError:  # stdout is gone
                        return
                    data = data[written:]


LOG = LogWriter()
_encode = json.JSONEncoder(separators=(",", ":")).encode
json_string = json.encoder.encode_basestring_ascii  # a str as a JSON string, as _encode writes it
_INVOCATION = ('{"level":"info","msg":"invocation","function":%s,"mode":"%s","eventId":%s,"eventType":%s,'
               '"status":%d,"durationMs":%s,"coldStart":%s%s,"ts":"%s"}\n')


def log_invocation(function_json, mode, event_id, event_type, status, seconds, cold, code):
    """Queues the line of one invocation: what log() writes for {level, msg, function, mode, eventId, eventType,
    status, durationMs (to the microsecond), coldStart, error (unless 200)}, formatted from a template (a third of
    the cost)."""
    LOG.add(invocation_line(function_json, mode, event_id, event_type, status, seconds, cold, code))


def invocation_line(function_json, mode, event_id, event_type, status, seconds, cold, code):
    """The line log_invocation queues; seconds=None leaves "%.3f" (the milliseconds) and "%s" (the time) in it."""
    return _INVOCATION % (
        function_json, mode,
        "null" if event_id is None else json_string(event_id) if type(event_id) is str else _encode(event_id),
        "null" if event_type is None else json_string(event_type) if type(event_type) is str else _encode(event_type),
        status, "%.3f" if seconds is None else "%.3f" % (seconds * 1000), "true" if cold else "false",
        "" if status == 200 else ',"error":' + json_string(code), "%s" if seconds is None else now_rfc3339())


def _result_encoder():
    """The C encoder of json.dumps(value, allow_nan=False) without cycle markers: made once, it keeps no state
    between calls (the markers would), so any thread may use it; a cycle makes it recurse to a RecursionError."""
    e = json.JSONEncoder(allow_nan=False, check_circular=False)
    if json.encoder.c_make_encoder is None:
        return lambda value, _: e.iterencode(value)
    return json.encoder.c_make_encoder(None, e.default, json_string, None, e.key_separator, e.item_separator,
                                       False, False, False)


_encode_fast = _result_encoder()
_encode_checked = json.JSONEncoder(allow_nan=False).encode


def encode_result(value):
    """json.dumps(value, allow_nan=False) as bytes (NaN and the infinities are an error, never the non-JSON NaN).
    A value the encoder made once cannot encode is encoded again by json's own encoder, with cycle markers, which
    raises what json.dumps raises (a cycle is a ValueError "Circular reference detected", not a RecursionError)."""
    if type(value) is str:
        return json_string(value).encode()
    try:
        return "".join(_encode_fast(value, 0)).encode()
    except Exception:  # noqa: BLE001 - encoded again below, which raises the error json.dumps would
        return _encode_checked(value).encode()


def log(record, now=False):
    """Queues one JSON log line for stdout (never a payload); now=True writes it at once."""
    record["ts"] = now_rfc3339()
    LOG.add(_encode(record) + "\n")
    if now:
        LOG.flush()
