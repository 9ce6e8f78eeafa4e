#!/usr/bin/env bash
# `make run`: the whole platform on one machine, for real (local mode). Starts Kafka (KRaft, from
# Maven Central jars), a registry (Debian's docker-registry) and an S3 server on loopback, then the
# local broker, the builder, the local cluster (Knative Serving on this machine) and the deployer
# (which writes Knative Services to the local cluster's Kubernetes API); uploads the guide's
# parser.py as global/parser/my-parser-<uuid>, waits for deploy.completed, invokes the function
# with the guide's test event as plain JSON and as a CloudEvent, and stays up until Ctrl-C.
# `make stop` stops everything from another terminal.
set -euo pipefail
source "$(dirname "$0")/local-env.sh"

if [ "${1:-}" = stop ]; then stop_all; exit 0; fi
stop_all >/dev/null # what an earlier run left, even after a SIGKILL (function processes by their pid files)
rm -rf "$RUN"
mkdir -p "$RUN"
remember $$ make-run # `make stop` from another terminal ends this script too (last)
trap 'echo; say "stopping"; if [ -n "${SLEEPER:-}" ]; then kill "$SLEEPER" 2>/dev/null; fi; stop_all; exit 0' INT TERM
# a failed start stops what it had started (make stop is not needed after a failure)
trap 'status=$?; if [ $status != 0 ]; then echo "make run failed; stopping what it started" >&2; stop_all >/dev/null; fi' EXIT

build_platform
start_kafka
start_registry
start_broker
start_builder
start_local_cluster
start_deployer
start_s3_notifying

PARSER_ID="my-parser-$(cat /proc/sys/kernel/random/uuid)"
KEY="global/parser/$PARSER_ID"
PARSER="$ROOT/examples/parser.py"
say "uploading the guide's parser.py as s3://$BUCKET/$KEY"
START=$(date +%s%N)
curl -sf -X PUT --data-binary @"$PARSER" "http://127.0.0.1:$S3_PORT/$BUCKET/$KEY" -o /dev/null

say "waiting for io.knative.lambda.deploy.completed (S3 notification -> builder -> Kafka -> deployer)"
URL=""
for _ in $(seq 1200); do
  URL=$(curl -sf "http://127.0.0.1:$BROKER_PORT/events?type=io.knative.lambda.deploy&subject=$PARSER_ID" | jq -r '
    first(.[] | select(.type == "io.knative.lambda.deploy.failed" or .type == "io.knative.lambda.deploy.completed")
      | if .type == "io.knative.lambda.deploy.failed" then "FAILED " + (.data | tojson) else .data.url end) // empty' \
    || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
case "$URL" in
  "") echo "no deploy.completed within 120 s; logs in $RUN/*.log" >&2; exit 1 ;;
  FAILED*) echo "deploy failed: ${URL#FAILED }" >&2; exit 1 ;;
esac
say "deployed in $(( ($(date +%s%N) - START) / 1000000 )) ms: $URL"
curl -sf "http://127.0.0.1:$BROKER_PORT/events?subject=$PARSER_ID" | jq -r '.[] | "    \(.type) \(.source // "")"'

say "invoking it with plain JSON (the guide's curl)"
curl -s -X POST "$URL" -H "Content-Type: application/json" \
  -d '{"parser_id":"'"$PARSER_ID"'","third_party_id":"customer-123","data":{"key":"value"}}'
echo

say "invoking it with a CloudEvent through the broker (io.knative.lambda.invoke, subject parser-$PARSER_ID: the Service name)"
curl -s -o /dev/null -w "    broker answered %{http_code}\n" "http://127.0.0.1:$BROKER_PORT/" \
  -H "ce-specversion: 1.0" -H "ce-id: make-run-$PARSER_ID" -H "ce-source: /make/run" \
  -H "ce-type: io.knative.lambda.invoke" -H "ce-subject: parser-$PARSER_ID" -H "Content-Type: application/json" \
  -d '{"parser_id":"'"$PARSER_ID"'","third_party_id":"customer-123","data":{"key":"value"}}'
for _ in $(seq 300); do
  RESPONSE=$(curl -sf "http://127.0.0.1:$BROKER_PORT/events?type=io.knative.lambda.response&subject=$PARSER_ID" \
    | jq 'if length > 0 then last else empty end' || true)
  [ -n "$RESPONSE" ] && break
  sleep 0.1
done
echo "$RESPONSE"

say "the functions (scripts/klambda get)"
"$ROOT/scripts/klambda" get || true
say "its timeline (scripts/klambda trace $PARSER_ID)"
"$ROOT/scripts/klambda" trace "$PARSER_ID" || true

cat <<TXT

The platform is up until Ctrl-C (or 'make stop' from another terminal). Try more by hand:
  # plain JSON, binary CloudEvent, structured CloudEvent straight to the function:
  curl -s $URL -H 'Content-Type: application/json' -d '{"parser_id":"$PARSER_ID","data":{"key":"value"}}'
  curl -si $URL -H 'ce-specversion: 1.0' -H 'ce-id: 1' -H 'ce-source: /me' -H 'ce-type: io.knative.lambda.invoke' \\
    -H 'Content-Type: application/json' -d '{"parser_id":"$PARSER_ID"}'
  curl -s $URL -H 'Content-Type: application/cloudevents+json' \\
    -d '{"specversion":"1.0","id":"2","source":"/me","type":"io.knative.lambda.invoke","data":{"parser_id":"$PARSER_ID"}}'
  # the klambda CLI (scripts/klambda --help): where is it, what did it log, where did an upload get stuck
  scripts/klambda get
  scripts/klambda invoke $PARSER_ID '{"parser_id":"$PARSER_ID"}'
  scripts/klambda logs $PARSER_ID --since 5m
  scripts/klambda trace $PARSER_ID
  scripts/klambda events -f
  # a new version (rebuilt, rolled out as a new revision), a rollback, and removal (the function stops):
  scripts/klambda deploy examples/parser.py --id another-parser
  scripts/klambda rollback $PARSER_ID
  scripts/klambda delete another-parser
  # the real kubectl, read-only (writes need the deployer's token):
  export KUBECONFIG=$RUN/kubeconfig
  kubectl get ksvc
  kubectl get ksvc parser-$PARSER_ID -o yaml
  kubectl get revisions,triggers
  kubectl get ksvc -w
  # the platform's own logs: $RUN/*.log
TXT
echo "kubectl against local mode:  export KUBECONFIG=$RUN/kubeconfig"
while true; do sleep 3600 & SLEEPER=$!; wait "$SLEEPER"; done # a wait, so that a signal's trap runs at once
