#!/usr/bin/env python3
"""make bench-runtime: the function runtimes (Python, Java, Node.js) beside a bare server of the same stack, in one run.

Cold start: process exec -> first 200 on POST / (median of COLD_RUNS starts, subjects taking turns). Throughput
and p50/p99: wrk, keep-alive, loopback, 16 connections, 2 threads, trivial handler; the subjects compared with each
other run side by side and take turns for ROUNDS runs of WRK_SECONDS after a warm-up. RSS: idle (after start and one
request) and the peak sampled under load. Java rows use the runtime's own JVM flags (function-runtime/java/jvm.options),
the bare app too. The bare servers do the trivial function's work in plain code of their stack (parse the JSON body,
answer {"ok": true, "n": <n>}), and once more with a fixed answer and no JSON. Java has two bare servers: a Quarkus
route (the runtime's own stack) and the JDK's own HTTP server with no framework (bench/BareJdkHttp.java: the floor a
runtime on a lighter HTTP layer would start from), and a minimal HTTP/1.1 server of its own on blocking sockets
(bench/BareSocketHttp.java: the shape of the Python runtime's server). Prints a Markdown table.
BENCH_ONLY=python|java|node: one stack's rows (its bare servers and its runtime) only.
BENCH_NODE_FUNCTION=<file>: the Node runtime serves that function instead of bench/functions/trivial.mjs (say,
examples/parser.js, to time its cold start; the bare servers still do the trivial function, so compare runtimes then).
BENCH_PIN=1: every server on core 1 and wrk (one thread) on core 0, so that the load generator and the server never take
turns on a core; for single-threaded servers (Node, the event-loop modes) the figure is then one core's capacity,
steadier than with wrk -t2 sharing both cores (a 2-core machine, where the two otherwise interleave by chance).
BENCH_NODE_BEFORE=<function-runtime/node of another checkout>: that Node runtime as one more subject of the Node group,
for a before/after comparison paired in the same run (its cold starts take turns with the others too).
BENCH_PYTHON_BEFORE=<function-runtime/python/klambda_runtime of another checkout>: the same for the Python runtime, in
both execution modes.
Every subject starts with the environment a function gets (local mode's, the image's: PATH, HOME, LANG), not this
shell's: a variable of the machine's own is not the runtime's (NODE_EXTRA_CA_CERTS, set on some machines, makes every
Node start read and parse that many certificates: ~45 ms here).
"""
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FR = os.path.join(ROOT, "function-runtime")
COLD_RUNS = int(os.environ.get("COLD_RUNS", "15"))
WRK_SECONDS = int(os.environ.get("WRK_SECONDS", "5"))
ROUNDS = int(os.environ.get("ROUNDS", "5"))
# the JIT takes the Java runtime ~12 s of load to settle here (C2 compiles, deoptimises, compiles again)
WARMUP_SECONDS = int(os.environ.get("WARMUP_SECONDS", "20"))
PY_WARMUP_SECONDS = int(os.environ.get("PY_WARMUP_SECONDS", "3"))
NODE_WARMUP_SECONDS = int(os.environ.get("NODE_WARMUP_SECONDS", "5"))
LIGHT_CONNECTIONS = int(os.environ.get("LIGHT_CONNECTIONS", "4"))
LIGHT_SECONDS = int(os.environ.get("LIGHT_SECONDS", "5"))
PIN = os.environ.get("BENCH_PIN", "") == "1"
SERVER_CORE, LOAD_CORE = 1, 0
BODY = b'{"n": 1}'
REQUEST = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
           b"Connection: close\r\n\r\n%s" % (len(BODY), BODY))
