"""telemetry: the Prometheus text, the cold-start flag, timestamps and the batched JSON log lines."""
import json
import os
import re
import select
import threading
import unittest

from klambda_runtime.telemetry import LogWriter, Metrics, now_rfc3339


class MetricsTest(unittest.TestCase):

    def test_only_the_first_invocation_is_the_cold_one(self):
        m = Metrics("fn-1")
        self.assertEqual([m.record(0.001, None), m.record(0.001, None)], [True, False])

    def test_the_histogram_is_cumulative_and_errors_are_counted_by_code(self):
        m = Metrics("fn-1")
        m.in_flight = lambda: 3
        m.cold_start_seconds = 0.25
        for seconds, code in ((0.0004, None), (0.002, "InvalidJson"), (0.3, "InvalidJson"), (99.0, "Timeout")):
            m.record(seconds, code)
        text = m.render().decode()
        label = 'function="fn-1",runtime="python"'
        for line in ('klambda_function_invocations_total{%s} 4' % label,
                     'klambda_function_errors_total{%s,code="InvalidJson"} 2' % label,
                     'klambda_function_errors_total{%s,code="Timeout"} 1' % label,
                     'klambda_function_duration_seconds_bucket{%s,le="0.0005"} 1' % label,
                     'klambda_function_duration_seconds_bucket{%s,le="0.0025"} 2' % label,
                     'klambda_function_duration_seconds_bucket{%s,le="60.0"} 3' % label,
                     'klambda_function_duration_seconds_bucket{%s,le="+Inf"} 4' % label,
                     'klambda_function_duration_seconds_count{%s} 4' % label,
                     'klambda_function_cold_start_seconds{%s} 0.250000' % label,
                     'klambda_function_in_flight{%s} 3' % label):
            self.assertIn(line + "\n", text)
        self.assertIn("# TYPE klambda_function_duration_seconds histogram", text)


class LogTest(unittest.TestCase):

    def test_timestamps_are_rfc3339_utc_with_milliseconds(self):
        self.assertRegex(now_rfc3339(), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_queued_lines_are_written_in_one_batch_in_order(self):
        r, w = os.pipe()
        try:
            writer = LogWriter(fd=w)
            writer.add(json.dumps({"n": 1}) + "\n")
            writer.add(json.dumps({"n": 2, "text": "caf\u00e9"}) + "\n")
            writer.flush()
            lines = os.read(r, 65536).decode().splitlines()
        finally:
            os.close(r)
            os.close(w)
        self.assertEqual([json.loads(line) for line in lines], [{"n": 1}, {"n": 2, "text": "caf\u00e9"}])
        self.assertTrue(all(re.match(r"^\{.*\}$", line) for line in lines))

    def test_a_stalled_stdout_holds_back_the_thread_that_logs_and_loses_no_line(self):
        r, w = os.pipe()  # nobody reads at first: the pipe (64 KiB) fills with the first ~60 lines of 1 KiB
        writer = LogWriter(interval=0.01, fd=w, max_queued=50)
        threading.Thread(target=writer.run, daemon=True).start()
        done = threading.Event()

        def log_500():
            for n in range(500):
                writer.add(json.dumps({"n": n, "pad": "x" * 1000}) + "\n")
            done.set()
        threading.Thread(target=log_500, daemon=True).start()
        try:
            self.assertFalse(done.wait(1.0), "500 lines of 1 KiB went somewhere while stdout was full")
            self.assertLessEqual(len(writer.lines), 51, "lines queued past the bound")
            data = b""
            while data.count(b"\n") < 500 and select.select([r], [], [], 10)[0]:
                data += os.read(r, 1 << 20)
        finally:
            os.close(r)
            os.close(w)
        self.assertTrue(done.is_set())
        self.assertEqual([json.loads(line)["n"] for line in data.splitlines()], list(range(500)))


if __name__ == "__main__":
    unittest.main()
