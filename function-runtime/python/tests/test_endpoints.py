"""invocation.Endpoints: the JSON answers of POST / in each CloudEvents mode, health, metrics, 404 and 405."""
import json
import unittest

from klambda_runtime.invocation import not_json
from tests.support import answer, binary_headers, post, runtime


class InvocationAnswersTest(unittest.TestCase):

    def test_plain_json_gets_the_handlers_json(self):
        a = answer(runtime(), post('{"parser_id": "p-1"}'))
        self.assertEqual((a.status, a.json), (200, {"echo": {"parser_id": "p-1"}}))
        self.assertNotIn("ce-id", a.headers)

    def test_a_binary_event_gets_a_binary_success_event_and_its_attributes_reach_the_handler(self):
        rt = runtime(handler=lambda event, attributes: {"attributes": attributes}, wants_attributes=True)
        a = answer(rt, post("{}", headers=binary_headers("e-7") + (("ce-tenant", "t%201"),)))
        self.assertEqual(a.status, 200)
        self.assertEqual((a.headers["ce-type"], a.headers["ce-subject"]), ("io.knative.lambda.response.success", "fn-1"))
        self.assertNotEqual(a.headers["ce-id"], "e-7")
        self.assertEqual(a.json["attributes"], {"specversion": "1.0", "id": "e-7", "source": "/tests", "type": "t.invoke",
                                                "tenant": "t 1", "datacontenttype": "application/json"})

    def test_an_empty_binary_body_is_an_empty_object(self):
        self.assertEqual(answer(runtime(), post("", headers=binary_headers())).json, {"echo": {}})

    def test_a_structured_event_gets_a_structured_success_event(self):
        event = {"specversion": "1.0", "id": "s-1", "source": "/tests", "type": "t.invoke", "data": {"n": 1}}
        a = answer(runtime(), post(json.dumps(event), content_type="application/cloudevents+json"))
        self.assertEqual((a.status, a.headers["content-type"]), (200, "application/cloudevents+json"))
        self.assertEqual((a.json["type"], a.json["data"]), ("io.knative.lambda.response.success", {"echo": {"n": 1}}))

    def test_a_batch_or_data_that_is_not_an_object_is_400_invalid_event(self):
        batch = answer(runtime(), post("[]", content_type="application/cloudevents-batch+json"))
        self.assertEqual((batch.status, batch.json["error"]), (400, "InvalidEvent"))
        array = answer(runtime(), post("[1, 2]"))
        self.assertEqual((array.status, array.json), (400, {"error": "InvalidEvent",
                                                             "message": "the event data must be a JSON object, got an array"}))

    def test_a_value_error_is_400_invalid_input_with_its_message(self):
        def handler(event):
            raise ValueError("amount must be positive")
        a = answer(runtime(handler), post("{}"))
        self.assertEqual((a.status, a.json), (400, {"error": "InvalidInput", "message": "amount must be positive"}))

    def test_any_other_exception_is_500_function_error_without_its_detail(self):
        def handler(event):
            raise KeyError("secret-detail")
        a = answer(runtime(handler), post("{}"))
        self.assertEqual((a.status, a.json["error"]), (500, "FunctionError"))
        self.assertNotIn(b"secret-detail", a.body)

    def test_a_failed_binary_event_gets_an_error_event(self):
        def handler(event):
            raise ValueError("no")
        a = answer(runtime(handler), post("{}", headers=binary_headers()))
        self.assertEqual((a.status, a.headers["ce-type"]), (400, "io.knative.lambda.response.error"))
        self.assertEqual(a.json, {"error": "InvalidInput", "message": "no"})

    def test_a_result_that_is_not_json_is_500(self):
        a = answer(runtime(lambda event: {"value": object()}), post("{}"))
        self.assertEqual((a.status, a.json["error"]), (500, "FunctionError"))

    def test_a_runtime_still_loading_answers_503_not_ready(self):
        rt = runtime()
        rt.ready = False
        a = answer(rt, post("{}"))
        self.assertEqual((a.status, a.json["error"], a.headers["connection"]), (503, "NotReady", "close"))

    def test_draining_answers_close_the_connection(self):
        rt = runtime()
        rt.draining = True
        self.assertEqual(answer(rt, post("{}")).headers["connection"], "close")


