"""CloudEvents over HTTP (binary and structured mode): attributes and data of a request, the response events."""
import json
import os
import re

from .errors import HttpError
from .telemetry import now_rfc3339

SUCCESS_TYPE = "io.knative.lambda.response.success"
ERROR_TYPE = "io.knative.lambda.response.error"
REQUIRED_ATTRIBUTES = ("id", "source", "specversion", "type")


_scan = json.JSONDecoder().scan_once


def parse_json(body):
    """The JSON document in `body`; HttpError 400 InvalidJson when it is not one. An object in UTF-8 goes straight
    to the C scanner (json.loads first guesses the encoding, and matches whitespace with regular expressions);
    anything else, or anything that fails, through json.loads, which says what is wrong."""
    if body[:1] == b"{" and body[-1:] == b"}" and body[1:2] != b"\x00":  # UTF-8 by json.detect_encoding's rules
        try:
            text = body.decode("utf-8", "surrogatepass")
            value, end = _scan(text, 0)
            if end == len(text):
                return value
        except Exception:  # noqa: S110 - json.loads below raises what is wrong
            pass
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise HttpError(400, "InvalidJson", "the body is not valid JSON: %s" % str(e)[:200])
    except RecursionError:  # arrays or objects nested past the recursion limit (app.RECURSION_LIMIT: ~1,050 deep)
        raise HttpError(400, "InvalidJson", "the body is not valid JSON: nested too deeply")


def json_kind(value):
    """What a JSON value is, for a message: 'an array', 'a string', ..."""
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def missing_attributes(attrs):
    """The required attributes `attrs` lacks (or has empty or not as a string), or None."""
    missing = [a for a in REQUIRED_ATTRIBUTES if not isinstance(attrs.get(a), str) or not attrs.get(a)]
    return missing or None


def validate_attributes(attrs):
    """HttpError 400 InvalidEvent unless `attrs` has every required attribute and specversion 1.0."""
    missing = missing_attributes(attrs)
    if missing:
        raise HttpError(400, "InvalidEvent", "the CloudEvent lacks the required attribute(s): " + ", ".join(missing))
    if attrs["specversion"] != "1.0":
        raise HttpError(400, "InvalidEvent", "unsupported CloudEvents specversion %r (want 1.0)" % attrs["specversion"][:20])


def parse_envelope(body):
    """A structured-mode body: (the event as a dict, its attributes: every member but data and data_base64)."""
    envelope = parse_json(body)
    if not isinstance(envelope, dict):
        raise HttpError(400, "InvalidEvent", "a structured CloudEvent must be a JSON object")
    return envelope, {k: v for k, v in envelope.items() if k not in ("data", "data_base64")}


def envelope_data(envelope):
    """A structured event's data: data_base64 decoded as JSON, a JSON string in data decoded, a missing data {}."""
    if "data_base64" in envelope:
        import base64
        try:
            return parse_json(base64.b64decode(envelope["data_base64"]))
        except (ValueError, TypeError):
            raise HttpError(400, "InvalidJson", "data_base64 is not base64-encoded JSON")
    data = envelope.get("data")
    if data is None:
        return {}
    if isinstance(data, str):
        return parse_json(data.encode())
    return data


_HEX = frozenset("0123456789abcdefABCDEF")


def unquote(value):
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


def uuid4():
    """A random (version 4) UUID string, without importing uuid (a quicker cold start)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


_TRACEPARENT = re.compile(r"[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}\Z")


def traceparent(attrs):
    """The request event's W3C trace context (distributed-tracing extension) when it is well formed, else None."""
    value = attrs.get("traceparent") if attrs else None
    return value if isinstance(value, str) and _TRACEPARENT.match(value) else None


def ce_headers(config, event_type, attrs=None):
    """The ce-* headers of a binary-mode response event of this function, in the request event's trace."""
    headers = (("ce-specversion", "1.0"), ("ce-id", uuid4()), ("ce-source", config.source),
               ("ce-type", event_type), ("ce-subject", config.function_id), ("ce-time", now_rfc3339()))
    trace = traceparent(attrs)
    return headers + (("ce-traceparent", trace),) if trace else headers


def structured(config, event_type, payload, attrs=None):
    """A structured-mode response event of this function whose data is `payload` (JSON bytes), in the request's trace."""
    trace = traceparent(attrs)
    return ('{"specversion":"1.0","id":"%s","source":%s,"type":"%s","subject":%s,"time":"%s",%s'
            '"datacontenttype":"application/json","data":%s}'
            % (uuid4(), json.dumps(config.source), event_type, json.dumps(config.function_id),
               now_rfc3339(), '"traceparent":"%s",' % trace if trace else "", payload.decode())).encode()


def error_body(code, message):
    """The JSON body of every error answer: {"error": code, "message": message}."""
    return json.dumps({"error": code, "message": message}).encode()


def not_json(value, pointer="", depth=0):
    """What in a handler's result JSON cannot carry, for the error message: ": NaN at /x", ": a set at /tags"
    (where as a JSON Pointer); "-serialisable" when it cannot be told. Only called once the encoder has failed."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            what = "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"
            return ": %s at %s" % (what, pointer) if pointer else ": " + what
        return None
    if value is None or isinstance(value, (str, int)):
        return None
    if depth > 200:
        return "-serialisable"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return ": %s %s%s" % ("an" if type(value).__name__[:1] in "aeiou" else "a", type(value).__name__,
                              " at " + pointer if pointer else "")
    for key, item in items:
        found = not_json(item, pointer + "/" + str(key).replace("~", "~0").replace("/", "~1"), depth + 1)
        if found:
            return found
    return None if depth else "-serialisable"
