#!/usr/bin/env bash
# Shared by run-local.sh and the benchmarks: start and stop local mode's processes on loopback.
# Every process is recorded in .run/pids so that `make stop` finds it. Each service's environment
# is declared once, in scripts/dev/env/<service>.env (read here and by the end-to-end tests).
# Ports: KLAMBDA_REGISTRY_PORT (5000), KLAMBDA_S3_PORT (4569), BUILDER_PORT (8081),
# DEPLOYER_PORT (8082), CLUSTER_PORT (8083), BROKER_PORT (8180), KAFKA_PORT (9092, controller 9093),
# KLAMBDA_INGRESS_PORT (8088: the functions' URLs, http://{service}.local.localhost:8088).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=$ROOT/.run
REGISTRY_PORT=${KLAMBDA_REGISTRY_PORT:-5000}
S3_PORT=${KLAMBDA_S3_PORT:-4569}
BUILDER_PORT=${BUILDER_PORT:-8081}
BUCKET=${KLAMBDA_BUCKET:-knative-lambda-fusion-modules-tmp}
DEPLOYER_PORT=${DEPLOYER_PORT:-8082}
CLUSTER_PORT=${CLUSTER_PORT:-8083}
INGRESS_PORT=${KLAMBDA_INGRESS_PORT:-8088}
BROKER_PORT=${BROKER_PORT:-8180}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
BUILDER_JAR=$ROOT/builder-service/target/quarkus-app/quarkus-run.jar
DEPLOYER_JAR=$ROOT/deployer-service/target/quarkus-app/quarkus-run.jar
BROKER_JAR=$ROOT/local-broker/target/quarkus-app/quarkus-run.jar
JAVA_RUNTIME_JAR=$ROOT/function-runtime/java/target/runtime-app/klambda-runtime.jar
CLUSTER_JAR=$ROOT/local-cluster/target/local-cluster.jar
CLI_JAR=$ROOT/cli/target/klambda.jar

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # url what [tries]
  local url=$1 what=$2 tries=${3:-300}
  for _ in $(seq "$tries"); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    sleep 0.1
  done
  echo "$what did not come up at $url; see $RUN/*.log" >&2
  return 1
}

# JVM flags of the local platform's own processes (Kafka, broker, builder, local cluster, deployer): C1 only and the
# serial collector, as Quarkus dev mode does. On a 2-core laptop the C2 compiler threads otherwise take most of
# the CPU during the first minutes. C1 compiles a method after 0.02x the usual calls (~4 instead of ~200): most of
# the code that handles one function runs once per function, and stayed interpreted through a first burst of 100.
# A young generation of 64 MB (the default is a third of 1/64 of the machine's memory: 128 MB here) is all touched
# before the first uploads are done; a larger one was still being touched for the first time in a burst, each new
# page zeroed by the kernel. Together with the registry's GODEBUG below: a burst of 100 at 0.88x the CPU, and
# 0.91x again from 0.05 to 0.02 (BENCHMARKS.md, "Pipeline"). KLAMBDA_LOCAL_JAVA_OPTS overrides.
LOCAL_JAVA_OPTS=${KLAMBDA_LOCAL_JAVA_OPTS-"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CompileThresholdScaling=0.02 -Xmn64m"}
remember() { echo "$1 $2" >> "$RUN/pids"; }

# service_env NAME: the lines of scripts/dev/env/NAME.env, each ${VAR} and ${VAR:-default} filled in from the
# shell's variables (an unset VAR without a default is an error). LocalPlatform.java reads the same files.
service_env() {
  local file=$ROOT/scripts/dev/env/$1.env line out name value re='^([^$]*)\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}(.*)$'
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    out=""
    while [[ $line =~ $re ]]; do
      name=${BASH_REMATCH[2]}
      if [ -n "${!name+set}" ]; then value=${!name}
      elif [ -n "${BASH_REMATCH[3]}" ]; then value=${BASH_REMATCH[4]}
      else echo "$file: \${$name} is not set" >&2; return 1; fi
      out+=${BASH_REMATCH[1]}$value
      line=${BASH_REMATCH[5]}
    done
    printf '%s\n' "$out$line"
  done < "$file"
}

# start_service NAME LOG-NAME [NAME=value ...] -- COMMAND...: COMMAND in the background with NAME.env and the extra
# variables (which win), recorded for `make stop`.
start_service() {
  local service=$1 name=$2 lines; shift 2
  lines=$(service_env "$service") || return 1
  local -a vars extra=()
  mapfile -t vars <<< "$lines"
  while [ "$1" != -- ]; do extra+=("$1"); shift; done
  shift
  env "${vars[@]}" "${extra[@]}" "$@" > "$RUN/$name.log" 2>&1 &
  remember $! "$name"
}

