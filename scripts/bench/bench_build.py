"""Driver of `make bench-build` (standard library only).

push-base HOST REPO TAG   push a synthetic 5 MB single-layer base image over the OCI distribution API
run BUILDER S3 N WARMUP BENCHMARKS.md COMMAND
                          upload N distinct 1 KB Python sources, post io.knative.lambda.build.requested
                          for each, one at a time, time event-in to reply-out, write p50/p95/p99
"""
import gzip
import hashlib
import http.client
import io
import json
import os
import platform
import re
import statistics
import sys
import tarfile
import time
import urllib.parse
import uuid


def _conn(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60), u.path or "/"


def push_base(host, repo, tag):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = os.urandom(5 * 1024 * 1024)
        info = tarfile.TarInfo("opt/runtime/blob.bin")
        info.size = len(data)
        info.mtime = 1
        tar.addfile(info, io.BytesIO(data))
    diff_id = "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()
    layer = gzip.compress(buf.getvalue(), mtime=0)
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
                         "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    c = http.client.HTTPConnection(*host.split(":"), timeout=60)

    def blob(body):
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        c.request("POST", f"/v2/{repo}/blobs/uploads/")
        r = c.getresponse(); r.read()
        loc = r.getheader("Location")
        sep = "&" if "?" in loc else "?"
        path = urllib.parse.urlsplit(loc)
        target = (path.path + ("?" + path.query if path.query else "")) + f"{sep}digest={digest}"
        c.request("PUT", target, body=body, headers={"Content-Type": "application/octet-stream"})
        r = c.getresponse(); r.read()
        assert r.status == 201, r.status
        return digest, len(body)

    cd, cs = blob(config)
    ld, ls = blob(layer)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": cs, "digest": cd},
                           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": ls,
                                       "digest": ld}]}).encode()
    c.request("PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
              headers={"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status


def source(i):
    body = f"# bench function {i} {uuid.uuid4()}\ndef handler(event):\n    return {{'n': {i}, 'event': event}}\n"
    return (body + "#" * (1024 - len(body) - 1) + "\n").encode()


def run(builder, s3, n, warmup, benchmarks, command):
    s3c, s3path = _conn(s3)
    bc, _ = _conn(builder)
    bucket = s3path.strip("/")
    times = []
    failures = 0
    for i in range(warmup + n):
        key = f"global/bench/fn-{uuid.uuid4().hex[:12]}"
        s3c, _ = _conn(s3)  # a connection per upload: s3rver closes one idle for 5 s (a slow build on a busy machine)
        s3c.request("PUT", f"/{bucket}/{key}", body=source(i))
        r = s3c.getresponse(); r.read()
        s3c.close()
        body = json.dumps({"bucket": bucket, "key": key})
        headers = {"ce-specversion": "1.0", "ce-id": f"bench-{i}", "ce-source": "/bench",
                   "ce-type": "io.knative.lambda.build.requested", "Content-Type": "application/json"}
        t0 = time.perf_counter()
        bc.request("POST", "/", body=body, headers=headers)
        r = bc.getresponse(); reply = r.read()
        elapsed = (time.perf_counter() - t0) * 1000
        ok = r.status == 200 and r.getheader("ce-type") == "io.knative.lambda.build.completed"
        if not ok:
            failures += 1
            print(f"build {i} failed: {r.status} {reply[:200]!r}", file=sys.stderr)
        if i >= warmup and ok:
            times.append(elapsed)
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)] if times else float("nan")

    p50, p95, p99 = statistics.median(times), pct(95), pct(99)
    print(f"builds: {len(times)} ok, {failures} failed; p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
          f"min {times[0]:.1f} ms, max {times[-1]:.1f} ms")
    section = (
        "## Builder\n\n"
        f"Command: `{command}` (scripts/bench/bench-build.sh). {n} distinct 1 KB Python sources, one at a time, "
        f"after {warmup} warm-up builds, through the packaged builder-service on loopback against Debian's "
        f"docker-registry (storage on {os.environ.get('BENCH_REGISTRY_ON', 'disk')}) and s3rver; base image: a synthetic "
        "5 MB single-layer image already in the registry. "
        "Time: build.requested posted → build.completed reply received (fetch, layer, push, manifest).\n\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores, "
        f"{platform.python_implementation()} driver.\n\n"
        "| builds | failed | p50 | p95 | p99 | min | max | target |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| {len(times)} | {failures} | {p50:.1f} ms | {p95:.1f} ms | {p99:.1f} ms | {times[0]:.1f} ms | "
        f"{times[-1]:.1f} ms | p50 ≤ 30 ms, p99 ≤ 100 ms |\n")
    text = open(benchmarks).read() if os.path.exists(benchmarks) else "# Benchmarks\n\n## Builder\n"
    pattern = re.compile(r"## Builder\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(lambda _: section, text, count=1) if pattern.search(text) else text + "\n" + section
    open(benchmarks, "w").write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    if sys.argv[1] == "push-base":
        push_base(*sys.argv[2:5])
    else:
        a = sys.argv[2:]
        sys.exit(run(a[0], a[1], int(a[2]), int(a[3]), a[4], a[5]))
