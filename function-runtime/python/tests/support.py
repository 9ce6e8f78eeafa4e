"""Helpers of the unit tests: a runtime with a handler of the test's choosing, requests answered from memory."""
import json

from klambda_runtime.config import Config
from klambda_runtime.eventloop import _MemoryRequest
from klambda_runtime.framing import Http11
from klambda_runtime.invocation import Runtime


def runtime(handler=None, wants_attributes=False, **env):
    """A loaded runtime (no server, no threads) whose function is `handler`."""
    rt = Runtime(Config(dict({"FUNCTION_ID": "fn-1"}, **env)))
    rt.handler = handler or (lambda event: {"echo": event})
    rt.wants_attributes = wants_attributes
    rt.ready = True
    return rt


class Answer:
    """An HTTP answer parsed from bytes: status, headers (lower-case names), body; `json` decodes the body."""

    def __init__(self, raw):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    @property
    def json(self):
        return json.loads(self.body)


def exchange(rt, raw, continue_sent=False):
    """Hands one request (bytes) to the runtime's request handler and returns (handler, every answer written)."""
    # the threaded handler's framing, from memory: it answers Expect: 100-continue itself (the loop's requests do not)
    request = type("Request", (_MemoryRequest,), {"runtime": rt, "_awaits_continue": Http11._awaits_continue})(
        None, raw, continue_sent)
    request.handle_one_request()
    return request, request.wfile.getvalue()


def answer(rt, raw):
    """The runtime's answer to one request given as bytes."""
    return Answer(exchange(rt, raw)[1])


def post(body, headers=(), content_type="application/json"):
    """A POST / with a Content-Length body."""
    if isinstance(body, str):
        body = body.encode()
    head = "POST / HTTP/1.1\r\nHost: t\r\n"
    if content_type:
        head += "Content-Type: %s\r\n" % content_type
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    return (head + "Content-Length: %d\r\n\r\n" % len(body)).encode("latin-1") + body


def binary_headers(event_id="e-1"):
    return (("ce-specversion", "1.0"), ("ce-id", event_id), ("ce-source", "/tests"), ("ce-type", "t.invoke"))
