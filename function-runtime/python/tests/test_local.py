"""Local mode's starter, klambda_local.py: a spare that is handed nothing or a bad request exits, saying why; a
function whose port is taken says which address it could not listen on."""
import json
import os
import socket
import subprocess
import sys
import unittest

LOCAL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "klambda_local.py")


def spare(stdin):
    """Runs `klambda_local.py --spare` with `stdin` as its input; returns (exit code, stderr)."""
    done = subprocess.run([sys.executable, "-u", LOCAL, "--spare"], input=stdin, capture_output=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    return done.returncode, done.stderr.decode("utf-8", "replace")


class SpareTest(unittest.TestCase):

    def test_a_spare_whose_input_ends_exits_quietly(self):
        self.assertEqual(spare(b""), (0, ""))

    def test_a_spare_says_it_is_ready_before_it_reads_its_function(self):
        done = subprocess.run([sys.executable, "-u", LOCAL, "--spare"], input=b"", capture_output=True, timeout=30,
                              env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
        self.assertEqual(done.stdout, b"spare ready\n")

    def test_a_spare_handed_a_line_that_is_not_json_exits_2_and_says_so(self):
        code, err = spare(b"not json\n")
        self.assertEqual(code, 2)
        self.assertIn("bad request", err)

    def test_a_spare_handed_an_environment_of_non_strings_exits_2(self):
        code, err = spare(b'{"env": {"PORT": 8080}}\n')
        self.assertEqual(code, 2)
        self.assertIn("env must map strings to strings", err)

    def test_a_spare_handed_an_invalid_setting_exits_as_the_runtime_does(self):
        code, err = spare(b'{"env": {"FUNCTION_ID": "fn", "PORT": "not-a-port"}}\n')
        self.assertEqual(code, 2, err)


    def test_a_function_whose_port_is_taken_says_which_address_and_exits_1(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            done = subprocess.run([sys.executable, "-u", LOCAL], capture_output=True, timeout=30,
                                  env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "FUNCTION_ID": "fn",
                                       "HOST": "127.0.0.1", "PORT": str(port), "FUNCTION_DIR": "/nonexistent"})
        self.assertEqual(done.returncode, 1)
        line = json.loads(done.stdout.decode().strip().splitlines()[-1])
        self.assertEqual((line["msg"], line["address"]), ("cannot listen", "127.0.0.1:%d" % port))
        self.assertNotIn(b"Traceback", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main()
