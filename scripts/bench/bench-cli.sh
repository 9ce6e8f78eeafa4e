#!/usr/bin/env bash
# `make bench-cli`: the klambda CLI's start-up, time to the first line, with hyperfine. Side by side: the plain
# `java -jar` (no archive, default JIT) as the baseline, and scripts/klambda (AppCDS archive, C1 only).
# `--help` needs no platform; `get` also reads the local cluster's API when `make run` is up (.run/platform.json).
# RUNS (20), WARMUP (3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
KLAMBDA=$ROOT/scripts/klambda
"$KLAMBDA" --version >/dev/null # builds the CLI and its archive if needed
"$KLAMBDA" --version >/dev/null
BASE="java -jar $ROOT/cli/target/klambda.jar"
COMMANDS=("$BASE --help" "$KLAMBDA --help")
if [ -f "$ROOT/.run/platform.json" ]; then
  COMMANDS+=("$BASE get" "$KLAMBDA get")
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" "${COMMANDS[@]}"
