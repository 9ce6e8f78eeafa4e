"""framing: HTTP/1.1 request heads, bodies (Content-Length, chunked) and where a request ends in a buffer."""
import unittest

from klambda_runtime.framing import MAX_LINE, chunk_size, content_length, has_control_character, request_end
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

    def test_expect_100_continue_with_a_body_over_the_limit_gets_413_and_no_interim_answer(self):
        rt = runtime(FUNCTION_MAX_BODY_BYTES=str(LIMIT))
        _, out = exchange(rt, post("x" * (LIMIT + 1), headers=(("Expect", "100-continue"),)))
        self.assertTrue(out.startswith(b"HTTP/1.1 413 "), out[:80])
        self.assertNotIn(b"100 Continue", out)

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


class StrictFramingTest(unittest.TestCase):
    """What a hostile or broken client sends is refused with 400 BadRequest and never reaches the function."""

    def setUp(self):
        self.seen = []
        self.rt = runtime(handler=lambda event: self.seen.append(event) or {"ok": True})

    def assertBadRequest(self, raw, message):
        a = answer(self.rt, raw)
        self.assertEqual((a.status, a.json), (400, {"error": "BadRequest", "message": message}), raw)
        self.assertEqual(a.headers.get("connection"), "close")
        self.assertEqual(self.seen, [])

    def test_content_length_is_digits_only(self):
        self.assertEqual([content_length(v) for v in ("0", "17", "007")], [0, 17, 7])
        for bad in ("-5", "ten", "+5", " 5", "5, 6", "", "1_0", "\u00b2"):
            self.assertIsNone(content_length(bad), bad)
        self.assertEqual(content_length("9" * 40), 10 ** 18)

    def test_a_chunk_size_is_hex_digits_then_extensions_then_the_line_end(self):
        self.assertEqual([chunk_size(b"1a\r\n"), chunk_size(b"1A;name=value\r\n"), chunk_size(b"0\n")], [26, 26, 0])
        for bad in (b"zz\r\n", b"-5\r\n", b"0x1a\r\n", b" 1a\r\n", b"\r\n", b"1a", b"1" * 16 + b"\r\n"):
            self.assertIsNone(chunk_size(bad), bad)

    def test_control_characters_are_found_but_tabs_and_latin1_text_are_fine(self):
        self.assertTrue(has_control_character("a\x00b"))
        self.assertTrue(has_control_character("a\rb"))
        self.assertTrue(has_control_character("a\x7fb"))
        self.assertFalse(has_control_character("a\tb caf\u00e9\u00a0"))

    def test_unparseable_lengths_and_chunks_are_400(self):
        self.assertBadRequest(post("{}").replace(b"Content-Length: 2", b"Content-Length: -5"), "invalid Content-Length")
        chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        self.assertBadRequest(chunked + b"zz\r\n{}\r\n0\r\n\r\n", "malformed chunk size")
        self.assertBadRequest(chunked + b"2\r\n{}XX0\r\n\r\n", "malformed chunked body")

    def test_transfer_encoding_with_content_length_or_other_than_chunked_is_400(self):
        both = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        self.assertBadRequest(both, "Transfer-Encoding together with Content-Length")
        gzip = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        self.assertBadRequest(gzip, "unsupported Transfer-Encoding (only chunked)")

    def test_a_body_shorter_than_announced_is_400_and_never_reaches_the_function(self):
        self.assertBadRequest(post('{"a": 1}').replace(b"Content-Length: 8", b"Content-Length: 50"),
                              "the body ended after 8 of 50 bytes")
        self.assertBadRequest(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n{}", "the body ended early")

    def test_header_values_with_control_characters_and_spaces_before_the_colon_are_400(self):
        self.assertBadRequest(post("{}", headers=(("X-Note", "a\x01b"),)), "a header value holds a control character")
        self.assertBadRequest(post("{}", headers=(("X-Note", "a\rb"),)), "a header value holds a control character")
        self.assertBadRequest(post("{}", headers=(("Transfer-Encoding ", "chunked"),)), "malformed header line")
        self.assertEqual(answer(self.rt, post("{}", headers=(("X-Note", "a\tb caf\u00e9"),))).status, 200)

    def test_a_get_with_a_body_closes_the_connection_so_its_bytes_are_not_the_next_request(self):
        request, _ = exchange(self.rt, b"GET /health/live HTTP/1.1\r\nContent-Length: 5\r\n\r\nHELLO")
        self.assertTrue(request.close_connection)
        request, _ = exchange(self.rt, b"GET /health/live HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        self.assertFalse(request.close_connection)


if __name__ == "__main__":
    unittest.main()
