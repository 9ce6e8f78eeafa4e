#!/usr/bin/env bash
# `make bench-cli`: the klambda CLI's start-up, time to the first line, with hyperfine, side by side in one call:
#   - the JVM's floor: a hello world with scripts/klambda's JVM flags;
#   - BASELINE (a git revision, e.g. BASELINE=0e0a4f9, the last picocli CLI): that revision's CLI, built once into
#     $TMPDIR/klambda-bench-baseline-<rev>/ and run as its scripts/klambda ran it (its own AppCDS archive, trained the same
#     way, the same flags);
#   - this CLI with plain `java -jar` (no archive, default JIT);
#   - scripts/klambda (its AppCDS archive, C1 only).
# `--help` needs no platform; `get` also reads the local cluster's API when a local platform is up (.run/platform.json,
# or KLAMBDA_RUN_DIR). RUNS (20), WARMUP (3). Prints the load average first: compare only figures of a quiet machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
KLAMBDA=$ROOT/scripts/klambda
FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$KLAMBDA" --version >/dev/null # builds the CLI and trains its archive if needed

cat >"$TMP/Hello.java" <<'EOF'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
EOF
javac -d "$TMP" "$TMP/Hello.java"
COMMANDS=("java $FLAGS -cp $TMP Hello")
HELP=()
GET=()
if [ -n "${BASELINE:-}" ]; then
  # built once per revision, kept outside the repository so that a second run measures a quiet machine
  REV=$(git -C "$ROOT" rev-parse --short "$BASELINE")
  SRC=${TMPDIR:-/tmp}/klambda-bench-baseline-$REV
  OLD=$SRC/cli/target
  if [ ! -f "$OLD/klambda.jar" ]; then
    echo "building the CLI of $BASELINE ($REV) into $SRC" >&2
    rm -rf "$SRC" && mkdir -p "$SRC"
    git -C "$ROOT" archive "$REV" | tar -x -C "$SRC"
    (cd "$SRC" && mvn -B -q -ntp -o package -DskipTests -pl cli -am) >&2
  fi
  # its archive trained as scripts/klambda trains this CLI's (get against a platform that is not there)
  (unset KLAMBDA_KUBE_CONTEXT KLAMBDA_NAMESPACE
   exec java $FLAGS -XX:ArchiveClassesAtExit="$OLD/klambda.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
     -jar "$OLD/klambda.jar" get --run-dir "$ROOT/cli/target/cds-training") >/dev/null 2>&1 || true
  HELP+=("java $FLAGS -XX:SharedArchiveFile=$OLD/klambda.jsa -jar $OLD/klambda.jar --help")
  GET+=("java $FLAGS -XX:SharedArchiveFile=$OLD/klambda.jsa -jar $OLD/klambda.jar get")
fi
HELP+=("java -jar $ROOT/cli/target/klambda.jar --help" "$KLAMBDA --help")
GET+=("java -jar $ROOT/cli/target/klambda.jar get" "$KLAMBDA get")
COMMANDS+=("${HELP[@]}")
if [ -f "${KLAMBDA_RUN_DIR:-$ROOT/.run}/platform.json" ]; then
  COMMANDS+=("${GET[@]}")
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" "${COMMANDS[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
