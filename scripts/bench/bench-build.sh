#!/usr/bin/env bash
# `make bench-build`: N distinct 1 KB Python sources built through a warm builder against the local
# registry, with a 5 MB runtime base image already in that registry. Prints p50/p95/p99 and writes
# them, with the command, into BENCHMARKS.md (section "Builder"). Then, in the same run, archives with
# dependencies from a loopback PEP 503 index (scripts/bench/bench_deps.py, section "Builder: dependencies").
set -euo pipefail
N=${N:-200}
# Warm-up builds before the measured ones: the platform's JVMs run C1 only (local-env.sh), which compiles a method only
# after many calls (~200 by default, ~4 with local-env.sh's flags), and most of a build's code runs once per build:
# measured with the default threshold, p50 ~30 ms after 20 builds, 27-29 ms after 100-500 (BENCHMARKS.md "Builder").
WARMUP=${WARMUP:-200}
DEPS_N=${DEPS_N:-50}        # code-only rebuilds of an archive with 5 cached dependencies
FIRST_RUNS=${FIRST_RUNS:-5} # first builds of a new 5-package set (pip runs)
INDEX_PORT=${INDEX_PORT:-18077}
OUT=${BENCH_OUT:-}           # where the results go (default BENCHMARKS.md; bench-build-turns.sh gives a scratch file)
# The registry's storage: tmpfs (/dev/shm, the default where it exists) measures the builder; disk adds this machine's
# file-system latency to every blob and manifest the registry writes (5-10 ms each here, see BENCHMARKS.md).
export BENCH_REGISTRY_ON=${BENCH_REGISTRY_ON:-$([ -d /dev/shm ] && echo tmpfs || echo disk)}
export KLAMBDA_REGISTRY_PORT=${KLAMBDA_REGISTRY_PORT:-5077} KLAMBDA_S3_PORT=${KLAMBDA_S3_PORT:-4577} BUILDER_PORT=${BUILDER_PORT:-8077}
source "$(dirname "$0")/../dev/local-env.sh"
RUN=$ROOT/.run/bench-build
mkdir -p "$RUN"
rm -rf "$RUN/registry" "$RUN/s3" "$RUN/builder-cache"
SHM=""
if [ "$BENCH_REGISTRY_ON" = tmpfs ]; then
  SHM=$(mktemp -d /dev/shm/klambda-bench-registry.XXXXXX)
  ln -s "$SHM" "$RUN/registry"
fi
trap 'stop_all >/dev/null; [ -z "$SHM" ] || rm -rf "$SHM"' EXIT
say "registry storage: $BENCH_REGISTRY_ON"

build_builder
start_registry
start_s3
say "pushing a 5 MB base image to the registry (stands for the Python runtime image)"
python3 "$ROOT/scripts/bench/bench_build.py" push-base "127.0.0.1:$REGISTRY_PORT" bench/runtime-python 1
start_builder KLAMBDA_KAFKA_ENABLED=false KLAMBDA_RUNTIME_PYTHON_BASE_IMAGE="127.0.0.1:$REGISTRY_PORT/bench/runtime-python:1" \
  KLAMBDA_PYTHON_INDEX_URL="http://127.0.0.1:$INDEX_PORT/simple"
say "building $N distinct 1 KB sources (after $WARMUP warm-up builds)"
python3 "$ROOT/scripts/bench/bench_build.py" run "http://127.0.0.1:$BUILDER_PORT/" "http://127.0.0.1:$S3_PORT/$BUCKET" \
  "$N" "$WARMUP" "${OUT:-$ROOT/BENCHMARKS.md}" "make bench-build N=$N"
[ "$DEPS_N" -gt 0 ] || exit 0
say "archives with 5 dependencies: $DEPS_N code-only rebuilds (layer cached), $FIRST_RUNS first builds of new sets"
python3 "$ROOT/scripts/bench/bench_deps.py" run "http://127.0.0.1:$BUILDER_PORT/" "http://127.0.0.1:$S3_PORT/$BUCKET" \
  "$INDEX_PORT" "$RUN/registry" "$DEPS_N" "$FIRST_RUNS" "${OUT:-$ROOT/BENCHMARKS.md}" "make bench-build N=$N DEPS_N=$DEPS_N FIRST_RUNS=$FIRST_RUNS"
