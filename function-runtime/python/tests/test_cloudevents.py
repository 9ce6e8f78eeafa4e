"""cloudevents: decoding events (attributes, data) and encoding the response events."""
import base64
import json
import re
import unittest

from klambda_runtime import cloudevents
from klambda_runtime.config import Config
from klambda_runtime.errors import HttpError

ATTRS = {"specversion": "1.0", "id": "e-1", "source": "/tests", "type": "t.invoke"}


class DecodingTest(unittest.TestCase):

    def assertHttpError(self, status, code, fn, *args):
        with self.assertRaises(HttpError) as caught:
            fn(*args)
        self.assertEqual((caught.exception.status, caught.exception.code), (status, code))
        return caught.exception

    def test_json_is_parsed_and_anything_else_is_400_invalid_json(self):
        self.assertEqual(cloudevents.parse_json(b'{"a": [1, 2.5, null]}'), {"a": [1, 2.5, None]})
        self.assertHttpError(400, "InvalidJson", cloudevents.parse_json, b'{"a": ')
        self.assertHttpError(400, "InvalidJson", cloudevents.parse_json, b'{"a": 1} {}')
        self.assertHttpError(400, "InvalidJson", cloudevents.parse_json, b'\xff\xfe')

    def test_a_structured_event_must_be_an_object_and_its_attributes_exclude_the_data(self):
        envelope, attrs = cloudevents.parse_envelope(json.dumps(dict(ATTRS, data={"x": 1}, tenant="t-1")).encode())
        self.assertEqual(attrs, dict(ATTRS, tenant="t-1"))
        self.assertEqual(cloudevents.envelope_data(envelope), {"x": 1})
        self.assertHttpError(400, "InvalidEvent", cloudevents.parse_envelope, b"[1]")

    def test_structured_data_comes_from_data_base64_a_json_string_or_is_empty(self):
        encoded = base64.b64encode(b'{"from": "base64"}').decode()
        self.assertEqual(cloudevents.envelope_data({"data_base64": encoded}), {"from": "base64"})
        self.assertEqual(cloudevents.envelope_data({"data": '{"from": "string"}'}), {"from": "string"})
        self.assertEqual(cloudevents.envelope_data({"data": None}), {})
        self.assertEqual(cloudevents.envelope_data({}), {})
        self.assertHttpError(400, "InvalidJson", cloudevents.envelope_data, {"data_base64": "not base64!"})

    def test_every_required_attribute_is_named_when_missing(self):
        self.assertIsNone(cloudevents.missing_attributes(ATTRS))
        self.assertEqual(cloudevents.missing_attributes({"id": "", "source": 7}), ["id", "source", "specversion", "type"])
        e = self.assertHttpError(400, "InvalidEvent", cloudevents.validate_attributes, {"id": "e", "type": "t"})
        self.assertIn("source, specversion", e.message)

    def test_only_specversion_1_0_is_accepted(self):
        cloudevents.validate_attributes(ATTRS)
        e = self.assertHttpError(400, "InvalidEvent", cloudevents.validate_attributes, dict(ATTRS, specversion="0.3"))
        self.assertIn("'0.3'", e.message)

    def test_percent_encoded_header_values_are_decoded_as_utf8(self):
        self.assertEqual(cloudevents.unquote("caf%C3%A9%20bar"), "caf\u00e9 bar")
        self.assertEqual(cloudevents.unquote("100%"), "100%")
        self.assertEqual(cloudevents.unquote("%zz%4"), "%zz%4")

    def test_json_kind_names_what_the_data_is(self):
        self.assertEqual([cloudevents.json_kind(v) for v in ([], "s", True, None, 1.5)],
                         ["an array", "a string", "a boolean", "null", "a number"])


class EncodingTest(unittest.TestCase):
    config = Config({"FUNCTION_ID": "fn-1"})

    def test_a_uuid4_has_the_version_and_variant_bits(self):
        ids = {cloudevents.uuid4() for _ in range(100)}
        self.assertEqual(len(ids), 100)
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    def test_binary_response_headers_name_the_function(self):
        headers = dict(cloudevents.ce_headers(self.config, cloudevents.SUCCESS_TYPE))
        self.assertEqual(headers["ce-type"], "io.knative.lambda.response.success")
        self.assertEqual(headers["ce-source"], "/knative-lambda/functions/fn-1")
        self.assertEqual((headers["ce-subject"], headers["ce-specversion"]), ("fn-1", "1.0"))
        self.assertRegex(headers["ce-time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_a_structured_response_is_a_json_event_around_the_payload(self):
        event = json.loads(cloudevents.structured(self.config, cloudevents.ERROR_TYPE, b'{"error": "X", "message": "m"}'))
        self.assertEqual(event["type"], "io.knative.lambda.response.error")
        self.assertEqual(event["data"], {"error": "X", "message": "m"})
        self.assertEqual((event["source"], event["subject"], event["datacontenttype"]),
                         ("/knative-lambda/functions/fn-1", "fn-1", "application/json"))
        self.assertTrue(re.match(r"^[0-9a-f-]{36}$", event["id"]))

    def test_an_error_body_has_exactly_error_and_message(self):
        self.assertEqual(json.loads(cloudevents.error_body("BadRequest", "bad \"line\"")),
                         {"error": "BadRequest", "message": "bad \"line\""})


if __name__ == "__main__":
    unittest.main()