start_registry() {
  mkdir -p "$RUN/registry"
  port_free "$REGISTRY_PORT" || { echo "port $REGISTRY_PORT is taken (KLAMBDA_REGISTRY_PORT)" >&2; return 1; }
  cat > "$RUN/registry.yml" <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $RUN/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YML
  # One OS thread for Go code and a larger GC step: on this kind of VM the registry's default scheduling
  # costs ~3 ms of CPU per request (goroutine wake-ups, a GC every few requests); this makes it ~0.8 ms.
  # A 1 ms timer slack stretches the Go scheduler's 20 us monitor sleeps (scripts/dev/timer-slack.py).
  # madvdontneed=0: the memory Go gives back is given with MADV_FREE, taken by the kernel only under pressure, so
  # the next GC cycle finds its pages still there instead of zeroing new ones (~400 page faults per build -> ~80).
  GOMAXPROCS=${KLAMBDA_REGISTRY_GOMAXPROCS:-1} GOGC=${KLAMBDA_REGISTRY_GOGC:-400} \
    GODEBUG=${KLAMBDA_REGISTRY_GODEBUG:-madvdontneed=0} \
    python3 "$ROOT/scripts/dev/timer-slack.py" "${KLAMBDA_REGISTRY_TIMER_SLACK_US:-1000}" \
    docker-registry serve "$RUN/registry.yml" > "$RUN/registry.log" 2>&1 &
  remember $! registry
  wait_http "http://127.0.0.1:$REGISTRY_PORT/v2/" "registry"
  say "registry   http://127.0.0.1:$REGISTRY_PORT (docker-registry, storage $RUN/registry)"
}

start_s3() {
  mkdir -p "$RUN/s3"
  port_free "$S3_PORT" || { echo "port $S3_PORT is taken (KLAMBDA_S3_PORT)" >&2; return 1; }
  node "$ROOT/.tools/node_modules/s3rver/bin/s3rver.js" --directory "$RUN/s3" --address 127.0.0.1 --port "$S3_PORT" \
    --silent --allow-mismatched-signatures --no-vhost-buckets --configure-bucket "$BUCKET" > "$RUN/s3.log" 2>&1 &
  remember $! s3
  wait_http "http://127.0.0.1:$S3_PORT/" "S3 server"
  say "S3         http://127.0.0.1:$S3_PORT (s3rver, bucket $BUCKET, keys S3RVER/S3RVER)"
}

build_builder() {
  if [ ! -f "$BUILDER_JAR" ] || [ -n "$(find "$ROOT/builder-service/src" "$ROOT/events/src" -newer "$BUILDER_JAR" -type f | head -1)" ]; then
    say "building builder-service (mvn package)"
    (cd "$ROOT" && mvn -B -q -ntp -pl builder-service -am package -DskipTests) || return 1
  fi
}

build_platform() {
  local stale=""
  for jar in "$BUILDER_JAR" "$DEPLOYER_JAR" "$BROKER_JAR" "$CLUSTER_JAR" "$JAVA_RUNTIME_JAR" "$CLI_JAR"; do
    [ -f "$jar" ] || stale=yes
  done
  if [ -z "$stale" ] && [ -n "$(find "$ROOT"/{events,builder-service,deployer-service,local-broker,local-cluster,function-runtime,cli}/src \
        -newer "$BUILDER_JAR" -type f 2>/dev/null | head -1)" ]; then stale=yes; fi
  if [ -n "$stale" ]; then
    say "building the platform (mvn package, a few minutes the first time)"
    (cd "$ROOT" && mvn -B -q -ntp package -DskipTests \
      -pl builder-service,deployer-service,local-broker,local-cluster,function-runtime/java,cli -am) || return 1
  fi
}

start_kafka() {
  local dir=$RUN/kafka libs=$ROOT/.tools/kafka/libs
  port_free "$KAFKA_PORT" || { echo "port $KAFKA_PORT is taken (KAFKA_PORT)" >&2; return 1; }
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
# one small broker on a laptop: fewer threads than the server defaults (3 network, 8 I/O, 10 background)
num.network.threads=1
num.io.threads=2
background.threads=2
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    java -cp "$libs/*" kafka.tools.StorageTool format --cluster-id="$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$dir/server.properties" > "$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; return 1; }
  fi
  java -Xmx512m $LOCAL_JAVA_OPTS -cp "$libs/*" kafka.Kafka "$dir/server.properties" > "$RUN/kafka.log" 2>&1 &
  remember $! kafka
  for _ in $(seq 600); do
    if grep -q "Kafka Server started" "$RUN/kafka.log" 2>/dev/null; then
      say "kafka      127.0.0.1:$KAFKA_PORT (KRaft, from Maven Central jars, data $dir/data)"; return 0
    fi
    sleep 0.1
  done
  echo "kafka did not start; see $RUN/kafka.log" >&2; return 1
}

