"""config: FUNCTION_* settings, their defaults, and the settings refused at start."""
import unittest

from klambda_runtime.config import Config
from klambda_runtime.errors import ConfigError


class ConfigTest(unittest.TestCase):

    def test_an_empty_environment_gives_the_documented_defaults(self):
        c = Config({})
        self.assertEqual((c.function_dir, c.function_file, c.handler_name, c.function_id), ("/function", None, "handler", "function"))
        self.assertEqual((c.host, c.port), ("0.0.0.0", 8080))
        self.assertEqual((c.timeout_ms, c.max_body_bytes, c.concurrency), (30000, 6 * 1024 * 1024, 16))
        self.assertEqual((c.drain_ms, c.idle_ms, c.execution), (35000, 600000, "worker"))
        self.assertEqual(c.max_connections, 1024)
        self.assertEqual(c.source, "/knative-lambda/functions/function")

    def test_the_drain_timeout_follows_the_request_timeout_unless_set(self):
        self.assertEqual(Config({"FUNCTION_TIMEOUT_MS": "1000"}).drain_ms, 6000)
        self.assertEqual(Config({"FUNCTION_TIMEOUT_MS": "1000", "FUNCTION_DRAIN_TIMEOUT_MS": "50"}).drain_ms, 50)

    def test_blank_values_mean_the_default(self):
        self.assertEqual(Config({"FUNCTION_CONCURRENCY": "  ", "FUNCTION_ID": ""}).concurrency, 16)

    def test_a_value_that_is_not_an_integer_is_refused_with_its_name(self):
        with self.assertRaisesRegex(ConfigError, "FUNCTION_TIMEOUT_MS must be an integer, got 'soon'"):
            Config({"FUNCTION_TIMEOUT_MS": "soon"})

    def test_a_value_below_its_minimum_is_refused(self):
        with self.assertRaisesRegex(ConfigError, "FUNCTION_CONCURRENCY must be at least 1, got 0"):
            Config({"FUNCTION_CONCURRENCY": "0"})
        self.assertEqual(Config({"PORT": "0"}).port, 0)
        with self.assertRaisesRegex(ConfigError, "FUNCTION_MAX_CONNECTIONS must be at least 1, got 0"):
            Config({"FUNCTION_MAX_CONNECTIONS": "0"})

    def test_execution_is_worker_or_event_loop(self):
        self.assertEqual(Config({"FUNCTION_EXECUTION": " Event-Loop "}).execution, "event-loop")
        with self.assertRaisesRegex(ConfigError, "worker or event-loop"):
            Config({"FUNCTION_EXECUTION": "threads"})

    def test_a_function_id_that_cannot_be_a_header_is_refused(self):
        for bad in ("a\r\nb", 'a"b', "a\\b"):
            with self.assertRaises(ConfigError):
                Config({"FUNCTION_ID": bad})
        self.assertEqual(Config({"FUNCTION_ID": "my-parser-1"}).source, "/knative-lambda/functions/my-parser-1")


if __name__ == "__main__":
    unittest.main()
