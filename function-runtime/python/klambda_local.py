#!/usr/bin/env python3
"""Local mode's starter of Python functions (`make run`'s deployer). Not in the runtime image: a pod runs one function.

    python3 -u klambda_local.py                       serves one function, as the image's entry point does
    python3 -u klambda_local.py --fork-server SOCKET  forks a function per request on a Unix socket (below)
    python3 -u klambda_local.py --fork-server SOCKET --sandbox
                                                      the same, each function in a sandbox it builds (klambda_sandbox)
    python3 -u klambda_local.py --spare               waits, runtime imported, for one function's environment on stdin

It imports the runtime package (klambda_runtime, in the same folder) once; a forked function then skips exec, the
interpreter's start and every import: on two cores ~10 ms instead of ~100 ms of CPU per function. In the sandbox a
plain fork would share one sandbox between functions: there each child first builds a sandbox of its own
(--sandbox, klambda_sandbox.py). Where that cannot be, the local cluster keeps a spare instead: an interpreter
started in a sandbox of its own, beside an empty function folder, that becomes the next function (--spare).
"""
import json
import os
import signal
import socket
import sys

from klambda_runtime import app, telemetry


SPARE_READY = b"spare ready\n"


def valid_env(env):
    """Whether env is a map of strings to strings."""
    return isinstance(env, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())


def become(env):
    """Turns this process, runtime imported, into the function of exactly env: serves as `app.main()` does."""
    os.environ.clear()
    os.environ.update(env)
    try:  # `ps -o comm` / `top` show the function, not a fork server or a spare (Linux only)
        with open("/proc/self/comm", "w") as comm:
            comm.write(("fn-" + env.get("FUNCTION_ID", "function"))[:15])
    except OSError:
        pass
    telemetry.mark_forked()
    return app.main()


def spare():
    """A spare: the runtime imported, it says "spare ready" on stdout (its sandbox is set up: the local cluster may
    now move a function's files into its folder), waits for one JSON line {"env": {...}} on stdin (written once the
    files are there), then serves that function. End of input first: the local cluster stopped needing it; exit 0."""
    os.write(1, SPARE_READY)
    line = sys.stdin.buffer.readline(1 << 20)
    if not line.strip():
        return 0
    try:
        env = json.loads(line)["env"]
        if not valid_env(env):
            raise ValueError("env must map strings to strings")
    except (ValueError, KeyError, TypeError) as e:
        sys.stderr.write("klambda_local.py --spare: a bad request (%s: %s)\n" % (type(e).__name__, e))
        return 2
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return become(env)


def fork_server(path, sandboxed=False):
    """Local mode's function starter: an interpreter that has imported the runtime once and forks a child per
    function. Protocol, on a Unix socket: one JSON line {"env": {...}, "log": "/path"} in (with --sandbox also
    "sandbox": [bwrap's arguments]); one line {"pid": N} or {"error": "..."} out. The child gets exactly that
    environment, stdout and stderr appended to the log, its own session, and serves as `app.main()` would; with
    --sandbox the child is cloned into namespaces of its own, builds the sandbox the arguments describe
    (klambda_sandbox) and forks the function in it: N is the sandbox's init, the function its only child.
    The server forks before it reads a request: no function's environment is ever in its memory, so none is in a
    later function's copy of it. It stays single-threaded (fork is only safe then) and reaps its children."""
    if sandboxed:
        global klambda_sandbox
        import klambda_sandbox  # imported once, before the forks
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)  # the socket is the owner's only: it starts processes with any environment
    try:
        server.bind(path)
    finally:
        os.umask(old_umask)
    server.listen(64)

    def reap(signum, frame):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    outside = (os.getuid(), os.getgid())
    while True:
        conn, _ = server.accept()
        try:
            child = klambda_sandbox.clone() if sandboxed else os.fork()
        except OSError as e:  # no namespaces for it here: the local cluster starts this one in bwrap instead
            try:
                conn.sendall(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}).encode() + b"\n")
            except OSError:
                pass
            conn.close()
            continue
        if child == 0:
            code = 70
            try:
                server.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = forked(conn, sandboxed, outside)
            except BaseException:  # noqa: B036 - whatever happens, the child must not return into the server loop
                try:
                    os.write(2, telemetry.trace().encode("utf-8", "replace"))
                except OSError:
                    pass
            finally:
                os._exit(code if isinstance(code, int) else 1)
        conn.close()


def forked(conn, sandboxed, outside):
    """A fork server's child: reads its request from `conn`, answers it, and becomes the function (in its sandbox, its
    uid and gid mapped to `outside`, the server's)."""
    def answer(reply):
        conn.sendall(json.dumps(reply).encode() + b"\n")

    try:
        conn.settimeout(10)
        request = json.loads(conn.makefile("rb").readline(1 << 20))
        env, log_path, args = request["env"], request["log"], request.get("sandbox")
        if not valid_env(env) or not isinstance(log_path, str) or not log_path:
            raise ValueError("env must map strings to strings and log must be a path")
        if sandboxed and not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
            raise ValueError("sandbox must be a list of bwrap's arguments")
        spec = klambda_sandbox.parse(args) if sandboxed else None
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except (ValueError, KeyError, TypeError, OSError) as e:
        try:
            answer({"error": "%s: %s" % (type(e).__name__, e)})
        except OSError:
            pass
        return 2
    if sandboxed:
        try:
            klambda_sandbox.enter(spec, outside, lambda pid: answer({"pid": pid}))
        except (ValueError, OSError) as e:
            answer({"error": "%s: %s" % (type(e).__name__, e)})
            return 71
    else:
        os.setsid()
        answer({"pid": os.getpid()})
    conn.close()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.closerange(3, 1 << 16)
    return become(env)


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--fork-server" and sys.argv[3:] in ([], ["--sandbox"]):
        fork_server(sys.argv[2], sandboxed=len(sys.argv) == 4)
    elif len(sys.argv) == 2 and sys.argv[1] == "--spare":
        sys.exit(spare())
    elif len(sys.argv) == 1:
        sys.exit(app.main())
    else:
        sys.stderr.write("usage: klambda_local.py [--fork-server SOCKET [--sandbox] | --spare]\n")
        sys.exit(2)
