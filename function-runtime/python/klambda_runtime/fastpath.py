"""The event loop's fast path. parsed_request parses an ordinary request straight from the connection's buffer (no
BytesIO, no readline); post answers the usual invocation, POST / with plain JSON or a binary-mode CloudEvent that
reaches the handler, doing what Endpoints.do_POST does for it in one function: no request object, no method chain.
Anything else returns None before anything has happened, and the general path answers it (request_end,
handle_one_request, Endpoints). Once the handler has run, its errors are answered by the request handler's own
code (_error_answer). tests/test_eventloop.py checks that both paths answer every request byte for byte alike."""
from time import monotonic

from .cloudevents import SUCCESS_TYPE, ce_headers, missing_attributes, not_json, parse_json, unquote
from .errors import HttpError
from .framing import DUPLICATE_CE, MAX_HEADERS, MAX_LINE, OK_JSON_HEAD, AnswerBuffer, add_field, http_answer
from .invocation import call_handler, record_invocation, record_line
from .telemetry import LOG, encode_result, log, now_rfc3339, trace


TIMEOUT = object()  # the handler ran past its deadline: answered 504
_POST_ROOT = ("POST", "/", "HTTP/1.1")
# Header lines seen before -> (name lowered, value), as add_field reads them: most lines a client sends come again
# and again (Host, Content-Type, User-Agent, ...). The event loop's thread only; at most _FIELDS_MAX lines of at
# most _FIELD_MAX_CHARS each (~128 KiB), emptied when full: lines that never repeat (ids, trace headers) cost one
# dict insert each, and cannot keep the common ones out for long.
_FIELDS = {}
_FIELDS_MAX = 512
_FIELD_MAX_CHARS = 256


def post(rt, request_class, headers, body):
    """(answer bytes, close the connection after it) for POST / with plain JSON or a valid binary CloudEvent whose
    data is a JSON object, on a ready runtime; None for anything else, before anything is done."""
    t0 = monotonic()
    if not rt.ready or rt.draining or "expect" in headers:
        return None
    connection = headers.get("connection")
    close = connection is not None and "close" in connection.lower()
    content_type = headers.get("content-type", "")
    if content_type[:23].lower() == "application/cloudevents":  # structured mode (or a batch)
        return None
    attrs = None
    try:
        for name in headers:
            if name[:3] == "ce-":
                attrs = _binary_attributes(headers, content_type)
                if attrs is None:
                    return None
                break
        if attrs is None:
            data = parse_json(body)
        else:
            data = parse_json(body) if body.strip() else {}
    except Exception:  # noqa: S112 - bad JSON and the like: the general path answers it
        return None
    if not isinstance(data, dict):
        return None
    rt.active += 1
    try:
        result, error = call_handler(rt, data, attrs)
        if error is None:
            try:
                payload = encode_result(result)
            except (TypeError, ValueError, RecursionError) as e:
                log({"level": "error", "msg": "result not JSON", "function": rt.config.function_id,
                     "exception": str(e)})
                error = HttpError(500, "FunctionError", "the function returned a value that is not JSON%s"
                                  % (": nested too deeply" if isinstance(e, RecursionError) else not_json(result)))
        t1 = monotonic()
        if t1 - t0 >= rt.timeout_s:  # the 504 goes out now that the handler has returned
            error = TIMEOUT
        if error is None:
            if attrs is None and not close and not rt.draining:
                answer = None  # the usual one: below
            else:
                close = close or rt.draining
                answer = http_answer(200, payload, extra_headers=() if attrs is None else
                                     ce_headers(rt.config, SUCCESS_TYPE, attrs), close=close)
            status = code = answered_at = None
        else:
            answer, close, status, code, answered_at = _error_answer(request_class, headers, attrs, close, error)
    except Exception as e:  # a bug of the runtime itself: still an answer, never a trace
        log({"level": "error", "msg": "runtime failure", "function": rt.config.function_id,
             "exception": type(e).__name__, "trace": trace()})
        error = HttpError(500, "RuntimeError", "the runtime failed; see its log")
        answer, close, status, code, answered_at = _error_answer(request_class, headers, attrs, close, error)
    finally:
        rt.active -= 1
    if answer is None:  # plain JSON answered 200 on a connection that stays open: its head and log line made ahead
        if rt.metrics.count(t1 - t0, None):
            record_line(rt, t1 - t0, 200, None, "plain", None, True)
        else:
            LOG.add(rt.plain_ok_line % ((t1 - t0) * 1000, now_rfc3339()))
        return OK_JSON_HEAD % len(payload) + payload, False
    record_invocation(rt, (answered_at or monotonic()) - t0, status or 200, code,
                      "plain" if attrs is None else "binary", attrs)
    return answer, close