# local mode's secrets, made once per .run/ and readable by this user only (0600), never printed: the webhook's shared
# token (the S3 server sends it, the builder checks it) and the builder's Ed25519 signing key (the deployer gets the
# public half only). Sets WEBHOOK_TOKEN for scripts/dev/env/*.env.
trust_material() {
  ( umask 077
    [ -s "$RUN/webhook.token" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$RUN/webhook.token"
    [ -s "$RUN/build-signing.key" ] || openssl genpkey -algorithm ed25519 -out "$RUN/build-signing.key" \
      || { echo "openssl could not make the build signing key" >&2; exit 1; }
    openssl pkey -in "$RUN/build-signing.key" -pubout -out "$RUN/build-signing.pub" ) || return 1
  WEBHOOK_TOKEN=$(cat "$RUN/webhook.token")
}

start_s3_notifying() { # the S3 server whose object notifications go to the builder's webhook, with its token
  mkdir -p "$RUN/s3"
  port_free "$S3_PORT" || { echo "port $S3_PORT is taken (KLAMBDA_S3_PORT)" >&2; return 1; }
  trust_material || return 1
  node "$ROOT/scripts/dev/s3-server.js" --directory "$RUN/s3" --port "$S3_PORT" --bucket "$BUCKET" \
    --webhook "http://127.0.0.1:$BUILDER_PORT/s3/notifications" --webhook-token-file "$RUN/webhook.token" \
    > "$RUN/s3.log" 2>&1 &
  remember $! s3
  wait_http "http://127.0.0.1:$S3_PORT/" "S3 server"
  say "S3         http://127.0.0.1:$S3_PORT (s3rver, bucket $BUCKET; notifications -> builder webhook)"
}

start_broker() {
  port_free "$BROKER_PORT" || { echo "port $BROKER_PORT is taken (BROKER_PORT)" >&2; return 1; }
  start_service broker broker -- java $LOCAL_JAVA_OPTS -jar "$BROKER_JAR" || return 1
  wait_http "http://127.0.0.1:$BROKER_PORT/q/health/ready" "local broker" 600
  say "broker     http://127.0.0.1:$BROKER_PORT (ingress: POST /, recent events: GET /events)"
}

# local_python: PYTHON, the interpreter local mode runs functions on (KLAMBDA_LOCAL_PYTHON, else the distribution's
# /usr/bin/python3, else python3 from PATH), and PYTHON_VERSION / PYTHON_PLATFORM, its version and newest wheel platform
# tag, so that the builder installs dependencies for exactly that interpreter (builder.env).
local_python() {
  PYTHON=${KLAMBDA_LOCAL_PYTHON:-}
  if [ -z "$PYTHON" ]; then
    if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
      PYTHON=/usr/bin/python3
    else
      PYTHON=$(command -v python3)
    fi
  fi
  read -r PYTHON_VERSION PYTHON_PLATFORM < <("$PYTHON" "$ROOT/scripts/dev/python-target.py") || {
    echo "cannot read the version and platform of $PYTHON" >&2; return 1; }
}

start_local_cluster() { # Knative Serving on this machine: the Kubernetes API the deployer writes to, functions as processes
  port_free "$CLUSTER_PORT" || { echo "port $CLUSTER_PORT is taken (CLUSTER_PORT)" >&2; return 1; }
  port_free "$INGRESS_PORT" || { echo "port $INGRESS_PORT is taken (KLAMBDA_INGRESS_PORT)" >&2; return 1; }
  # Functions run on the project's Python runtime, started by local mode's klambda_local.py (its fork server) and
  # compiled once here: every function start then skips
  # compiling it (~15 ms of a ~80 ms start; PYTHONDONTWRITEBYTECODE environments never cache it).
  # The interpreter: KLAMBDA_LOCAL_PYTHON, else the distribution's /usr/bin/python3 (what python:3.12-slim
  # has), else python3 from PATH. A version manager's python3 may add site hooks to every start (here: +75 ms).
  local_python || return 1
  rm -rf "$RUN/python" && mkdir -p "$RUN/python" || return 1
  cp -R "$ROOT/function-runtime/python/klambda_runtime" "$ROOT/function-runtime/python/klambda_local.py" \
    "$ROOT/function-runtime/python/klambda_sandbox.py" "$RUN/python/" || return 1
  rm -rf "$RUN/python/klambda_runtime/__pycache__"
  "$PYTHON" -m compileall -q -b "$RUN/python" || return 1  # .pyc beside each module, then the sources go
  find "$RUN/python" -name '*.py' -delete
  PYTHON_RUNTIME=$RUN/python/klambda_local.pyc
  start_service local-cluster local-cluster -- java $LOCAL_JAVA_OPTS -jar "$CLUSTER_JAR" || return 1
  wait_http "http://127.0.0.1:$CLUSTER_PORT/version" "local cluster" 600
  CLUSTER_TOKEN=$(cat "$RUN/local-cluster.token")
  say "cluster    http://127.0.0.1:$CLUSTER_PORT (Knative Serving on this machine: functions run as host processes)"
  say "ingress    http://{service}.local.localhost:$INGRESS_PORT (the functions' URLs)"
  write_platform_file
}

# .run/platform.json: where local mode is, for the klambda CLI (it finds it with no setting). No secret in it:
# the S3 keys are s3rver's fixed local ones; the cluster token stays in local-cluster.token.
write_platform_file() {
  jq -n --arg cluster "http://127.0.0.1:$CLUSTER_PORT" --arg broker "http://127.0.0.1:$BROKER_PORT" \
    --arg s3 "http://127.0.0.1:$S3_PORT" --arg bucket "$BUCKET" --arg kafka "127.0.0.1:$KAFKA_PORT" \
    --arg ingress "http://127.0.0.1:$INGRESS_PORT" \
    '{cluster: $cluster, broker: $broker, s3: $s3, bucket: $bucket, s3AccessKey: "S3RVER", s3SecretKey: "S3RVER",
      namespace: "local", functions: "functions", kafka: $kafka, topic: "knative-lambda", ingress: $ingress}' \
    > "$RUN/platform.json"
}

