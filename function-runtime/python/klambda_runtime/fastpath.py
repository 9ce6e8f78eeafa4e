"""The event loop's fast path. parsed_request parses an ordinary request straight from the connection's buffer (no
BytesIO, no readline); post answers the usual invocation, POST / with plain JSON or a binary-mode CloudEvent that
reaches the handler, doing what Endpoints.do_POST does for it in one function: no request object, no method chain.
Anything else returns None before anything has happened, and the general path answers it (request_end,
handle_one_request, Endpoints). Once the handler has run, its errors are answered by the request handler's own
code (_error_answer). tests/test_eventloop.py checks that both paths answer every request byte for byte alike."""
import time

from .cloudevents import SUCCESS_TYPE, ce_headers, missing_attributes, not_json, parse_json, unquote
from .errors import HttpError
from .framing import DUPLICATE_CE, MAX_HEADERS, MAX_LINE, AnswerBuffer, add_field, content_length, http_answer
from .invocation import call_handler, record_invocation
from .telemetry import log, trace


TIMEOUT = object()  # the handler ran past its deadline: answered 504


def post(rt, request_class, headers, body):
    """(answer bytes, close the connection after it) for POST / with plain JSON or a valid binary CloudEvent whose
    data is a JSON object, on a ready runtime; None for anything else, before anything is done."""
    t0 = time.monotonic()
    if not rt.ready or rt.draining or "expect" in headers:
        return None
    close = "connection" in headers and "close" in headers["connection"].lower()
    content_type = headers.get("content-type", "").lower()
    if content_type[:23] == "application/cloudevents":
        return None
    attrs = None
    try:
        for name, value in headers.items():
            if name[:3] == "ce-":
                if attrs is None:
                    attrs = {}
                attrs[name[3:]] = unquote(value) if "%" in value else value
        if attrs is None:
            data = parse_json(body)
        else:
            if DUPLICATE_CE in headers or missing_attributes(attrs) is not None or attrs["specversion"] != "1.0":
                return None
            if content_type:
                attrs["datacontenttype"] = headers["content-type"]
            data = parse_json(body) if body.strip() else {}
    except Exception:  # noqa: S112 - bad JSON and the like: the general path answers it
        return None
    if not isinstance(data, dict):
        return None
    mode = "plain" if attrs is None else "binary"
    deadline = t0 + rt.timeout_s
    rt.active += 1
    try:
        result, error = call_handler(rt, data, attrs)
        if time.monotonic() >= deadline:  # the 504 goes out now that the handler has returned
            error = TIMEOUT
        elif error is None:
            try:
                payload = rt.encode_result(result)
            except (TypeError, ValueError, RecursionError) as e:
                log({"level": "error", "msg": "result not JSON", "function": rt.config.function_id,
                     "exception": str(e)})
                error = HttpError(500, "FunctionError", "the function returned a value that is not JSON%s"
                                  % (": nested too deeply" if isinstance(e, RecursionError) else not_json(result)))
        if error is None:
            close = close or rt.draining
            answer = http_answer(200, payload, extra_headers=() if attrs is None else
                                 ce_headers(rt.config, SUCCESS_TYPE, attrs), close=close)
            status = code = None
        else:
            answer, close, status, code, answered_at = _error_answer(request_class, headers, mode, attrs, close, error)
    except Exception as e:  # a bug of the runtime itself: still an answer, never a trace
        log({"level": "error", "msg": "runtime failure", "function": rt.config.function_id,
             "exception": type(e).__name__, "trace": trace()})
        error = HttpError(500, "RuntimeError", "the runtime failed; see its log")
        answer, close, status, code, answered_at = _error_answer(request_class, headers, mode, attrs, close, error)
    finally:
        rt.active -= 1
    if status is None:
        record_invocation(rt, time.monotonic() - t0, 200, None, mode, attrs)
    else:
        record_invocation(rt, (answered_at or time.monotonic()) - t0, status, code, mode, attrs)
    return answer, close


def _error_answer(request_class, headers, mode, attrs, close, error):
    """The answer to an invocation that failed after its handler ran, written by the request handler's own code:
    (answer, close, status, code, when the 504 was answered)."""
    request = request_class.__new__(request_class)
    request.wfile = AnswerBuffer()
    request.close_connection = close
    request.hdrs = headers
    request._mode, request._attrs, request._answered, request._answered_at = mode, attrs, False, None
    if error is TIMEOUT:
        request.answer_timeout()
        status, code = 504, "Timeout"
    else:
        request._answer_error(error)
        status, code = error.status, error.code
    return b"".join(request.wfile), request.close_connection, status, code, request._answered_at


def parsed_request(buf, limit):
    """The first request in `buf` when it is an ordinary one, parsed straight from the buffer: (the request line's
    three parts, headers, body, where it ends); None for anything else (an incomplete request, an unusual head, a
    malformed or chunked or oversized request), which the general path (request_end, handle_one_request) frames
    and answers. Ordinary: a head that is CRLF-terminated throughout and within MAX_LINE, HTTP/1.1, headers that
    add_field accepts, no Transfer-Encoding, a Content-Length within the limit (or none)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0 or head_end > MAX_LINE:
        return None
    # split as readline() splits it; an empty line before head_end ("" or "\r", where readline would end the head)
    # has no colon, so add_field refuses it and the general path decides
    lines = buf[:head_end].decode("latin-1").split("\n")
    parts = lines[0].split()
    if len(parts) != 3 or parts[2] != "HTTP/1.1" or len(lines) > MAX_HEADERS + 1:
        return None
    headers = {}
    for line in lines[1:]:
        if add_field(headers, line) is not None:
            return None
    if "transfer-encoding" in headers:
        return None
    start = head_end + 4
    raw = headers.get("content-length")
    if raw is None:
        end = start
    else:
        length = content_length(raw)
        if length is None or length > limit:
            return None
        end = start + length
        if len(buf) < end:
            return None
    return parts, headers, bytes(buf[start:end]), end


def memory_request(cls, sock, parts, headers, body, continue_sent):
    """A request handler for a request that parsed_request parsed."""
    request = cls.__new__(cls)
    request.connection = sock
    request.wfile = AnswerBuffer()
    request.busy = False
    request.continue_sent = continue_sent
    request.close_connection = True
    request.command, request.path, request.request_version = parts
    request.body = body
    request.hdrs = headers
    return request
