#!/usr/bin/env python3
"""Knative Lambda's python tool sidecar: runs the builder's `pip install` and nothing else.

Standard library only, started by the sidecar as `python3 python-tool-server.py` in the official
python image. It listens on 127.0.0.1 (the pod's shared loopback), answers only callers with the
bearer token it keeps in KLAMBDA_TOOLS_TOKEN_FILE (made at first start, mode 0600, never printed),
and runs only the allow-listed command shape: `pip install` with the builder's flags, a --target and
a requirements file inside the shared work directory (KLAMBDA_TOOLS_WORK_DIR), plain requirements in
that file, the index in PIP_INDEX_URL / PIP_EXTRA_INDEX_URL. Anything else is refused with a JSON
error; a run is killed at its deadline and its output is bounded and masked.

POST /run {"tool": "pip", "args": [...], "cwd": DIR, "env": {...}, "timeoutMs": N, "maxOutput": N}
  -> 200 {"exitCode": N, "timedOut": false, "output": "..."}
"""
import hmac
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.realpath(os.environ.get("KLAMBDA_TOOLS_WORK_DIR", "/var/lib/klambda"))
TOKEN_FILE = os.environ.get("KLAMBDA_TOOLS_TOKEN_FILE", "/var/run/klambda-tools/python.token")
PORT = int(os.environ.get("KLAMBDA_TOOLS_PORT", "8181"))
MAX_RUNNING = int(os.environ.get("KLAMBDA_TOOLS_MAX_RUNNING", "8"))
MAX_BODY = 64 * 1024
MAX_OUTPUT = 256 * 1024
MAX_TIMEOUT_MS = 15 * 60 * 1000

PATH = "path"
# pip install's allowed flags: the value each takes (a regular expression, PATH: a path inside ROOT, None: none).
PIP_FLAGS = {
    "--only-binary=:all:": None, "--no-compile": None, "--no-cache-dir": None,
    "--disable-pip-version-check": None, "--no-input": None,
    "--progress-bar": r"off", "--retries": r"\d{1,2}", "--timeout": r"\d{1,4}",
    "--python-version": r"\d{1,2}(\.\d{1,3}){0,2}", "--implementation": r"[a-z]{2}",
    "--abi": r"[a-z0-9_]{1,32}", "--platform": r"[a-z0-9_]{1,64}", "--target": PATH, "-r": PATH,
}
PIP_REQUIRED = ("--only-binary=:all:", "--no-compile", "--target", "-r")
REPEATABLE = ("--platform",)
URL = r"https?://[^\s]{1,2000}"
ENV = {"PIP_INDEX_URL": URL, "PIP_EXTRA_INDEX_URL": URL + r"( " + URL + r"){0,9}", "PIP_CONFIG_FILE": r"/dev/null"}
USER_INFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]+@")

running = threading.BoundedSemaphore(MAX_RUNNING)


class Refused(Exception):
    """A request this server does not run: an HTTP status, a stable code and a sentence."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code = status, code


def token():
    """The shared token: the file's, else a new random one written there (0600) for the builder to read."""
    try:
        with open(TOKEN_FILE, encoding="ascii") as f:
            existing = f.read().strip()
        if existing:
            return existing
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(32)
    tmp = TOKEN_FILE + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value)
    os.replace(tmp, TOKEN_FILE)
    return value


def inside(path, cwd, what):
    """The real path of `path` (relative to cwd), refused unless it lies inside ROOT."""
    if not isinstance(path, str) or not path or "\0" in path:
        raise Refused(400, "InvalidRequest", what + " must be a path")
    real = os.path.realpath(os.path.join(cwd, path))
    if real != ROOT and not real.startswith(ROOT + os.sep):
        raise Refused(403, "PathNotAllowed", what + " is outside the work directory " + ROOT)
    return real


def pip_args(args, cwd):
    """Checks pip's argv against the allow list; returns the requirements file's path."""
    if not args or args[0] != "install":
        raise Refused(403, "CommandNotAllowed", "only 'pip install' runs here")
    seen, i = [], 1
    while i < len(args):
        flag = args[i]
        if flag not in PIP_FLAGS:
            raise Refused(403, "CommandNotAllowed", "pip argument not allowed: " + str(flag)[:80])
        if flag in seen and flag not in REPEATABLE:
            raise Refused(403, "CommandNotAllowed", "pip argument given twice: " + flag)
        seen.append(flag)
        shape = PIP_FLAGS[flag]
        if shape is not None:
            if i + 1 >= len(args) or not isinstance(args[i + 1], str):
                raise Refused(403, "CommandNotAllowed", flag + " needs a value")
            value = args[i + 1]
            if shape == PATH:
                inside(value, cwd, flag)
            elif not re.fullmatch(shape, value):
                raise Refused(403, "CommandNotAllowed", "value not allowed for " + flag)
            i += 1
        i += 1
    missing = [f for f in PIP_REQUIRED if f not in seen]
    if missing:
        raise Refused(403, "CommandNotAllowed", "pip install must have " + ", ".join(missing))
    return inside(args[args.index("-r") + 1], cwd, "-r")