class HostileInputTest(unittest.TestCase):

    def test_json_nested_past_the_recursion_limit_is_400_invalid_json(self):
        a = answer(runtime(), post("[" * 100000 + "]" * 100000))
        self.assertEqual((a.status, a.json["error"]), (400, "InvalidJson"))

    def test_a_cloud_event_header_sent_twice_is_400_invalid_event_as_plain_json(self):
        a = answer(runtime(), post("{}", headers=binary_headers() + (("ce-id", "again"),)))
        self.assertEqual((a.status, a.json), (400, {"error": "InvalidEvent", "message": "the header ce-id appears more than once"}))
        self.assertNotIn("ce-type", a.headers)

    def test_nan_or_infinity_in_a_result_is_500_naming_the_value_and_where(self):
        a = answer(runtime(lambda event: {"x": float("nan")}), post("{}"))
        self.assertEqual((a.status, a.json), (500, {"error": "FunctionError",
                                                     "message": "the function returned a value that is not JSON: NaN at /x"}))
        a = answer(runtime(lambda event: {"items": [1, float("-inf")]}), post("{}"))
        self.assertEqual(a.json["message"], "the function returned a value that is not JSON: -Infinity at /items/1")

    def test_a_result_nested_too_deeply_is_500(self):
        def handler(event):
            value = {}
            for _ in range(100000):
                value = {"a": value}
            return value
        a = answer(runtime(handler), post("{}"))
        self.assertEqual((a.status, a.json["message"]), (500, "the function returned a value that is not JSON: nested too deeply"))

    def test_what_is_not_json_is_named_with_a_json_pointer(self):
        self.assertEqual(not_json({"a/b": [{"c": {1, 2}}]}), ": a set at /a~1b/0/c")
        self.assertEqual(not_json(float("inf")), ": Infinity")
        self.assertEqual(not_json({"ok": [1, "x", None, True, 2.5]}), "-serialisable")


class OtherEndpointsTest(unittest.TestCase):

    def test_health_answers_live_and_ready(self):
        rt = runtime()
        self.assertEqual(answer(rt, b"GET /health/live HTTP/1.1\r\n\r\n").json, {"status": "UP"})
        self.assertEqual(answer(rt, b"GET /health/ready HTTP/1.1\r\n\r\n").json, {"status": "UP"})
        rt.draining = True
        down = answer(rt, b"GET /health/ready HTTP/1.1\r\n\r\n")
        self.assertEqual((down.status, down.json), (503, {"status": "DOWN"}))

    def test_metrics_count_invocations_and_errors(self):
        rt = runtime()
        answer(rt, post("{}"))
        answer(rt, post("{broken"))
        text = answer(rt, b"GET /metrics HTTP/1.1\r\n\r\n").body.decode()
        self.assertIn('klambda_function_invocations_total{function="fn-1",runtime="python"} 2', text)
        self.assertIn('klambda_function_errors_total{function="fn-1",runtime="python",code="InvalidJson"} 1', text)

    def test_unknown_paths_are_404_and_other_methods_on_root_are_405(self):
        rt = runtime()
        self.assertEqual(answer(rt, b"GET /nope HTTP/1.1\r\n\r\n").json["error"], "NotFound")
        self.assertEqual(answer(rt, post("{}").replace(b"POST / ", b"POST /x ")).status, 404)
        self.assertEqual(answer(rt, b"GET / HTTP/1.1\r\n\r\n").json["error"], "MethodNotAllowed")
        for method in (b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"BREW"):
            a = answer(rt, method + b" / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            self.assertEqual((a.status, a.json["error"]), (405, "MethodNotAllowed"), method)


if __name__ == "__main__":
    unittest.main()
