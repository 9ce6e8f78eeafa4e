#!/usr/bin/env bash
# Shared by run-local.sh and the benchmarks: start and stop the local registry, S3 server and
# builder on loopback. Every process is recorded in .run/pids so that `make stop` finds it.
# Ports: KLAMBDA_REGISTRY_PORT (5000), KLAMBDA_S3_PORT (4569), BUILDER_PORT (8081).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN=$ROOT/.run
REGISTRY_PORT=${KLAMBDA_REGISTRY_PORT:-5000}
S3_PORT=${KLAMBDA_S3_PORT:-4569}
BUILDER_PORT=${BUILDER_PORT:-8081}
BUCKET=${KLAMBDA_BUCKET:-knative-lambda-fusion-modules-tmp}
BUILDER_JAR=$ROOT/builder-service/target/quarkus-app/quarkus-run.jar

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

remember() { echo "$1 $2" >> "$RUN/pids"; }

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

start_builder() { # extra env as NAME=value arguments
  port_free "$BUILDER_PORT" || { echo "port $BUILDER_PORT is taken (BUILDER_PORT)" >&2; return 1; }
  env AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
    KLAMBDA_S3_ENDPOINT="http://127.0.0.1:$S3_PORT" \
    KLAMBDA_REGISTRY="127.0.0.1:$REGISTRY_PORT/functions" KLAMBDA_REGISTRY_INSECURE=true \
    KLAMBDA_BUILD_CACHE_DIR="$RUN/builder-cache" \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$BUILDER_PORT" \
    "$@" java -jar "$BUILDER_JAR" > "$RUN/builder.log" 2>&1 &
  remember $! builder
  wait_http "http://127.0.0.1:$BUILDER_PORT/q/health/ready" "builder-service" 600
  say "builder    http://127.0.0.1:$BUILDER_PORT (log $RUN/builder.log)"
}

stop_all() {
  [ -f "$RUN/pids" ] || { echo "nothing to stop"; return 0; }
  while read -r pid name; do
    if kill "$pid" 2>/dev/null; then echo "stopped $name ($pid)"; fi
  done < "$RUN/pids"
  rm -f "$RUN/pids"
}
