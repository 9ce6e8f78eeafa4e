#!/usr/bin/env bash
# `make run`: the builder on one machine, for real. Starts a registry and an S3 server on loopback,
# builds and starts builder-service, uploads the developer guide's parser.py as
# global/parser/<uuid>, posts the S3 notification to the builder's webhook (which forwards the
# CloudEvent to the builder itself, as the broker would) and shows build.completed and the image in
# the registry. Stays up until Ctrl-C; `make stop` stops it from another terminal.
set -euo pipefail
source "$(dirname "$0")/local-env.sh"

if [ "${1:-}" = stop ]; then stop_all; exit 0; fi
if [ -f "$RUN/pids" ]; then stop_all >/dev/null; fi
mkdir -p "$RUN"
trap 'echo; stop_all; exit 0' INT TERM

build_builder
start_registry
start_s3
# The webhook's sink is the builder itself: in a cluster it is the broker (SinkBinding K_SINK).
start_builder K_SINK="http://127.0.0.1:$BUILDER_PORT/"

PARSER_ID="my-parser-$(cat /proc/sys/kernel/random/uuid)"
KEY="global/parser/$PARSER_ID"
PARSER="$ROOT/../shared/seed/parser.py"
[ -f "$PARSER" ] || PARSER="$ROOT/examples/parser.py"
say "uploading the guide's parser.py as s3://$BUCKET/$KEY"
curl -sf -X PUT --data-binary @"$PARSER" "http://127.0.0.1:$S3_PORT/$BUCKET/$KEY" -o /dev/null

say "asking the builder (io.knative.lambda.build.requested, binary mode)"
curl -s -D "$RUN/reply.headers" -o "$RUN/reply.json" "http://127.0.0.1:$BUILDER_PORT/" \
  -H "ce-specversion: 1.0" -H "ce-id: run-$PARSER_ID" -H "ce-source: /make/run" \
  -H "ce-type: io.knative.lambda.build.requested" -H "Content-Type: application/json" \
  -d "{\"bucket\":\"$BUCKET\",\"key\":\"$KEY\"}"
grep -i '^ce-' "$RUN/reply.headers"
python3 -m json.tool "$RUN/reply.json"
DIGEST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$RUN/reply.json")
say "the registry serves it: GET /v2/functions/parser-$PARSER_ID/manifests/$DIGEST"
curl -s -o /dev/null -w "HTTP %{http_code}\n" -H "Accept: application/vnd.docker.distribution.manifest.v2+json" \
  "http://127.0.0.1:$REGISTRY_PORT/v2/functions/parser-$PARSER_ID/manifests/$DIGEST"

cat <<TXT

Try more by hand (the platform stays up until Ctrl-C, or 'make stop'):
  # an S3 notification, as MinIO or AWS would send it, through the webhook:
  curl -s http://127.0.0.1:$BUILDER_PORT/s3/notifications -H 'Content-Type: application/json' \\
    -d '{"Records":[{"eventName":"ObjectCreated:Put","eventSource":"aws:s3","awsRegion":"us-east-1",
         "s3":{"bucket":{"name":"$BUCKET"},"object":{"key":"$KEY","size":1}}}]}'
  # a build request:
  curl -si http://127.0.0.1:$BUILDER_PORT/ -H 'ce-specversion: 1.0' -H 'ce-id: 42' -H 'ce-source: /me' \\
    -H 'ce-type: io.knative.lambda.build.requested' -H 'Content-Type: application/json' \\
    -d '{"bucket":"$BUCKET","key":"$KEY"}'
  # metrics and health:
  curl -s http://127.0.0.1:$BUILDER_PORT/q/metrics | grep klambda_
  curl -s http://127.0.0.1:$BUILDER_PORT/q/health
TXT
while true; do sleep 3600; done
