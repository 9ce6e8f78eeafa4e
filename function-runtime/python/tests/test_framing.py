"""framing: HTTP/1.1 request heads, bodies (Content-Length, chunked) and where a request ends in a buffer."""
import unittest

from klambda_runtime.framing import MAX_LINE, request_end
from tests.support import answer, exchange, post, runtime

LIMIT = 1000


class RequestEndTest(unittest.TestCase):
    """framing.request_end: how the event loop frames requests in its buffer."""

    def test_a_request_ends_after_its_content_length(self):
        req = post('{"a": 1}')
        self.assertEqual(request_end(bytearray(req), LIMIT), len(req))
        self.assertEqual(request_end(bytearray(req + b"GET /next"), LIMIT), len(req), "a pipelined request stays")
        self.assertIsNone(request_end(bytearray(req[:-1]), LIMIT), "incomplete body")
        self.assertIsNone(request_end(bytearray(b"POST / HTTP/1.1\r\nContent-Le"), LIMIT), "incomplete head")

    def test_a_request_without_a_body_ends_after_its_head(self):
        req = b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"
        self.assertEqual(request_end(bytearray(req + req), LIMIT), len(req))

    def test_a_chunked_request_ends_after_the_last_chunk_and_trailers(self):
        head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        body = b"4\r\n{\"a\"\r\n4;ext=1\r\n: 1}\r\n0\r\nTrailer: x\r\n\r\n"
        self.assertEqual(request_end(bytearray(head + body + b"NEXT"), LIMIT), len(head + body))
        self.assertIsNone(request_end(bytearray(head + body[:-2]), LIMIT))

    def test_a_request_that_cannot_be_framed_ends_where_the_bytes_end(self):
        # the parser then answers it 4xx and the connection closes
        bad_chunk = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n"
        self.assertEqual(request_end(bytearray(bad_chunk), LIMIT), len(bad_chunk))
        big = b"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n"
        self.assertEqual(request_end(bytearray(big), LIMIT), len(big))
        no_end = bytearray(b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE * 2))
        self.assertEqual(request_end(no_end, LIMIT), len(no_end))


class ParsingTest(unittest.TestCase):
    """framing.Http11: the head and the body as the endpoints see them, and protocol errors as JSON."""

    def setUp(self):
        self.seen = []
        self.rt = runtime(handler=lambda event: self.seen.append(event) or {"ok": True})

    def test_header_names_are_case_insensitive_and_repeated_headers_are_joined(self):
        request, _ = exchange(self.rt, post("{}", headers=(("X-Tag", "a"), ("x-tag", "b"))))
        self.assertEqual(request.hdrs["x-tag"], "a, b")
        self.assertEqual(request.hdrs["content-type"], "application/json")

    def test_a_chunked_body_is_read_whole(self):
        raw = b"POST / HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" \
              b"7\r\n{\"n\": 4\r\n1\r\n}\r\n0\r\n\r\n"
        self.assertEqual(answer(self.rt, raw).status, 200)
        self.assertEqual(self.seen, [{"n": 4}])

    def test_keep_alive_follows_the_version_and_the_connection_header(self):
        self.assertFalse(exchange(self.rt, post("{}"))[0].close_connection)
        self.assertTrue(exchange(self.rt, post("{}", headers=(("Connection", "close"),)))[0].close_connection)
        http10 = b"GET /health/live HTTP/1.0\r\n\r\n"
        self.assertTrue(exchange(self.rt, http10)[0].close_connection)

    def test_expect_100_continue_gets_an_interim_answer_first(self):
        _, out = exchange(self.rt, post("{}", headers=(("Expect", "100-continue"),)))
        self.assertTrue(out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))

    def test_a_malformed_request_line_is_400_bad_request_as_json_and_closes(self):
        for line in (b"HELLO\r\n\r\n", b"GET /\r\n\r\n", b"GET / SPDY/3\r\n\r\n"):
            request, out = exchange(self.rt, line)
            a = answer(self.rt, line)
            self.assertEqual((a.status, a.json["error"]), (400, "BadRequest"), line)
            self.assertEqual(a.headers["connection"], "close")
            self.assertTrue(request.close_connection)

    def test_a_header_line_without_a_colon_or_starting_with_a_space_is_400(self):
        for bad in (b"NoColon\r\n", b" folded: x\r\n", b": empty-name\r\n"):
            a = answer(self.rt, b"GET /health/live HTTP/1.1\r\n" + bad + b"\r\n")
            self.assertEqual((a.status, a.json), (400, {"error": "BadRequest", "message": "malformed header line"}), bad)

    def test_too_long_a_line_or_too_many_headers_is_414_or_431(self):
        a = answer(self.rt, b"GET /" + b"a" * MAX_LINE + b" HTTP/1.1\r\n\r\n")
        self.assertEqual(a.status, 414)
        many = b"".join(b"X-%d: v\r\n" % i for i in range(101))
        self.assertEqual(answer(self.rt, b"GET /health/live HTTP/1.1\r\n" + many + b"\r\n").status, 431)

    def test_a_body_over_the_limit_is_413_and_closes(self):
        rt = runtime(FUNCTION_MAX_BODY_BYTES="10")
        a = answer(rt, post('{"pad": "0123456789"}'))
        self.assertEqual((a.status, a.json["error"], a.headers["connection"]), (413, "PayloadTooLarge", "close"))
        chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n{\"a\": 12\r\n8\r\n34567890\r\n0\r\n\r\n"
        self.assertEqual(answer(rt, chunked).status, 413)

    def test_an_unparseable_content_length_is_400(self):
        a = answer(self.rt, b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n{}")
        self.assertEqual((a.status, a.json), (400, {"error": "BadRequest", "message": "invalid Content-Length"}))

    def test_every_answer_states_its_length_and_type(self):
        a = answer(self.rt, post('{"x": 1}'))
        self.assertEqual(int(a.headers["content-length"]), len(a.body))
        self.assertEqual(a.headers["content-type"], "application/json")


if __name__ == "__main__":
    unittest.main()
