#!/usr/bin/env bash
# `make bench-otel`: what OpenTelemetry costs the builder, off (no OTLP endpoint: the default) beside on (spans
# exported over OTLP/HTTP to a sink on loopback that accepts and drops them). Per round and mode: start-up (process
# start to /q/health/ready) and a request benchmark (wrk, POST / with a build.requested CloudEvent the builder
# answers at once with build.failed InvalidEvent: the inbound route, EventTracing and the reply, no build).
# Baseline beside them ("none"): the same revision built without the OpenTelemetry extension (`-Dno-otel`, the
# committed tree copied to a temp folder and packaged there once), so that "off costs nothing" is a measured claim.
# ROUNDS (5), DURATION (10s), CONNECTIONS (4), KLAMBDA_BENCH_BUILDER_JAR (a packaged builder to use as it is),
# NO_OTEL_JAR (a builder packaged with -Dno-otel; else built here). Medians printed at the end.
set -euo pipefail
source "$(dirname "$0")/../dev/local-env.sh"
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-4}
BUILDER_JAR=${KLAMBDA_BENCH_BUILDER_JAR:-$BUILDER_JAR}
[ -n "${KLAMBDA_BENCH_BUILDER_JAR:-}" ] || build_builder
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
NONE_JAR=${NO_OTEL_JAR:-}
if [ -z "$NONE_JAR" ]; then
  REV=$(git -C "$ROOT" rev-parse --short HEAD)
  SRC=${TMPDIR:-/tmp}/klambda-bench-no-otel-$REV
  NONE_JAR=$SRC/builder-service/target/quarkus-app/quarkus-run.jar
  if [ ! -f "$NONE_JAR" ]; then
    echo "building the builder of $REV without OpenTelemetry (-Dno-otel) into $SRC, once" >&2
    rm -rf "$SRC" && mkdir -p "$SRC"
    git -C "$ROOT" archive HEAD | tar -x -C "$SRC"
    (cd "$SRC" && mvn -B -q -ntp -o package -DskipTests -Dno-otel -pl builder-service -am) >&2
  fi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SINK_PORT=$(free_port)
python3 - "$SINK_PORT" <<'PY' > "$WORK/sink.log" 2>&1 &
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["ce-specversion"] = "1.0"
wrk.headers["ce-id"] = "bench-1"
wrk.headers["ce-source"] = "/bench"
wrk.headers["ce-type"] = "io.knative.lambda.build.requested"
wrk.headers["ce-subject"] = "bench"
LUA
run_mode() { # mode -> "startup_ms rps p50"
  local mode=$1 port pid t0 t1 extra=()
  port=$(free_port)
  if [ "$mode" = on ]; then
    extra=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
  fi
  t0=$(date +%s%N)
  env "${extra[@]}" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" KLAMBDA_BUILD_CACHE_DIR="$WORK/cache" \
    java $LOCAL_JAVA_OPTS -jar "$([ "$mode" = none ] && echo "$NONE_JAR" || echo "$BUILDER_JAR")" > "$WORK/builder-$mode.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do sleep 0.02; done
  t1=$(date +%s%N)
  local out
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port/")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $(awk '/Requests\/sec/ {print $2}' <<< "$out") $(awk '$1 == "50%" {print $2}' <<< "$out")"
}
declare -A START RPS P50
for r in $(seq "$ROUNDS"); do
  for mode in none off on; do
    read -r s q l < <(run_mode "$mode")
    START[$mode]+="$s "; RPS[$mode]+="$q "; P50[$mode]+="$l "
    echo "round $r $mode: start-up ${s} ms, ${q} requests/s, p50 ${l}"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for mode in none off on; do
  echo "median $mode: start-up $(median <<< "${START[$mode]}") ms, $(median <<< "${RPS[$mode]}") requests/s"
done
