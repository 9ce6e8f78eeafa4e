#!/usr/bin/env bash
# Serves one function locally with the same runtime it gets in production (make run-function FILE=... PORT=...).
#   .py or no extension -> the Python runtime; .java -> compiled with the project's ECJ compiler (its //DEPS lines
#   resolved with Maven first), then the Java runtime;
#   .js, .mjs, .cjs -> the Node.js runtime (Node 20+ on PATH, or NODE=/path/to/node);
#   a folder, .zip, .tar.gz or .tgz -> a Python function of several files, its requirements.txt installed first.
# Extra settings pass through the environment: FUNCTION_ID, FUNCTION_HANDLER, FUNCTION_TIMEOUT_MS,
# FUNCTION_MAX_BODY_BYTES, FUNCTION_CONCURRENCY, HOST (default 127.0.0.1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MVN="${MVN:-mvn -B -ntp}"
FILE="${1:-${FILE:-}}"
PORT="${2:-${PORT:-8080}}"
if [ -z "$FILE" ] || [ ! -e "$FILE" ]; then
  echo "usage: make run-function FILE=path/to/function[.py|.java|.js|.mjs|.cjs] | folder | archive.zip|.tar.gz|.tgz [PORT=8080]" >&2
  exit 2
fi
FILE="$(cd "$(dirname "$FILE")" && pwd)/$(basename "$FILE")"
name="$(basename "$FILE")"
stem="${name%.*}"
stem="${stem%.tar}"
export PORT HOST="${HOST:-127.0.0.1}"
export FUNCTION_ID="${FUNCTION_ID:-$(echo "$stem" | tr 'A-Z_' 'a-z-' | tr -cd 'a-z0-9-')}"

# A Python folder or archive (as uploaded): unpacked into a temporary folder, requirements.txt installed as the builder
# does (binary wheels only, nothing of a package runs, no .pyc; for this interpreter, from KLAMBDA_PYTHON_INDEX_URL or
# pip's own index) into a folder beside it named by FUNCTION_DEPS_DIR; the handler's file is FUNCTION_FILE, else main.py,
# else the single .py file (the builder's rules in builder-service/README.md).
if [ -d "$FILE" ] || [[ "$name" == *.zip || "$name" == *.tar.gz || "$name" == *.tgz ]]; then
  work="$(mktemp -d -t klambda-function-XXXXXX)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/function"
  if [ -d "$FILE" ]; then
    cp -R "$FILE/." "$work/function/"
  else
    python3 - "$FILE" "$work/function" <<'PY'
import sys, tarfile, zipfile
archive, target = sys.argv[1], sys.argv[2]
if archive.endswith(".zip"):
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)  # zipfile drops absolute paths and '..'
else:
    with tarfile.open(archive, "r:gz") as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(target, filter="data")  # no links outside, no devices, no absolute paths
        else:
            raise SystemExit("run-function: this Python cannot unpack a tar safely (3.8.17+/3.11.4+ can); use a .zip")
PY
  fi
  if [ -f "$work/function/requirements.txt" ]; then
    echo "run-function: installing requirements.txt (wheels only) into $work/function-deps" >&2
    python3 -m pip install --quiet --disable-pip-version-check --only-binary=:all: --no-compile \
      --target "$work/function-deps" ${KLAMBDA_PYTHON_INDEX_URL:+--index-url "$KLAMBDA_PYTHON_INDEX_URL"} \
      -r "$work/function/requirements.txt"
    export FUNCTION_DEPS_DIR="$work/function-deps"
  fi
  if [ -z "${FUNCTION_FILE:-}" ] && [ -f "$work/function/main.py" ]; then
    FUNCTION_FILE=main.py
  fi
  echo "run-function: $name on the Python runtime, http://$HOST:$PORT/" >&2
  FUNCTION_RUNTIME=python FUNCTION_DIR="$work/function" FUNCTION_FILE="${FUNCTION_FILE:-}" \
    python3 -u "$ROOT/function-runtime/python/klambda_runtime" &
  pid=$!
  trap 'kill -TERM $pid 2>/dev/null; wait $pid; rm -rf "$work"' INT TERM
  wait $pid
  exit $?
