"""eventloop: requests parsed straight from the loop's buffer are answered exactly as the general path answers them,
and a handler on the loop is timed out, and its result encoded, as in worker mode."""
import re
import time
import unittest
from unittest import mock

from klambda_runtime import eventloop, fastpath
from klambda_runtime.eventloop import EventLoopServer, _Connection
from tests.support import Answer, binary_headers, post, runtime

STRUCTURED = (b'{"specversion": "1.0", "id": "s-1", "source": "/t", "type": "t.x", "tenant": "a",'
              b' "data": {"n": 2}}')
# each a whole connection's bytes: ordinary requests, and every kind the general path must keep
REQUESTS = [
    post('{"n": 1}'),
    post('{"n": 1}') + post('{"n": 2}') + b"GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n",
    post('{"n": 1}', headers=binary_headers("b-1") + (("Ce-Tenant", "t%201"), ("CE-Traceparent",
                                                       "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))),
    post("", headers=binary_headers()),
    post(STRUCTURED, content_type="application/cloudevents+json"),
    post(STRUCTURED, headers=binary_headers(), content_type="Application/CloudEvents+json"),
    post('{"bad": "input"}'),
    post('{"bad": "input"}', headers=binary_headers()),
    post('{"fail": 1}'),
    post('{"fail": 1}', headers=binary_headers()),
    post('{"nan": 1}'),
    post('{"set": 1}', headers=binary_headers()),
    post('"a string"'),
    post('{"n": 1}', headers=(("ce-", "x"),)),
    post('{"n": 1}', headers=binary_headers() + (("ce-specversion", "0.3"),)),
    post('{"n": 1}', headers=(("ce-specversion", "0.3"), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t"))),
    post('{"n": 1}', headers=binary_headers(), content_type=None),
    post('{"n": 1}', headers=binary_headers(), content_type="text/plain"),
    post('{"n": '),
    post("[1]"),
    post('{"n": 1}', content_type="application/cloudevents-batch+json"),
    post('{"n": 1}', headers=(("ce-id", "a"), ("ce-id", "b"))),
    post('{"n": 1}', headers=binary_headers()[:3]),
    post('{"n": 1}', headers=(("Connection", "close"),)),
    post('{"n": 1}', headers=(("Expect", "100-continue"),)),
    post(b'\xef\xbb\xbf{"n": 1}'),
    post('{"n": 1} x'),
    post(" {} "),
    post('{"n": 1}'.encode("utf-16")),
    b"POST /?q=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /other HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}" + post("{}"),
    b"POST / HTTP/1.1\nContent-Length: 2\n\n{}",
    b"POST / HTTP/1.1\r\nX: a\n\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX: a\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nContent-Length : 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\n Content-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX: a\x01b\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-A: 1\r\nX-A: 1\r\nX-A:  2 \r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-Tab: a\tb\t\r\nX-Pad:   v   \r\nX-Empty:\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX-Latin: caf\xe9\r\nX-Nbsp: a\xa0b\r\nX\xe9: 1\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"Content-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(99)) + b"Content-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\nContent-Length: 2\r\n\r\n{}",
    b"POST / HTTP/1.2\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /  HTTP/1.1 extra\r\nContent-Length: 2\r\n\r\n{}",
    b"\r\nPOST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
    b"GET /health/ready HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
    b"DELETE / HTTP/1.1\r\n\r\n",
    b"BREW / HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: t\r\n\r\n",
]
_VARYING = re.compile(rb'(ce-id: |ce-time: |"id":"|"time":")[^"\r]+')


class _Socket:
    """A connection's socket that takes every byte at once."""

    def __init__(self):
        self.sent = []

    def send(self, data):
        self.sent.append(bytes(data))
        return len(data)

    def fileno(self):
        return 7

    def shutdown(self, how):
        pass


def handler(event, attributes):
    if event.get("bad"):
        raise ValueError("bad input")
    if event.get("fail"):
        raise KeyError("detail")
    if event.get("nan"):
        return {"x": [float("nan")]}
    if event.get("set"):
        return {"tags": {1}}
    return {"echo": event, "attributes": attributes}


def answers(raw, fast, pieces=1):
    """Every byte the event loop sends on one connection for `raw`, delivered in `pieces` reads."""
    server = EventLoopServer(("127.0.0.1", 0), runtime(handler, True, FUNCTION_EXECUTION="event-loop"))
    try:
        conn = _Connection(_Socket())
        step = -(-len(raw) // pieces)
        with mock.patch.object(eventloop, "parsed_request", eventloop.parsed_request if fast else lambda *a: None), \
                mock.patch.object(eventloop, "post", eventloop.post if fast != "parsed only" else lambda *a: None):
            for at in range(0, len(raw), step):
                conn.inbuf += raw[at:at + step]
                server._process(conn)
                server._send_answers()
        return _VARYING.sub(rb"\1~", b"".join(conn.sock.sent))
    finally:
        server.server_close()


class FastPathTest(unittest.TestCase):

    def test_every_request_is_answered_as_the_general_path_answers_it(self):
        for raw in REQUESTS:
            for pieces in (1, 3):
                with self.subTest(raw=raw[:80], pieces=pieces):
                    general = answers(raw, fast=False, pieces=pieces)
                    self.assertEqual(answers(raw, fast=True, pieces=pieces), general)
                    self.assertEqual(answers(raw, fast="parsed only", pieces=pieces), general)

    def test_ordinary_requests_take_the_fast_path(self):
        with mock.patch.object(eventloop, "memory_request") as handler_made, \
                mock.patch.object(eventloop._MemoryRequest, "__init__") as parser_made:
            sent = answers(post('{"n": 1}') + post('{"n": 2}', headers=binary_headers()), fast=True)
        self.assertEqual(sent.count(b"HTTP/1.1 200 OK\r\n"), 2, sent)
        self.assertEqual((handler_made.call_count, parser_made.call_count), (0, 0), "fastpath.post answered both")


    def test_header_lines_remembered_are_bounded_however_many_a_client_sends(self):
        for n in range(3 * fastpath._FIELDS_MAX):
            fastpath.parsed_request(bytearray(b"POST / HTTP/1.1\r\nX-Id: %d\r\nX-Big: %s\r\nContent-Length: 2\r\n"
                                              b"\r\n{}" % (n, b"v" * fastpath._FIELD_MAX_CHARS)), 1024)
            self.assertLessEqual(len(fastpath._FIELDS), fastpath._FIELDS_MAX)
        self.assertFalse(any(len(line) > fastpath._FIELD_MAX_CHARS for line in fastpath._FIELDS))


class OnTheLoopTest(unittest.TestCase):

    def test_a_handler_past_its_deadline_is_answered_504_and_the_connection_closes(self):
        rt = runtime(lambda event: time.sleep(0.08) or {"late": True}, FUNCTION_EXECUTION="event-loop",
                     FUNCTION_TIMEOUT_MS="50")
        self.assertIsNone(rt.slots)
        server = EventLoopServer(("127.0.0.1", 0), rt)
        try:
            conn = _Connection(_Socket())
            conn.inbuf += post("{}") + post("{}")
            server._process(conn)
            server._send_answers()
        finally:
            server.server_close()
        a = Answer(b"".join(conn.sock.sent))
        self.assertEqual((a.status, a.json["error"], a.headers["connection"]), (504, "Timeout", "close"))
        self.assertEqual(b"".join(conn.sock.sent).count(b"HTTP/1.1"), 1, "nothing answered after the 504")

    def test_a_result_that_failed_to_encode_leaves_the_next_one_intact(self):
        state = {"a": {"x": 1}}  # the same object twice: an encoder that kept its markers would call it circular

        def handler(event):
            state["b"] = float("nan") if "b" not in state else 2
            return state
        rt = runtime(handler, FUNCTION_EXECUTION="event-loop")
        server = EventLoopServer(("127.0.0.1", 0), rt)
        try:
            sent = []
            for _ in range(2):
                conn = _Connection(_Socket())
                conn.inbuf += post("{}")
                server._process(conn)
                server._send_answers()
                sent.append(Answer(b"".join(conn.sock.sent)))
        finally:
            server.server_close()
        self.assertEqual((sent[0].status, sent[0].json["message"]),
                         (500, "the function returned a value that is not JSON: NaN at /b"))
        self.assertEqual((sent[1].status, sent[1].json), (200, {"a": {"x": 1}, "b": 2}))


if __name__ == "__main__":
    unittest.main()
