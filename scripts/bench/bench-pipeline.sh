#!/usr/bin/env bash
# `make bench-pipeline`: upload -> function answering, on the whole local platform (as `make run`
# starts it, on ports of its own). RUNS sequential uploads (p50/p95), then BURST distinct uploads at
# once (time until all answer, failures). Results and the command go to BENCHMARKS.md ("Pipeline").
set -euo pipefail
export KLAMBDA_REGISTRY_PORT=${KLAMBDA_REGISTRY_PORT:-5078} KLAMBDA_S3_PORT=${KLAMBDA_S3_PORT:-4578} \
  BUILDER_PORT=${BUILDER_PORT:-8078} DEPLOYER_PORT=${DEPLOYER_PORT:-8079} BROKER_PORT=${BROKER_PORT:-8188} \
  CLUSTER_PORT=${CLUSTER_PORT:-8089} \
  KAFKA_PORT=${KAFKA_PORT:-19092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
source "$(dirname "$0")/../dev/local-env.sh"
RUNS=${RUNS:-20}
BURST=${BURST:-100}
RUN=$ROOT/.run/bench-pipeline
rm -rf "$RUN"
mkdir -p "$RUN"
trap 'stop_all >/dev/null' EXIT

build_platform
start_kafka
start_registry
start_broker
start_builder KLAMBDA_BUILD_QUEUE_TIMEOUT=120s
start_local_cluster
start_deployer
start_s3_notifying
python3 "$ROOT/scripts/bench/bench_pipeline.py" "http://127.0.0.1:$S3_PORT/$BUCKET" "http://127.0.0.1:$BROKER_PORT" \
  "$RUNS" "$BURST" "$ROOT/BENCHMARKS.md" "make bench-pipeline RUNS=$RUNS BURST=$BURST" "$RUN"
