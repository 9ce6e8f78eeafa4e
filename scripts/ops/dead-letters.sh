#!/usr/bin/env bash
# `make dead-letters` / `make redrive [ID=...]`: the dead-letter topic listed, and its events sent back to the bus
# (io.knative.lambda.service.deadletter.DeadLettersCli, run from the deployer's packaged classpath). Local mode
# (make run) needs no setting; a cluster's KafkaSink topic: BOOTSTRAP=host:port TOPIC=... BUS_TOPIC=<the broker's topic>.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$ROOT/deployer-service/target/quarkus-app/lib/main
if [ ! -d "$LIB" ]; then
  (cd "$ROOT" && mvn -B -q -ntp -pl deployer-service -am package -DskipTests) >&2
fi
ARGS=("$@")
[ -n "${BOOTSTRAP:-}" ] && ARGS+=(--bootstrap "$BOOTSTRAP")
[ -n "${TOPIC:-}" ] && ARGS+=(--topic "$TOPIC")
[ -n "${BUS_TOPIC:-}" ] && ARGS+=(--bus-topic "$BUS_TOPIC")
[ -n "${ALL:-}" ] && ARGS+=(--all)
exec java -cp "$LIB/*" io.knative.lambda.service.deadletter.DeadLettersCli "${ARGS[@]}"
