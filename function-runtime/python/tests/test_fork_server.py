"""Local mode's sandboxed fork server when the kernel will not clone a child into new namespaces: each request is
answered with the reason (the local cluster then starts that function in bwrap), and the server goes on serving."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the real server, its clone refused as a kernel without unprivileged user namespaces refuses it
SERVER = """
import errno, sys
sys.path.insert(0, sys.argv[1])
import klambda_sandbox, klambda_local
def refused():
    raise OSError(errno.EPERM, "clone: Operation not permitted")
klambda_sandbox.clone = refused
klambda_local.fork_server(sys.argv[2], sandboxed=True)
"""


class RefusedCloneTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.sock = os.path.join(self.dir, "s.sock")
        self.server = subprocess.Popen([sys.executable, "-c", SERVER, HERE, self.sock])
        deadline = time.monotonic() + 20
        while not os.path.exists(self.sock):
            self.assertIsNone(self.server.poll(), "the fork server ended at start")
            self.assertLess(time.monotonic(), deadline, "the fork server did not listen")
            time.sleep(0.01)

    def tearDown(self):
        self.server.terminate()
        self.server.wait(10)

    def request(self):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(self.sock)
            s.sendall(json.dumps({"env": {"FUNCTION_ID": "f"}, "log": os.path.join(self.dir, "f.log"),
                                  "sandbox": ["--unshare-user", "--uid", "65534", "--gid", "65534"]}).encode() + b"\n")
            return json.loads(s.makefile().readline())

    def test_each_request_gets_the_reason_and_the_server_goes_on(self):
        for _ in range(2):
            self.assertEqual(self.request(), {"error": "PermissionError: [Errno 1] clone: Operation not permitted"})
        self.assertIsNone(self.server.poll(), "the server still runs")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "f.log")), "no function was started")


if __name__ == "__main__":
    unittest.main()