def plain_requirements(path):
    """Refuses a requirements file with options, URLs or paths: the builder writes plain requirements only."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read(MAX_BODY + 1).splitlines()
    except OSError as e:
        raise Refused(400, "InvalidRequest", "cannot read the requirements file: " + e.strerror)
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text and (text.startswith(("-", ".", "/")) or "://" in text or " @ " in text or "@" in text.split(" ", 1)[0]):
            raise Refused(403, "CommandNotAllowed", "the requirements file may hold plain requirements only")


def environment(requested, cwd):
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": cwd, "LANG": "C.UTF-8",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp"), "PYTHONDONTWRITEBYTECODE": "1", "PIP_CONFIG_FILE": "/dev/null"}
    if not isinstance(requested, dict):
        raise Refused(400, "InvalidRequest", "env must be an object")
    for key, value in requested.items():
        if key not in ENV:
            raise Refused(403, "CommandNotAllowed", "environment variable not allowed: " + str(key)[:80])
        if not isinstance(value, str) or not re.fullmatch(ENV[key], value):
            raise Refused(403, "CommandNotAllowed", "value not allowed for " + key)
        env[key] = value
    return env


def secrets_of(env):
    """The values to mask in output: user information and passwords of the index URLs."""
    found = []
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        for url in env.get(key, "").split():
            m = re.match(r"[a-z][a-z0-9+.-]*://([^/@\s]+)@", url, re.I)
            if m:
                found += [s for s in [m.group(1)] + m.group(1).split(":", 1)[1:] if len(s) >= 3]
    return found


def mask(text, hidden):
    text = USER_INFO.sub(r"\1***@", text)
    for s in hidden:
        text = text.replace(s, "***")
    return text


def execute(argv, cwd, env, timeout_ms, max_output, hidden):
    """Runs argv in its own process group, killed at the deadline; the tail of its output, masked."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    tail = bytearray()
    dropped = [0]

    def drain():
        for chunk in iter(lambda: proc.stdout.read(8192), b""):
            tail.extend(chunk)
            if len(tail) > max_output:
                dropped[0] += len(tail) - max_output
                del tail[:len(tail) - max_output]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timed_out = False
    try:
        code = proc.wait(timeout=timeout_ms / 1000)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    reader.join(5)
    output = mask(bytes(tail).decode("utf-8", "replace"), hidden)
    answer = {"exitCode": -1 if timed_out else code, "timedOut": timed_out, "output": output,
              "truncated": dropped[0] > 0}
    if timed_out:
        answer.update(error="Timeout", message="%s did not finish within %d ms and was killed" % (argv[2], timeout_ms))
    return answer


def handle(request):
    if not isinstance(request, dict) or request.get("tool") != "pip":
        raise Refused(403, "CommandNotAllowed", "this sidecar runs pip only")
    args = request.get("args")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise Refused(400, "InvalidRequest", "args must be a list of strings")
    cwd = inside(request.get("cwd"), ROOT, "cwd")
    if not os.path.isdir(cwd):
        raise Refused(400, "InvalidRequest", "cwd is not a directory")
    plain_requirements(pip_args(args, cwd))
    env = environment(request.get("env", {}), cwd)
    timeout_ms = request.get("timeoutMs", 60000)
    max_output = request.get("maxOutput", 64 * 1024)
    if not isinstance(timeout_ms, int) or not 0 < timeout_ms <= MAX_TIMEOUT_MS:
        raise Refused(400, "InvalidRequest", "timeoutMs must be 1..%d" % MAX_TIMEOUT_MS)
    if not isinstance(max_output, int) or not 0 < max_output <= MAX_OUTPUT:
        raise Refused(400, "InvalidRequest", "maxOutput must be 1..%d" % MAX_OUTPUT)
    if not running.acquire(blocking=False):
        raise Refused(503, "Busy", "%d runs are going on; retry" % MAX_RUNNING)
    try:
        return execute([sys.executable, "-m", "pip"] + args, cwd, env, timeout_ms, max_output, secrets_of(env))
    finally:
        running.release()


class Handler(BaseHTTPRequestHandler):
    server_version = "klambda-tools"
    sys_version = ""

    def do_POST(self):
        try:
            if self.path != "/run":
                raise Refused(404, "NotFound", "POST /run is the only endpoint")
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), ("Bearer " + self.server.token).encode()):
                raise Refused(401, "Unauthorized", "a valid bearer token is required")
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                raise Refused(413 if length > MAX_BODY else 400, "InvalidRequest", "a JSON body up to %d bytes" % MAX_BODY)
            try:
                request = json.loads(self.rfile.read(length))
            except ValueError:
                raise Refused(400, "InvalidRequest", "the body is not JSON")
            self.answer(200, handle(request))
        except Refused as e:
            self.answer(e.status, {"error": e.code, "message": str(e)})
        except Exception as e:  # noqa: BLE001 - a JSON answer, never a crash
            self.answer(500, {"error": "InternalError", "message": type(e).__name__})

    def do_GET(self):
        self.answer(405, {"error": "MethodNotAllowed", "message": "POST /run"})

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        # said, not only done: an HTTP/1.0 answer without it was reused by Java's HttpClient, whose next request on the
        # closed connection failed ("header parser received no bytes", ToolServerRefusalsIT once in a few runs)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write((fmt % args) + "\n")  # the request line and status: never a header, so never the token


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    server.daemon_threads = True
    server.token = token()
    print("python tool server listening on 127.0.0.1:%d, work dir %s" % (server.server_address[1], ROOT), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