# the distribution's python3 (as in python:3.12-slim) rather than a version manager's, whose site hooks may add start time
PYTHON = os.environ.get("BENCH_PYTHON") or ("/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)
JAVA = shutil.which("java") or "java"
# the node on PATH, or BENCH_NODE=/path/to/node (say, the line the runtime image uses)
NODE = os.environ.get("BENCH_NODE") or shutil.which("node") or "node"
NODE_BEFORE = os.environ.get("BENCH_NODE_BEFORE", "")
PYTHON_BEFORE = os.environ.get("BENCH_PYTHON_BEFORE", "")
# the jar of an earlier Java runtime (in its app folder, say a checkout's target/quarkus-app/quarkus-run.jar): rows beside today's
JAVA_BEFORE = os.path.abspath(os.environ["BENCH_JAVA_BEFORE"]) if os.environ.get("BENCH_JAVA_BEFORE") else ""
NODE_FUNCTION = os.path.abspath(os.environ.get("BENCH_NODE_FUNCTION") or os.path.join(FR, "bench", "functions", "trivial.mjs"))
PY_BARE = "Python bare (stdlib ThreadingHTTPServer, the trivial function in plain code)"
PY_BARE_FIXED = "Python bare (stdlib ThreadingHTTPServer, fixed answer, no JSON)"
PY_BARE_LOOP = "Python bare (stdlib selectors loop, the trivial function in plain code)"
PY_RUNTIME = "Python runtime (klambda_runtime)"
PY_RUNTIME_EL = "Python runtime (klambda_runtime), FUNCTION_EXECUTION=event-loop"
PY_RUNTIME_BEFORE = "Python runtime, before (BENCH_PYTHON_BEFORE)"
PY_RUNTIME_EL_BEFORE = "Python runtime, before (BENCH_PYTHON_BEFORE), FUNCTION_EXECUTION=event-loop"
BARE_EL = "Java bare (Quarkus route on the event loop), %s"
BARE_WORKER = "Java bare (Quarkus route on a worker thread), %s"
BARE_FIXED = "Java bare (Quarkus route on the event loop, fixed answer, no JSON), %s"
RUNTIME = "Java runtime (its own HTTP/1.1 server), %s"
RUNTIME_BEFORE = "Java runtime, before (BENCH_JAVA_BEFORE), %s"
JDK_BARE = "Java bare (JDK httpserver, no framework, 16 threads), %s"
JDK_BARE_EL = "Java bare (JDK httpserver, no framework, on its dispatcher thread), %s"
SOCKET_BARE = "Java bare (own HTTP/1.1 on blocking sockets, a thread per connection, no framework), %s"
RUNTIME_EL = "Java runtime (its own HTTP/1.1 server), %s, FUNCTION_EXECUTION=event-loop"
NODE_BARE = "Node bare (http module, the trivial function in plain code)"
NODE_BARE_FIXED = "Node bare (http module, fixed answer, no JSON)"
NODE_RUNTIME = "Node runtime (klambda_runtime.js)"
NODE_RUNTIME_BEFORE = "Node runtime, before (BENCH_NODE_BEFORE)"


def jvm_flags():
    """The runtime's JVM flags: function-runtime/java/jvm.options without its comments."""
    with open(os.path.join(FR, "java", "jvm.options")) as f:
        return [flag for line in f if line.strip() and not line.strip().startswith("#") for flag in line.split()]


JVM_FLAGS = jvm_flags()


def java_feature(java):
    """The feature release of a java launcher (17, 21, 25, ...), from `java -version`."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


ONLY = os.environ.get("BENCH_ONLY", "").lower()  # "python", "java" or "node": one stack's rows only
JAVA_ROWS = ONLY in ("", "java")


def find_aot_java():
    """BENCH_JAVA_AOT, else the newest JDK >= 24 under /usr/lib/jvm (the AOT cache needs JEP 483): None if none."""
    if os.environ.get("BENCH_JAVA_AOT"):
        return os.environ["BENCH_JAVA_AOT"]
    found = []
    root = "/usr/lib/jvm"
    for d in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        java = os.path.join(root, d, "bin", "java")
        if os.path.isfile(java) and not os.path.islink(os.path.join(root, d)):
            feature = java_feature(java)
            if feature >= 24:
                found.append((feature, java))
    return max(found)[1] if found else None


JAVA_AOT = find_aot_java() if JAVA_ROWS else None


def jdk_bare_jars(work):
    """Compiles bench/BareJdkHttp.java and bench/BareSocketHttp.java (for Java 17, so that every JDK here runs them)
    into WORK/bare-jdk.jar and WORK/bare-socket.jar: jars, since the JDK's archives take no class directories."""
    bin_dir = os.path.dirname(os.path.realpath(JAVA))
    for name, cls in (("bare-jdk", "BareJdkHttp"), ("bare-socket", "BareSocketHttp")):
        classes = os.path.join(work, name + "-classes")
        subprocess.run([os.path.join(bin_dir, "javac"), "--release", "17", "-d", classes,
                        os.path.join(FR, "bench", cls + ".java")], check=True)
        subprocess.run([os.path.join(bin_dir, "jar"), "cfe", os.path.join(work, name + ".jar"), cls,
                        "-C", classes, "."], check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_status(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(REQUEST)
            data = s.recv(64)
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else -1
    except OSError:
        return -1


# a function's environment: built from nothing, as local mode (FunctionLauncher.BASE) and the runtime images build it
BASE_ENV = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": "/tmp", "LANG": "C.UTF-8"}


def start(cmd, env, port):
    full = dict(BASE_ENV, HOST="127.0.0.1", PORT=str(port), **env)
    return subprocess.Popen(cmd, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_ms(pid):
    """CPU time the process has used so far (all threads, from /proc/PID/task/*/schedstat), in ms."""
    total = 0
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                    total += int(f.read().split()[0])
            except OSError:
                pass
    except OSError:
        return 0.0
    return total / 1e6


def cold_start_ms(cmd, env):
    """(wall ms, CPU ms): exec -> first 200 on POST /, polled every ~1 ms; CPU is load-independent."""
    port = free_port()
    t0 = time.perf_counter()
    proc = start(cmd, env, port)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s" % (cmd, proc.returncode))
            if post_status(port) == 200:
                return (time.perf_counter() - t0) * 1000, cpu_ms(proc.pid)
            if time.perf_counter() - t0 > 60:
                raise RuntimeError("%s did not answer in 60 s" % cmd)
            time.sleep(0.001)
    finally:
        stop(proc)


def exit_ms(cmd):
    """(wall ms, CPU ms) of a command that exits by itself, exec -> exit: an interpreter's own start and stop."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=BASE_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - t0) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pin(pid, core):
    """Every thread of process `pid` onto `core` (threads it starts later inherit it)."""
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            os.sched_setaffinity(int(task), {core})
        except OSError:
            pass  # a thread that ended meanwhile


def wrk(port, seconds, script, connections=16, threads=2):
    prefix = []
    if PIN:
        prefix, threads = ["taskset", "-c", str(LOAD_CORE)], 1
    out = subprocess.run(prefix + ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(pct):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % pct, out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency(50), latency(99), int(errors.group(1)) if errors else 0


def serve(cmd, env):
    """Starts a subject and waits for its first 200: (process, port)."""
    port = free_port()
    proc = start(cmd, env, port)
    deadline = time.time() + 60
    while post_status(port) != 200:
        if proc.poll() is not None or time.time() > deadline:
            stop(proc)
            raise RuntimeError("%s did not start" % cmd)
        time.sleep(0.01)
    return proc, port


def load_group(group, script, warmup):
    """Throughput of subjects that are compared with each other, measured side by side.

    All start at once; after the warm-up each gets ROUNDS wrk runs of WRK_SECONDS, the subjects taking turns, so
    that the machine's drift (these VMs speed up and slow down by 20 % over minutes) falls on all of them alike.
    Per subject: median req/s and latency over its rounds, the req/s of every round (for paired ratios), idle RSS,
    peak RSS under load, and latency at LIGHT_CONNECTIONS."""
    running = []
    try:
        for name, cmd, env in group:
            proc, port = serve(cmd, env)
            running.append((name, proc, port))
            if PIN:
                pin(proc.pid, SERVER_CORE)
        time.sleep(0.5)
        out = {name: {"idle": rss_kb(proc.pid) / 1024, "peak": 0.0, "runs": []} for name, proc, port in running}
        for name, proc, port in running:
            wrk(port, warmup, script)
        for _ in range(ROUNDS):
            for name, proc, port in running:
                peak = [0]
                done = threading.Event()

                def sample():
                    while not done.is_set():
                        peak[0] = max(peak[0], rss_kb(proc.pid))
                        done.wait(0.1)

                t = threading.Thread(target=sample)
                t.start()
                try:
                    out[name]["runs"].append(wrk(port, WRK_SECONDS, script))
                finally:
                    done.set()
                    t.join()
                out[name]["peak"] = max(out[name]["peak"], peak[0] / 1024)
        for name, proc, port in running:
            # latency below saturation: at 16 connections p50 is 16 / throughput (Little's law), a throughput figure
            _, p50_light, p99_light, non2xx_light = wrk(port, LIGHT_SECONDS, script, connections=LIGHT_CONNECTIONS, threads=1)
            r = out[name]
            runs = r["runs"]
            r.update({"rps": statistics.median(x[0] for x in runs), "p50": statistics.median(x[1] for x in runs),
                      "p99": statistics.median(x[2] for x in runs), "non2xx": sum(x[3] for x in runs) + non2xx_light,
                      "p50_light": p50_light, "p99_light": p99_light})
        return out
    finally:
        for name, proc, port in running:
            stop(proc)


def main():
    work = tempfile.mkdtemp(prefix="klambda-bench-")
    script = os.path.join(work, "post.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = \'{"n": 1}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    pyfn = os.path.join(work, "python")
    os.makedirs(pyfn)
    shutil.copy(os.path.join(FR, "bench", "functions", "trivial.py"), os.path.join(pyfn, "trivial.py"))
    nfn = os.path.join(work, "node")
    os.makedirs(nfn)
    shutil.copy(NODE_FUNCTION, os.path.join(nfn, os.path.basename(NODE_FUNCTION)))
    jfn = os.path.join(work, "java")
    os.makedirs(jfn)
    cls = ""
    if JAVA_ROWS:
        compiler_cp = os.path.join(FR, "compiler", "target", "function-compiler-0.1.0-SNAPSHOT.jar") + ":" + \
            os.path.join(FR, "compiler", "target", "lib", "*")
        cls = subprocess.run([JAVA, "-cp", compiler_cp, "io.knative.lambda.runtime.compiler.JavaFunctionCompiler",
                              os.path.join(FR, "bench", "functions", "Trivial.java"), os.path.join(jfn, "classes")],
                             capture_output=True, text=True, check=True).stdout.strip()
        # private copies: a build running meanwhile in the shared work tree must not swap the apps under the benchmark
        shutil.copytree(os.path.join(FR, "java", "target", "runtime-app"), os.path.join(work, "runtime-app"))
        if JAVA_BEFORE:
            shutil.copytree(os.path.dirname(JAVA_BEFORE), os.path.join(work, "before-app"))
        shutil.copytree(os.path.join(FR, "bench-bare-quarkus", "target", "quarkus-app"), os.path.join(work, "bare-app"))
        jdk_bare_jars(work)
    shutil.copytree(os.path.join(FR, "python", "klambda_runtime"), os.path.join(work, "klambda_runtime"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(os.path.join(FR, "node"), os.path.join(work, "node-runtime"))
    if NODE_BEFORE:
        shutil.copytree(NODE_BEFORE, os.path.join(work, "node-runtime-before"))
    if PYTHON_BEFORE:
        shutil.copytree(PYTHON_BEFORE, os.path.join(work, "before", "klambda_runtime"),
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(os.path.join(FR, "bench", "bare_server.js"), os.path.join(work, "bare_server.js"))
    runtime_jar = os.path.join(work, "runtime-app", "klambda-runtime.jar")
    before_jar = os.path.join(work, "before-app", os.path.basename(JAVA_BEFORE)) if JAVA_BEFORE else ""
    jdk_jar = os.path.join(work, "bare-jdk.jar")
    socket_jar = os.path.join(work, "bare-socket.jar")
    bare_jar = os.path.join(work, "bare-app", "quarkus-run.jar")
    # the runtime's own JVM flags (the image's entry point uses them too), for the bare app as well: same stack
    flags = JVM_FLAGS

    # JDK AppCDS archives (dynamic, -XX:ArchiveClassesAtExit), one per app, made by one training start each
    def train(java, extra, jar, env):
        port = free_port()
        proc = start([java] + flags + extra + ["-jar", jar], env, port)
        deadline = time.time() + 60
        while post_status(port) != 200 and time.time() < deadline:
            time.sleep(0.01)
        stop(proc)

    def appcds(name, jar, env):
        archive = os.path.join(work, name + ".jsa")
        train(JAVA, ["-XX:ArchiveClassesAtExit=" + archive], jar, env)
        return ["-XX:SharedArchiveFile=" + archive] if os.path.exists(archive) else []

    # JDK 24+ AOT cache (JEP 483/514: classes loaded and linked), one training start per app. Without method
    # profiles (JEP 515): a start-up-only training run profiles start-up code, which the JVM then compiles early on
    # every start (C2 included) for nothing: 50-100 ms more CPU per start, no faster warm-up (BENCHMARKS.md).
    def aot_cache(name, jar, env):
        cache = os.path.join(work, name + ".aot")
        train(JAVA_AOT, ["-XX:AOTCacheOutput=" + cache, "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining"],
              jar, env)
        for _ in range(100):  # the JVM writes the cache in a forked assembly step after its exit
            if os.path.exists(cache):
                break
            time.sleep(0.1)
        return ["-XX:AOTCache=" + cache] if os.path.exists(cache) else None

    jenv = {"FUNCTION_DIR": jfn, "FUNCTION_CLASS": cls, "FUNCTION_ID": "trivial"}
    jenv_el = dict(jenv, FUNCTION_EXECUTION="event-loop")
    # as in the image: nothing cached, every start compiles the runtime package (PYTHONDONTWRITEBYTECODE)
    penv = {"FUNCTION_DIR": pyfn, "FUNCTION_ID": "trivial", "PYTHONDONTWRITEBYTECODE": "1"}
    penv_el = dict(penv, FUNCTION_EXECUTION="event-loop")
    bare_loop = {"BARE_EXECUTION": "event-loop"}
    worker = {"BARE_EXECUTION": "worker"}
    fixed = {"BARE_BODY": "fixed"}
    nenv = {"FUNCTION_DIR": nfn, "FUNCTION_ID": "trivial"}
    only = ONLY
    runtime_cds = appcds("runtime", runtime_jar, jenv) if JAVA_ROWS else []
    bare_cds = appcds("bare", bare_jar, {}) if JAVA_ROWS else []
    jdk_cds = appcds("bare-jdk", jdk_jar, {}) if JAVA_ROWS else []
    socket_cds = appcds("bare-socket", socket_jar, {}) if JAVA_ROWS else []
    before_cds = appcds("before", before_jar, jenv) if JAVA_ROWS and JAVA_BEFORE else []
    runtime_aot = aot_cache("runtime", runtime_jar, jenv) if JAVA_AOT else None
    bare_aot = aot_cache("bare", bare_jar, {}) if JAVA_AOT else None
    jdk_aot = aot_cache("bare-jdk", jdk_jar, {}) if JAVA_AOT else None
    socket_aot = aot_cache("bare-socket", socket_jar, {}) if JAVA_AOT else None
    before_aot = aot_cache("before", before_jar, jenv) if JAVA_AOT and JAVA_BEFORE else None
    aot_name = "JDK %s AOT cache" % java_feature(JAVA_AOT) if JAVA_AOT else ""
    cds_name = "JDK %s AppCDS" % java_feature(JAVA)

    def java(java_bin, archive, jar):
        return [java_bin] + flags + archive + ["-jar", jar]

    # groups of subjects whose throughput is compared: measured side by side (load_group); None: cold start only
    groups = [[
        (PY_BARE, [PYTHON, "-u", os.path.join(FR, "bench", "bare_server.py")], {}),
        (PY_BARE_FIXED, [PYTHON, "-u", os.path.join(FR, "bench", "bare_server.py")], fixed),
        (PY_BARE_LOOP, [PYTHON, "-u", os.path.join(FR, "bench", "bare_server.py")], bare_loop),
        (PY_RUNTIME, [PYTHON, "-u", os.path.join(work, "klambda_runtime")], penv),
        (PY_RUNTIME_EL, [PYTHON, "-u", os.path.join(work, "klambda_runtime")], penv_el),
    ] + ([(PY_RUNTIME_BEFORE, [PYTHON, "-u", os.path.join(work, "before", "klambda_runtime")], penv),
          (PY_RUNTIME_EL_BEFORE, [PYTHON, "-u", os.path.join(work, "before", "klambda_runtime")], penv_el)]
         if PYTHON_BEFORE else [])]
    def java_group(jdk, java_bin, bare_archive, runtime_archive, jdk_archive, socket_archive, before_archive):
        """The eight Java subjects of one JDK: the bare Quarkus app in three modes, the bare JDK server in two, the
        bare socket server, the runtime in two; and the runtime before (BENCH_JAVA_BEFORE)."""
        bare, runtime = java(java_bin, bare_archive, bare_jar), java(java_bin, runtime_archive, runtime_jar)
        jdk_bare, socket_bare = java(java_bin, jdk_archive, jdk_jar), java(java_bin, socket_archive, socket_jar)
        return [(BARE_EL % jdk, bare, {}), (BARE_WORKER % jdk, bare, worker), (BARE_FIXED % jdk, bare, fixed),
                (JDK_BARE % jdk, jdk_bare, {}), (JDK_BARE_EL % jdk, jdk_bare, bare_loop),
                (SOCKET_BARE % jdk, socket_bare, {}),
                (RUNTIME % jdk, runtime, jenv), (RUNTIME_EL % jdk, runtime, jenv_el)] + (
                    [(RUNTIME_BEFORE % jdk, java(java_bin, before_archive, before_jar), jenv)] if JAVA_BEFORE else [])

    if runtime_aot and bare_aot:
        groups.append(java_group(aot_name, JAVA_AOT, bare_aot, runtime_aot, jdk_aot or [], socket_aot or [], before_aot or []))
    groups.append(java_group(cds_name, JAVA, bare_cds, runtime_cds, jdk_cds, socket_cds, before_cds))
    node_bare = [NODE, os.path.join(work, "bare_server.js")]
    groups.append([
        (NODE_BARE, node_bare, {}),
        (NODE_BARE_FIXED, node_bare, fixed),
        (NODE_RUNTIME, [NODE, os.path.join(work, "node-runtime", "klambda_runtime.js")], nenv),
    ] + ([(NODE_RUNTIME_BEFORE, [NODE, os.path.join(work, "node-runtime-before", "klambda_runtime.js")], nenv)]
         if NODE_BEFORE else []))
    cold_only = [
        ("Java bare (Quarkus route), no CDS archive", java(JAVA, [], bare_jar), {}),
        ("Java runtime (its own HTTP/1.1 server), no CDS archive", java(JAVA, [], runtime_jar), jenv),
    ]
    wanted = lambda name: not only or name.lower().startswith(only)
    groups = [[s for s in g if wanted(s[0])] for g in groups]
    groups = [g for g in groups if g]
    cold_only = [s for s in cold_only if wanted(s[0])]
    # a variant (execution mode, fixed answer) starts exactly as its default: cold starts for the others, taking turns
    cold_subjects = [s for g in groups for s in g if s[2] not in (worker, jenv_el, fixed, bare_loop, penv_el)] + cold_only
    colds = {name: [] for name, _, _ in cold_subjects}
    node_floor = []  # `node -e 0`, taking turns with the cold starts: the floor no Node server starts under
    for _ in range(COLD_RUNS):
        for name, cmd, env in cold_subjects:
            colds[name].append(cold_start_ms(cmd, env))
        if wanted(NODE_BARE):
            node_floor.append(exit_ms([NODE, "-e", "0"]))
    sys.stderr.write("bench-runtime: cold starts done\n")
    results = {}
    for group in groups:
        warmup = {"Java": WARMUP_SECONDS, "Node": NODE_WARMUP_SECONDS}.get(group[0][0].split()[0], PY_WARMUP_SECONDS)
        results.update(load_group(group, script, warmup))
        sys.stderr.write("bench-runtime: %s done\n" % ", ".join(name for name, _, _ in group))
    for name, runs in colds.items():
        walls = [r[0] for r in runs]
        results.setdefault(name, {}).update({"cold": statistics.median(walls), "cold_min": min(walls),
                                             "cold_max": max(walls), "cold_cpu": statistics.median(r[1] for r in runs)})

    py_version = subprocess.run([PYTHON, "--version"], capture_output=True, text=True).stdout.strip()
    javas = [subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr.splitlines()[0]] if JAVA_ROWS else []
    javas.append("Node %s (%s)" % (subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip(), NODE))
    if JAVA_AOT:
        javas.append("%s (%s)" % (subprocess.run([JAVA_AOT, "-version"], capture_output=True, text=True)
                                   .stderr.splitlines()[0], JAVA_AOT))
    print("Machine: %d cores, load average %s; %s (%s); %s" % (
        os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg()), py_version, PYTHON, "; ".join(javas)))
    if JAVA_ROWS:
        print("JVM flags of every Java row (function-runtime/java/jvm.options): %s" % " ".join(flags))
    if os.environ.get("BENCH_NODE_FUNCTION"):
        print("The Node runtime rows serve %s (the bare servers the trivial function)." % NODE_FUNCTION)
    if PIN:
        print("BENCH_PIN=1: every server pinned to core %d, wrk -t1 to core %d." % (SERVER_CORE, LOAD_CORE))
    print("Cold start: median of %d starts, the subjects taking turns. Throughput: wrk -t2 -c16 --latency (POST %s), "
          "subjects of a group side by side, %d rounds of %d s each taking turns after a warm-up of %d s (Java) / "
          "%d s (Python) / %d s (Node); medians over the rounds. Light load: wrk -t1 -c%d -d%ds.\n" % (
              COLD_RUNS, BODY.decode(), ROUNDS, WRK_SECONDS, WARMUP_SECONDS, PY_WARMUP_SECONDS, NODE_WARMUP_SECONDS,
              LIGHT_CONNECTIONS, LIGHT_SECONDS))
    print("| subject | cold start median (min–max) | CPU to first 200 | req/s (16 conn.) | p50 / p99 (16 conn.) "
          "| p50 / p99 (%d conn.) | non-2xx | RSS idle | RSS under load |" % LIGHT_CONNECTIONS)
    print("|---|---|---|---|---|---|---|---|---|")
    for group in groups + [cold_only]:
        for name, _, _ in group:
            r = results[name]
            cold = ("%.0f ms (%.0f–%.0f) | %.0f ms" % (r["cold"], r["cold_min"], r["cold_max"], r["cold_cpu"])
                    if "cold" in r else "as the row above | ")
            if "rps" in r:
                print("| %s | %s | %.0f | %.2f / %.2f ms | %.2f / %.2f ms | %d | %.0f MiB | %.0f MiB |" % (
                    name, cold, r["rps"], r["p50"], r["p99"], r["p50_light"], r["p99_light"], r["non2xx"],
                    r["idle"], r["peak"]))
            else:
                print("| %s | %s | | | | | | |" % (name, cold))
    if node_floor:
        floor = statistics.median(w for w, _ in node_floor)
        print("\nNode itself, `node -e 0` (exec -> exit, taking turns with the cold starts): %.0f ms (CPU %.0f ms); "
              "cold start / that: runtime %.2fx, bare server %.2fx" % (
                  floor, statistics.median(c for _, c in node_floor), results[NODE_RUNTIME]["cold"] / floor,
                  results[NODE_BARE]["cold"] / floor))
    ratios = []

    def ratio(label, bare, runtime):
        b, r = results.get(bare), results.get(runtime)
        if b and r and "rps" in b and "rps" in r:
            # paired: each round's runtime run against the bare run just before it, then the median
            paired = statistics.median(x[0] / y[0] for x, y in zip(r["runs"], b["runs"]))
            text = "%s: throughput %.0f %% (paired rounds; %.0f %% from the medians)" % (
                label, 100 * paired, 100 * r["rps"] / b["rps"])
            if "cold" in b and "cold" in r:
                text += ", cold start %.2fx, RSS idle %.2fx" % (r["cold"] / b["cold"], r["idle"] / b["idle"])
            ratios.append(text)

    # like for like: the bare servers run the same trivial function in plain code, so the ratio is the runtime's own
    # cost (CloudEvents, errors, limits, metrics, the log line); the "fixed answer" ratios charge it the JSON too
    ratio("Python, runtime / bare server", PY_BARE, PY_RUNTIME)
    ratio("Python, runtime / bare server with a fixed answer", PY_BARE_FIXED, PY_RUNTIME)
    ratio("Python, runtime with FUNCTION_EXECUTION=event-loop / bare selectors loop", PY_BARE_LOOP, PY_RUNTIME_EL)
    ratio("Python, runtime with FUNCTION_EXECUTION=event-loop / bare server (a thread per connection)", PY_BARE, PY_RUNTIME_EL)
    ratio("Python, runtime before (BENCH_PYTHON_BEFORE) / bare server", PY_BARE, PY_RUNTIME_BEFORE)
    ratio("Python, runtime before (BENCH_PYTHON_BEFORE) with FUNCTION_EXECUTION=event-loop / bare selectors loop",
          PY_BARE_LOOP, PY_RUNTIME_EL_BEFORE)
    ratio("Python, runtime / runtime before (BENCH_PYTHON_BEFORE)", PY_RUNTIME_BEFORE, PY_RUNTIME)
    ratio("Python, runtime / runtime before (BENCH_PYTHON_BEFORE), FUNCTION_EXECUTION=event-loop", PY_RUNTIME_EL_BEFORE,
          PY_RUNTIME_EL)
    for jdk in ([aot_name] if aot_name else []) + [cds_name]:
        ratio("Java %s, runtime (worker, the default) / bare route on a worker thread (both may block)" % jdk,
              BARE_WORKER % jdk, RUNTIME % jdk)
        ratio("Java %s, runtime with FUNCTION_EXECUTION=event-loop / bare route on the event loop" % jdk,
              BARE_EL % jdk, RUNTIME_EL % jdk)
        ratio("Java %s, runtime (worker, the default) / bare route on the event loop" % jdk, BARE_EL % jdk, RUNTIME % jdk)
        ratio("Java %s, runtime (worker, the default) / bare JDK httpserver on 16 threads (no framework)" % jdk,
              JDK_BARE % jdk, RUNTIME % jdk)
        ratio("Java %s, bare JDK httpserver on 16 threads / bare Quarkus route on a worker thread" % jdk,
              BARE_WORKER % jdk, JDK_BARE % jdk)
        ratio("Java %s, runtime (worker, the default) / bare own HTTP/1.1 on blocking sockets (no framework)" % jdk,
              SOCKET_BARE % jdk, RUNTIME % jdk)
        ratio("Java %s, runtime with FUNCTION_EXECUTION=event-loop / bare route on the event loop with a fixed answer"
              % jdk, BARE_FIXED % jdk, RUNTIME_EL % jdk)
        ratio("Java %s, runtime / runtime before (BENCH_JAVA_BEFORE)" % jdk, RUNTIME_BEFORE % jdk, RUNTIME % jdk)
    ratio("Node, runtime / bare http server", NODE_BARE, NODE_RUNTIME)
    ratio("Node, runtime / bare http server with a fixed answer", NODE_BARE_FIXED, NODE_RUNTIME)
    ratio("Node, runtime before (BENCH_NODE_BEFORE) / bare http server", NODE_BARE, NODE_RUNTIME_BEFORE)
    ratio("Node, runtime / runtime before (BENCH_NODE_BEFORE)", NODE_RUNTIME_BEFORE, NODE_RUNTIME)
    print("\nRatios runtime/bare:\n" + "\n".join("- " + r for r in ratios))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
