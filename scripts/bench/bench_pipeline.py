"""Driver of `make bench-pipeline` (standard library only): upload a Python function to the local
S3 server and time until the deployed function answers 200 to a plain JSON POST."""
import http.client
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid


def source(tag):
    return f"def handler(event):\n    return {{'tag': '{tag}', 'echo': event}}\n".encode()


def upload(s3, key, body):
    u = urllib.parse.urlsplit(s3)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("PUT", f"{u.path}/{key}", body=body)
    r = c.getresponse(); r.read(); c.close()
    assert r.status == 200, r.status


def deployed_url(broker, function_id):
    u = urllib.parse.urlsplit(broker)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", f"/events?type=io.knative.lambda.deploy&subject={function_id}")
    r = c.getresponse(); events = json.loads(r.read()); c.close()
    for e in events:
        if e["type"] == "io.knative.lambda.deploy.failed":
            raise RuntimeError(f"{function_id}: deploy.failed {e.get('data')}")
        if e["type"] == "io.knative.lambda.deploy.completed":
            return e["data"]["url"]
    return None


def answers(url):
    u = urllib.parse.urlsplit(url)
    # http://{service}.local.localhost:PORT (the local ingress): curl resolves *.localhost, Python's resolver may not
    host = "127.0.0.1" if u.hostname.endswith(".localhost") else u.hostname
    try:
        c = http.client.HTTPConnection(host, u.port, timeout=10)
        c.request("POST", "/", body=b'{"k":1}', headers={"Content-Type": "application/json", "Host": u.netloc})
        r = c.getresponse(); r.read(); c.close()
        return r.status == 200
    except OSError:
        return False


def upload_until_answer(s3, broker, timeout=300):
    fid = f"bench-{uuid.uuid4().hex[:12]}"
    t0 = time.perf_counter()
    upload(s3, f"global/bench/{fid}", source(fid))
    deadline = t0 + timeout
    url = None
    while time.perf_counter() < deadline:
        url = url or deployed_url(broker, fid)
        if url and answers(url):
            return time.perf_counter() - t0
        time.sleep(0.02)
    raise TimeoutError(f"{fid} did not answer within {timeout} s")


def cpu_seconds(run_dir):
    """CPU (user + system, s) of each process of the platform (`$RUN/pids`: "pid name" lines; a child running the
    same program as its named parent, as the S3 server's forked worker, counts as its parent) and, as "functions", of
    every other live process started from the run folder (function processes, the Python fork server); and, under
    the key (NAME, thread id), what each JIT compiler thread of a JVM among them used (code not yet compiled).
    A function's process runs a few milliseconds at a time and then sleeps: the kernel's tick-sampled user and system
    times miss most of it (0 for each of 30 forked functions that each ran ~3 ms), so for those the scheduler's own
    count (`/proc/PID/task/*/schedstat`, in ns, threads still alive) is taken where it is the larger."""
    tick = os.sysconf("SC_CLK_TCK")
    named = {}
    try:
        for line in open(os.path.join(run_dir, "pids")):
            pid, _, name = line.strip().partition(" ")
            if pid.isdigit():
                named[int(pid)] = name or pid
    except OSError:
        pass
    totals = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        parent = int(fields[1])
        name = named.get(pid) or (named[parent] if parent in named and same_program(pid, parent) else None) \
            or ("functions" if run_dir in cmdline else None)
        if name == "functions":
            used = max(used, scheduled_seconds(pid))
        if name:
            totals[name] = totals.get(name, 0.0) + used
        if pid in named:
            for tid, seconds in jit_threads(pid, tick).items():
                totals[(name, tid)] = seconds
    return totals