def _binary_attributes(headers, content_type):
    """The attributes of a valid binary-mode CloudEvent in `headers` (percent-decoded, datacontenttype from
    Content-Type); None when they are not valid or complete, which the general path answers."""
    attrs = {}
    for name, value in headers.items():
        if name[:3] == "ce-":
            attrs[name[3:]] = unquote(value) if "%" in value else value
    if DUPLICATE_CE in headers or missing_attributes(attrs) is not None or attrs["specversion"] != "1.0":
        return None
    if content_type:
        attrs["datacontenttype"] = content_type
    return attrs


def _error_answer(request_class, headers, attrs, close, error):
    """The answer to an invocation that failed after its handler ran, written by the request handler's own code:
    (answer, close, status, code, when the 504 was answered)."""
    request = request_class.__new__(request_class)
    request.wfile = AnswerBuffer()
    request.close_connection = close
    request.hdrs = headers
    request._mode = "plain" if attrs is None else "binary"
    request._attrs, request._answered, request._answered_at = attrs, False, None
    if error is TIMEOUT:
        request.answer_timeout()
        status, code = 504, "Timeout"
    else:
        request._answer_error(error)
        status, code = error.status, error.code
    return b"".join(request.wfile), request.close_connection, status, code, request._answered_at


def parsed_request(buf, limit):
    """The first request in `buf` when it is an ordinary one, parsed straight from the buffer: (the request line's
    three parts, headers, body (a bytearray), where it ends); None for anything else (an incomplete request, an
    unusual head, a malformed or chunked or oversized request), which the general path (request_end,
    handle_one_request) frames and answers. Ordinary: a head that is CRLF-terminated throughout and within
    MAX_LINE, HTTP/1.1, headers that add_field accepts, no Transfer-Encoding, a Content-Length within the limit (or
    none)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0 or head_end > MAX_LINE:
        return None
    # a bare LF inside the head stays in its line: such a head is not an ordinary one, and the general path, which
    # splits as readline() splits, decides
    lines = buf[:head_end].decode("latin-1").split("\r\n")
    parts = _POST_ROOT if lines[0] == "POST / HTTP/1.1" else lines[0].split()
    if len(parts) != 3 or parts[2] != "HTTP/1.1" or len(lines) > MAX_HEADERS + 1:
        return None
    headers = {}
    fields = _FIELDS
    for line in lines[1:]:
        field = fields.get(line)
        if field is None:
            name, sep, value = line.partition(":")
            # what add_field does with a line that is printable throughout (no tab, no control character), done in
            # place; any other line goes through add_field itself
            if not (sep and name and name[0] != " " and name[-1] != " " and line.isprintable()):
                if "\n" in line or add_field(headers, line) is not None:
                    return None
                continue
            field = (name.lower(), value.strip(" "))
            if len(line) <= _FIELD_MAX_CHARS:
                if len(fields) >= _FIELDS_MAX:
                    fields.clear()
                fields[line] = field
        if field[0] in headers:  # a name sent twice: add_field joins the values (and marks a ce-* one)
            add_field(headers, line)
        else:
            headers[field[0]] = field[1]
    if "transfer-encoding" in headers:
        return None
    start = head_end + 4
    raw = headers.get("content-length")
    if raw is None:
        end = start
    else:  # content_length's rules: digits only; 19 digits or more are past any limit
        if not raw.isdecimal() or len(raw) > 18:
            return None
        length = int(raw)
        if length > limit:
            return None
        end = start + length
        if len(buf) < end:
            return None
    return parts, headers, buf[start:end], end


def memory_request(cls, sock, parts, headers, body, continue_sent):
    """A request handler for a request that parsed_request parsed."""
    request = cls.__new__(cls)
    request.connection = sock
    request.wfile = AnswerBuffer()
    request.busy = False
    request.continue_sent = continue_sent
    request.close_connection = True
    request.command, request.path, request.request_version = parts
    request.body = bytes(body)
    request.hdrs = headers
    return request
