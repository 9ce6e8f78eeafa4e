"""Dependency builds for `make bench-build` (standard library only), side by side with the single-file builds.

run BUILDER S3 INDEX_PORT REGISTRY_DIR N FIRST_RUNS BENCHMARKS.md COMMAND
    serves a PEP 503 index of small py3-none-any wheels on 127.0.0.1:INDEX_PORT (the builder's
    KLAMBDA_PYTHON_INDEX_URL), then measures, one build at a time:
    - an archive with 5 dependencies whose layer is cached: N code-only rebuilds (p50, p95);
    - the first build of a 5-package set never seen before: FIRST_RUNS builds, each with new packages (median);
    - the bytes one code-only rebuild adds to the registry (REGISTRY_DIR: the registry's storage folder).
    Appends the table to the "## Builder: dependencies" section of BENCHMARKS.md.
"""
import base64
import hashlib
import http.server
import io
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zipfile

from bench_build import _conn

WHEELS = {}  # project -> {file name: bytes}


def wheel(project, version, code):
    dist = f"{project}-{version}.dist-info/"
    files = {f"{project}.py": code,
             dist + "METADATA": f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n",
             dist + "WHEEL": "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = ""
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record += f"{name},sha256={digest},{len(text.encode())}\n"
    files[dist + "RECORD"] = record + dist + "RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    WHEELS.setdefault(project, {})[f"{project}-{version}-py3-none-any.whl"] = buf.getvalue()


class Index(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        body, kind = None, "text/html"
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in WHEELS:
            links = "".join(f'<a href="/files/{parts[1]}/{f}#sha256={hashlib.sha256(b).hexdigest()}">{f}</a>\n'
                            for f, b in WHEELS[parts[1]].items())
            body = f"<html><body>{links}</body></html>".encode()
        elif len(parts) == 3 and parts[0] == "files" and parts[2] in WHEELS.get(parts[1], {}):
            body, kind = WHEELS[parts[1]][parts[2]], "application/octet-stream"
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


def archive(main, requirements):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("main.py", main)
        z.writestr("helpers.py", "def double(n):\n    return 2 * n\n")
        z.writestr("requirements.txt", "\n".join(requirements) + "\n")
    return buf.getvalue()


def blobs(registry_dir):
    root = os.path.join(registry_dir, "docker/registry/v2/blobs")
    out = {}
    for folder, _, files in os.walk(root):
        if "data" in files:
            out[os.path.basename(folder)] = os.path.getsize(os.path.join(folder, "data"))
    return out


def build(s3, bucket, bc, key, body, i):
    s3c, _ = _conn(s3)  # a connection per upload: s3rver closes one idle for 5 s (pip runs take longer)
    s3c.request("PUT", f"/{bucket}/{key}", body=body)
    r = s3c.getresponse(); r.read()
    s3c.close()
    headers = {"ce-specversion": "1.0", "ce-id": f"bench-deps-{i}-{uuid.uuid4().hex[:8]}", "ce-source": "/bench",
               "ce-type": "io.knative.lambda.build.requested", "Content-Type": "application/json"}
    t0 = time.perf_counter()
    bc.request("POST", "/", body=json.dumps({"bucket": bucket, "key": key}), headers=headers)
    r = bc.getresponse(); reply = r.read()
    ms = (time.perf_counter() - t0) * 1000
    if r.status != 200 or r.getheader("ce-type") != "io.knative.lambda.build.completed":
        raise SystemExit(f"build of {key} failed: {r.status} {reply[:300]!r}")
    return ms, json.loads(reply)


def calibration():
    """How busy the machine is: wall time of an empty python3 start (pip's floor) and the load average."""
    t0 = time.perf_counter()
    subprocess.run(["python3", "-c", "pass"], check=True)
    return (time.perf_counter() - t0) * 1000, os.getloadavg()[0]


def run(builder, s3, index_port, registry_dir, n, first_runs, benchmarks, command):
    empty_python_ms, load = calibration()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", index_port), Index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _, s3path = _conn(s3)
    bc, _ = _conn(builder)
    bucket = s3path.strip("/")

    cached = [f"benchdep{c}" for c in "abcde"]
    for p in cached:
        wheel(p, "1.0", f"def value():\n    return '{p}'\n")
    requirements = [f"{p}==1.0" for p in cached]
    key = f"global/bench/deps-{uuid.uuid4().hex[:10]}.zip"
    main = "import " + ", ".join(cached) + "\nfrom helpers import double\n\ndef handler(event):\n    return {'n': double(%d)}\n"
    first_ms, first = build(s3, bucket, bc, key, archive(main % -1, requirements), 0)
    times = []
    for i in range(n):
        ms, reply = build(s3, bucket, bc, key, archive(main % i, requirements), i + 1)
        layer = [l for l in reply["layers"] if l["name"] == "dependencies"][0]
        assert layer["reused"], reply
        times.append(ms)
    before = blobs(registry_dir)
    _, rebuilt = build(s3, bucket, bc, key, archive(main % (n + 1), requirements), n + 1)
    added = {d: s for d, s in blobs(registry_dir).items() if d not in before}
    deps_digest = [l for l in rebuilt["layers"] if l["name"] == "dependencies"][0]["digest"].split(":")[1]
    code_digest = [l for l in rebuilt["layers"] if l["name"] == "code"][0]["digest"].split(":")[1]

    fresh = []
    for r in range(first_runs):
        names = [f"fresh{uuid.uuid4().hex[:8]}{c}" for c in "abcde"]
        for p in names:
            wheel(p, "1.0", f"def value():\n    return '{p}'\n")
        ms, reply = build(s3, bucket, bc, f"global/bench/fresh-{uuid.uuid4().hex[:10]}.zip",
                          archive("import " + ", ".join(names) + "\n\ndef handler(event):\n    return event\n",
                                  [f"{p}==1.0" for p in names]), 1000 + r)
        assert not [l for l in reply["layers"] if l["name"] == "dependencies"][0]["reused"], reply
        fresh.append(ms)
    server.shutdown()

    times.sort()
    p50, p95 = statistics.median(times), times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    fresh_median = statistics.median(fresh)
    kinds = ", ".join(("code layer" if d == code_digest else "manifest or config") + f" {s} B"
                      for d, s in sorted(added.items(), key=lambda e: -e[1]))
    print(f"calibration: python3 -c pass {empty_python_ms:.0f} ms, load {load:.1f}")
    print(f"cached-deps archive: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {n}; first build of a new 5-package set: "
          f"median {fresh_median:.0f} ms over {first_runs} ({', '.join(f'{t:.0f}' for t in fresh)}); "
          f"code-only rebuild pushed {len(added)} blobs, {sum(added.values())} B ({kinds}); "
          f"dependency blob pushed again: {deps_digest in added}")
    section = (
        "## Builder: dependencies\n\n"
        f"Command: `{command}` (scripts/bench/bench-build.sh, then scripts/bench/bench_deps.py in the same run, same "
        "builder, registry and S3 server). Archives (.zip) of main.py, helpers.py and a requirements.txt of 5 small "
        "py3-none-any wheels served by a PEP 503 index on loopback (pip runs for real: `python3 -m pip install "
        "--only-binary=:all: --target ...`).\n\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores; the machine was "
        "shared with other builds and tests at the time, so the figures are noisy (upper bounds rather than "
        f"typical values): load average {load:.1f}, and an empty `python3 -c pass` took {empty_python_ms:.0f} ms "
        "(pip starts an interpreter and imports a lot more). The single-file builds of the section above ran in the "
        "same conditions: compare the two tables, not these figures with a quiet machine's.\n\n"
        "| case | runs | result | target |\n|---|---|---|---|\n"
        f"| archive with 5 dependencies, dependency layer cached (code-only rebuilds) | {n} | p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms | p50 ≤ 250 ms |\n"
        f"| first build of a 5-package set from a loopback index (pip runs) | {first_runs} | median {fresh_median:.0f} ms "
        f"(min {min(fresh):.0f}, max {max(fresh):.0f}) | ≤ 3 s |\n"
        f"| bytes pushed for one code-only rebuild | 1 | {len(added)} blobs, {sum(added.values())} B: {kinds}; "
        f"dependency layer pushed again: {'yes' if deps_digest in added else 'no'} | only the code layer, config and "
        "manifest |\n")
    text = open(benchmarks).read()
    pattern = re.compile(r"## Builder: dependencies\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.replace("## Builder: where the time goes", section + "\n## Builder: where the time goes", 1)
    open(benchmarks, "w").write(text)
    return 0


if __name__ == "__main__":
    a = sys.argv[2:]
    sys.exit(run(a[0], a[1], int(a[2]), a[3], int(a[4]), int(a[5]), a[6], a[7]))
