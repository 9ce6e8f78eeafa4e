"""Starting and stopping: bind, load the function meanwhile, serve until SIGTERM/SIGINT, drain in-flight requests."""
import os
import signal
import sys
import threading
import time

from .config import Config
from .errors import ConfigError
from .eventloop import EventLoopServer
from .function import find_function_file, load_handler
from .invocation import Runtime
from .telemetry import LOG, log, process_start_time, trace
from .worker import RequestHandler, Server


# JSON nested 999 deep parses, as in the Java runtime (Jackson's default limit) and the Node.js runtime: json's C
# scanner counts a frame a level against the recursion limit, on top of the ~30 frames of the request's own path.
# Deeper JSON is still 400 InvalidJson (RecursionError), and a result nested too deeply still 500.
RECURSION_LIMIT = 1100


def serve(config):
    """Binds, loads the function, serves until SIGTERM/SIGINT, drains in-flight requests; returns the exit code."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    runtime = Runtime(config)
    try:
        if config.execution == "event-loop":
            server = EventLoopServer((config.host, config.port), runtime)
        else:
            server = Server((config.host, config.port), type("Handler", (RequestHandler,), {"runtime": runtime}))
    except OSError as e:  # the port is taken, or the address is not this machine's: one clear line, not a traceback
        log({"level": "error", "msg": "cannot listen", "function": config.function_id,
             "address": "%s:%d" % (config.host, config.port), "message": e.strerror or str(e)}, now=True)
        return 1
    started = process_start_time()
    exit_code = [0]

    def stop(signum, frame):
        if not runtime.draining:
            runtime.draining = True
            log({"level": "info", "msg": "draining", "function": config.function_id, "signal": signum,
                 "inFlight": runtime.active})
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def load():
        try:
            path = find_function_file(config.function_dir, config.function_file)
            runtime.handler, runtime.wants_attributes = load_handler(path, config.handler_name, config.function_dir,
                                                                          config.deps_dir)
        except BaseException as e:
            log({"level": "error", "msg": "cannot load the function", "function": config.function_id,
                 "exception": type(e).__name__, "message": str(e)[:1000], "trace": trace()}, now=True)
            exit_code[0] = 1
            runtime.draining = True
            threading.Thread(target=server.shutdown, daemon=True).start()
            return
        runtime.metrics.cold_start_seconds = time.time() - started
        # written at once, before the first request can be answered: whoever got an answer finds this line
        log({"level": "info", "msg": "ready", "function": config.function_id, "runtime": "python",
             "file": os.path.basename(path), "port": server.server_address[1], "execution": config.execution,
             "coldStartMs": round(runtime.metrics.cold_start_seconds * 1000, 1)}, now=True)
        runtime.ready = True

    if not runtime.on_loop:  # the event loop checks deadlines and idle connections itself
        threading.Thread(target=runtime.watchdog, name="klambda-watchdog", daemon=True).start()
    threading.Thread(target=LOG.run, name="klambda-log", daemon=True).start()
    threading.Thread(target=load, name="klambda-load", daemon=True).start()
    server.serve_forever(poll_interval=0.5)  # the accept loop notices shutdown() within 0.5 s
    server.server_close()
    drained = runtime.wait_idle(config.drain_ms / 1000.0)
    log({"level": "info" if drained else "warn", "msg": "stopped", "function": config.function_id,
         "drained": drained, "inFlight": runtime.active}, now=True)
    return exit_code[0]


def main():
    """Reads the settings from the environment and serves; returns the process's exit code."""
    try:
        config = Config(os.environ)
    except ConfigError as e:
        log({"level": "error", "msg": "invalid configuration", "message": str(e)}, now=True)
        return 2
    return serve(config)