start_deployer() {
  port_free "$DEPLOYER_PORT" || { echo "port $DEPLOYER_PORT is taken (DEPLOYER_PORT)" >&2; return 1; }
  trust_material || return 1
  start_service deployer deployer -- java $LOCAL_JAVA_OPTS -jar "$DEPLOYER_JAR" || return 1
  wait_http "http://127.0.0.1:$DEPLOYER_PORT/q/health/ready" "deployer-service" 600
  say "deployer   http://127.0.0.1:$DEPLOYER_PORT (writes Knative Services to the local cluster)"
}

start_builder() { # extra env as NAME=value arguments (they win over builder.env)
  port_free "$BUILDER_PORT" || { echo "port $BUILDER_PORT is taken (BUILDER_PORT)" >&2; return 1; }
  local_python || return 1
  trust_material || return 1
  start_service builder builder "$@" -- java $LOCAL_JAVA_OPTS -jar "$BUILDER_JAR" || return 1
  wait_http "http://127.0.0.1:$BUILDER_PORT/q/health/ready" "builder-service" 600
  say "builder    http://127.0.0.1:$BUILDER_PORT (log $RUN/builder.log)"
}

# The function processes and the Python fork server of a local cluster that was SIGKILLed: each is recorded with its
# kernel start time (local-cluster's OwnedProcess: "pid starttime port"), so a pid since reused is never killed.
stop_functions() {
  local f pid start rest now
  for f in "$RUN"/functions/*/process.pid "$RUN"/functions/python-fork-server.pid; do
    [ -f "$f" ] || continue
    read -r pid start rest < "$f" || true
    now=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f20)
    if [ -n "$now" ] && [ "$now" = "$start" ] && kill "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      echo "stopped function process $pid ($(basename "$(dirname "$f")"))"
    fi
    rm -f "$f"
  done
}

stop_all() {
  [ -f "$RUN/pids" ] || { stop_functions; echo "nothing else to stop"; return 0; }
  # the reverse of the start order; the local cluster stops the function processes it started (each gets
  # SIGTERM and 10 s to drain, in parallel), so it may take a little longer
  tac "$RUN/pids" | while read -r pid name; do
    [ "$pid" = "$$" ] && continue # make run stopping itself
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      echo "stopped $name ($pid)"
    fi
  done
  rm -f "$RUN/pids"
  stop_functions
}