fi

case "$name" in
  *.java)
    jar="$ROOT/function-runtime/java/target/runtime-app/klambda-runtime.jar"
    compiler="$ROOT/function-runtime/compiler/target/function-compiler-0.1.0-SNAPSHOT.jar"
    if [ ! -f "$jar" ] || [ ! -f "$compiler" ]; then
      echo "run-function: building the Java runtime and compiler (once)" >&2
      (cd "$ROOT" && $MVN -q package -DskipTests -pl function-runtime/compiler,function-runtime/java -am)
    fi
    dir="$(mktemp -d -t klambda-function-XXXXXX)"
    trap 'rm -rf "$dir"' EXIT
    cp "$FILE" "$dir/$name"
    # //DEPS group:artifact:version lines: resolved with Maven (runtime scope, transitively) into a folder of jars that
    # the source is compiled against and the runtime puts on the class path (FUNCTION_DEPS_DIR), as the builder does
    deps="$(sed -n 's#^[[:space:]]*//DEPS[[:space:]]\+##p' "$FILE" | tr ', ' '\n\n' | sed '/^$/d')"
    jars=()
    if [ -n "$deps" ]; then
      mkdir -p "$dir/deps"
      { echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        echo '<groupId>local</groupId><artifactId>run-function</artifactId><version>0</version><dependencies>'
        while IFS=: read -r g a v _; do
          echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version></dependency>"
        done <<< "$deps"
        echo '</dependencies></project>'; } > "$dir/pom.xml"
      echo "run-function: resolving //DEPS $(echo $deps) with Maven" >&2
      $MVN -q -f "$dir/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir/deps" >&2
      jars=("$dir/deps")
      export FUNCTION_DEPS_DIR="$dir/deps"
    fi
    class="$(java -cp "$compiler:$ROOT/function-runtime/compiler/target/lib/*" \
      io.knative.lambda.runtime.compiler.JavaFunctionCompiler "$dir/$name" "$dir/classes" "${jars[@]}")"
    echo "run-function: $name compiled to $class; Java runtime on http://$HOST:$PORT/" >&2
    FUNCTION_RUNTIME=java FUNCTION_DIR="$dir" FUNCTION_FILE="$name" FUNCTION_CLASS="$class" \
      java @"$ROOT/function-runtime/java/jvm.options" -jar "$jar" &
    pid=$!
    trap 'kill -TERM $pid 2>/dev/null; wait $pid; rm -rf "$dir"' INT TERM
    wait $pid
    ;;
  *.js|*.mjs|*.cjs)
    node="${NODE:-node}"
    if ! "$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
      echo "run-function: the Node.js runtime needs Node 20 or later (found: $("$node" --version 2>/dev/null || echo none))" >&2
      exit 2
    fi
    echo "run-function: $name on the Node.js runtime ($("$node" --version)), http://$HOST:$PORT/" >&2
    FUNCTION_RUNTIME=node FUNCTION_DIR="$(dirname "$FILE")" FUNCTION_FILE="$name" \
      exec "$node" "$ROOT/function-runtime/node/klambda_runtime.js"
    ;;
  *.py|*[!.]*)
    if [[ "$name" == *.* && "$name" != *.py ]]; then
      echo "run-function: $name: only .py, .java, .js/.mjs/.cjs or extension-less (Python) files" >&2
      exit 2
    fi
    echo "run-function: $name on the Python runtime, http://$HOST:$PORT/" >&2
    FUNCTION_RUNTIME=python FUNCTION_DIR="$(dirname "$FILE")" FUNCTION_FILE="$name" \
      exec python3 -u "$ROOT/function-runtime/python/klambda_runtime"
    ;;
esac
