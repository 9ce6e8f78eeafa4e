#!/usr/bin/env bash
# Side-by-side single-file build benchmark: `scripts/bench/bench-build-turns.sh BASE_CHECKOUT NEW_CHECKOUT [TURNS] [N]`
# runs scripts/bench/bench-build.sh (single files only: DEPS_N=0) in the baseline checkout and in this one, taking
# turns (base, new, base, new, ...), then prints each turn's p50/p99 with the load average, the medians and the ratio.
# The baseline checkout runs this checkout's bench-build.sh and bench_build.py (the driver, not the code measured).
# BENCH_REGISTRY_ON=tmpfs|disk is handed on (see bench-build.sh).
set -euo pipefail
BASE=${1:?baseline checkout}; NEW=${2:?new checkout}; TURNS=${3:-2}; N=${4:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
cp "$HERE/bench-build.sh" "$HERE/bench_build.py" "$BASE/scripts/bench/"
RESULTS=$(mktemp)
for turn in $(seq 1 "$TURNS"); do
  for which in base new; do
    dir=$BASE; [ "$which" = new ] && dir=$NEW
    out=$(cd "$dir" && N=$N DEPS_N=0 BENCH_OUT=$(mktemp) BENCH_REGISTRY_ON=${BENCH_REGISTRY_ON:-} \
      scripts/bench/bench-build.sh 2>&1 | grep '^builds:' || true)
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "turn $turn $which: $out (load $load)"
    echo "$which $(echo "$out" | sed -E 's/.*p50 ([0-9.]+) ms.*p99 ([0-9.]+) ms.*/\1 \2/') $load" >> "$RESULTS"
  done
done
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 4]
med = {w: (statistics.median(float(r[1]) for r in rows if r[0] == w), statistics.median(float(r[2]) for r in rows if r[0] == w))
       for w in ("base", "new")}
for w, (p50, p99) in med.items():
    print(f"{w}: median p50 {p50:.1f} ms, median p99 {p99:.1f} ms")
print(f"ratio new/base: p50 {med['new'][0] / med['base'][0]:.2f}, p99 {med['new'][1] / med['base'][1]:.2f}")
print("load averages: " + ", ".join(r[3] for r in rows))
PY