def scheduled_seconds(pid):
    """CPU (s) the scheduler counted for the live threads of `pid` (the first field of each task's schedstat)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tasks:
        try:
            total += int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def same_program(pid, parent):
    """Whether `pid` runs what `parent` runs (the same executable and first argument: a forked worker)."""
    try:
        return (os.readlink(f"/proc/{pid}/exe") == os.readlink(f"/proc/{parent}/exe")
                and open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[1:2]
                == open(f"/proc/{parent}/cmdline", "rb").read().split(b"\0")[1:2])
    except OSError:
        return False


def jit_threads(pid, tick):
    """CPU (s) of each JIT compiler thread of a JVM ("C1 CompilerThread0", …) by thread id. The JVM starts and ends
    them as work comes and goes: a thread that ended before the second reading is not counted (an undercount)."""
    used = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return used
    for tid in tasks:
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        if re.match(r"C\d CompilerThre", stat[stat.index("(") + 1:]):
            fields = stat[stat.rindex(")") + 2:].split()
            used[int(tid)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def machine_busy():
    """(busy, total, interrupts, steal) jiffies of all cores so far, from /proc/stat; None where it cannot be read.
    Interrupts: hard and soft (loopback networking's receive side runs there); steal: taken by the hypervisor."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4], sum(fields), fields[5] + fields[6], fields[7]
    except (OSError, ValueError, IndexError):
        return None


def all_processes_cpu():
    """CPU (s) of every process on the machine so far (user + system, kernel threads included)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


def main(s3, broker, runs, burst, benchmarks, command, run_dir=""):
    upload_until_answer(s3, broker)  # warm-up: JIT, consumer groups, first image
    seq = [upload_until_answer(s3, broker) * 1000 for _ in range(runs)]
    seq.sort()
    p50 = statistics.median(seq)
    p95 = seq[min(len(seq) - 1, int(round(0.95 * len(seq))) - 1)]
    print(f"sequential: {runs} uploads, p50 {p50:.0f} ms, p95 {p95:.0f} ms, min {seq[0]:.0f}, max {seq[-1]:.0f}")

    # Burst: all uploads at once; one poller follows the deploy events and probes each new URL, so the
    # harness stays light next to the platform it measures.
    ids = [f"burst-{uuid.uuid4().hex[:12]}" for _ in range(burst)]
    failures = []
    cpu_before = cpu_seconds(run_dir) if run_dir else {}
    busy_before = machine_busy()
    all_before = all_processes_cpu()
    own_before = os.times()
    t0 = time.perf_counter()
    uploaders = [threading.Thread(target=upload, args=(s3, f"global/bench/{fid}", source(fid))) for fid in ids]
    for t in uploaders:
        t.start()
    for t in uploaders:
        t.join()
    pending, urls, answered, seen = set(ids), {}, {}, 0
    u = urllib.parse.urlsplit(broker)
    while pending and time.perf_counter() - t0 < 600:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request("GET", f"/events?type=io.knative.lambda.deploy&limit=1000&after={seen}")  # only the new ones
        r = c.getresponse()
        events = json.loads(r.read()); c.close()
        seen = int(r.getheader("Klambda-Last-Event") or seen)
        for e in events:
            fid = e.get("subject")
            if fid in pending and fid not in urls:
                if e["type"] == "io.knative.lambda.deploy.failed":
                    failures.append(f"{fid}: {e.get('data')}"); pending.discard(fid)
                else:
                    urls[fid] = e["data"]["url"]
        for fid in [f for f in pending if f in urls]:
            if answers(urls[fid]):
                answered[fid] = time.perf_counter() - t0
                pending.discard(fid)
        time.sleep(0.1)
    failures += [f"{fid}: not answering after 600 s" for fid in pending]
    total = max(answered.values()) if answered else float("nan")
    busy_after = machine_busy()
    all_after = all_processes_cpu()
    own_after = os.times()
    own = (own_after.user + own_after.system) - (own_before.user + own_before.system)
    print(f"burst: {burst} uploads at once, all answering after {total:.1f} s, {len(failures)} failed")
    if answered:  # when the functions came up: a long tail is waiting, not CPU
        done = sorted(answered.values())
        print("  answering: " + ", ".join(f"{q} % after {done[max(0, -(-q * len(done) // 100) - 1)]:.1f} s"
                                          for q in (10, 25, 50, 75, 90, 100)))
    if busy_before and busy_after:
        (b0, t0_, i0, s0), (b1, t1_, i1, s1) = busy_before, busy_after
        tick = os.sysconf("SC_CLK_TCK")
        print(f"  the machine's cores were busy {100 * (b1 - b0) / max(t1_ - t0_, 1):.0f} % of the burst (all processes):"
              f" {(b1 - b0) / tick:.1f} s, of which interrupts {(i1 - i0) / tick:.1f} s, stolen by the hypervisor"
              f" {(s1 - s0) / tick:.1f} s, processes {all_after - all_before:.1f} s (those that ended during the burst"
              f" not counted)")
    print(f"  this benchmark's own process (its {burst} uploading threads, its polling): {own:.1f} s of CPU,"
          f" {1000 * own / max(burst, 1):.0f} ms per function (not in the table)")
    for f in failures[:5]:
        print("  failure:", f)
    cpu = cpu_seconds(run_dir) if run_dir else {}
    jit = {}  # a JVM's compiler threads, summed by thread: the JVM starts new ones during the burst
    for k in [k for k in cpu if isinstance(k, tuple)]:
        jit[k[0]] = jit.get(k[0], 0.0) + cpu.pop(k) - cpu_before.get(k, 0.0)
    spent = {k: v - cpu_before.get(k, 0.0) for k, v in cpu.items() if v - cpu_before.get(k, 0.0) > 0.005}
    per = max(burst, 1) / 1000
    cpu_rows = "".join(f"| {k} | {v:.1f} s | {v / per:.0f} ms | {f'{jit[k] / per:.0f} ms' if k in jit else '–'} |\n"
                       for k, v in sorted(spent.items(), key=lambda kv: -kv[1]))
    if spent:
        cpu_rows += (f"| **all** | **{sum(spent.values()):.1f} s** | **{sum(spent.values()) / per:.0f} ms** | "
                     f"**{sum(jit.values()) / per:.0f} ms** |\n")
        print("CPU the burst cost, by process:\n" + cpu_rows, end="")

    intro = (
        "## Pipeline (local mode)\n\n"
        "Command: `make bench-pipeline [RUNS=20] [BURST=100]` (scripts/bench/bench-pipeline.sh). The whole platform of "
        "`make run` on loopback: Kafka (KRaft), docker-registry, s3rver with its notification webhook, local broker, "
        "builder and deployer over Kafka, functions on the Python runtime as host processes. Time: PUT of a distinct "
        "Python source → the function's first 200 to a plain JSON POST (S3 notification → builder webhook → broker → "
        "Kafka → build → Kafka → deployer → pull, unpack, start, ready → deploy.completed → first answer). One warm-up "
        "upload first. Each run adds its figures at the top of this section; the earlier ones stay below.\n\n")
    run = (
        f"**{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, `{command}`** (written by "
        "the benchmark):\n\n"
        "| measure | result | target |\n|---|---|---|\n"
        f"| upload → answering, {runs} sequential uploads | p50 {p50:.0f} ms, p95 {p95:.0f} ms (min {seq[0]:.0f}, max {seq[-1]:.0f}) | p50 ≤ 1 s |\n"
        f"| {burst} distinct uploads at once → all answering | {total:.1f} s, {len(failures)} failed | ≤ 6 s, none |\n"
        + ("\nCPU the burst cost, by process (user + system from `/proc/PID/stat`, before and after the burst; "
           "\"functions\": the function processes and the fork server, by the scheduler's count where it is larger "
           "(the tick-sampled times miss short runs); \"JIT\": the part of it a JVM's compiler "
           "threads used, those alive at the end; not in it: this benchmark's own process, "
           f"{1000 * own / max(burst, 1):.0f} ms per function):\n\n| process | CPU | per function | of which JIT, per function |\n|---|---|---|---|\n"
           + cpu_rows if cpu_rows else "") + "\n")
    text = open(benchmarks).read()
    found = re.search(r"## Pipeline \(local mode\)\n\n.*?\n\n", text, re.S)  # the heading and its first paragraph
    if found is None:
        text = text.rstrip() + "\n\n" + intro + run
    else:  # the new run first, every earlier one kept
        text = text[:found.end()] + run + "\n" + text[found.end():]
    open(benchmarks, "w").write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(main(a[0], a[1], int(a[2]), int(a[3]), a[4], a[5], a[6] if len(a) > 6 else ""))
