#!/usr/bin/env bash
# `make trigger-build PARSER_ID=...`: publish io.knative.lambda.build.requested for
# s3://$BUCKET/global/parser/$PARSER_ID (or KEY=...) to the broker.
#   BROKER_URL set (e.g. http://127.0.0.1:8180/ for `make run`, or a port-forwarded ingress): curl it.
#   Otherwise: a one-off curl pod in the cluster posts to the Kafka broker ingress.
set -euo pipefail
: "${PARSER_ID:?usage: make trigger-build PARSER_ID=<id> [BUCKET=...] [KEY=...] [BROKER_URL=...]}"
BUCKET=${BUCKET:-knative-lambda-fusion-modules-tmp}
KEY=${KEY:-global/parser/$PARSER_ID}
NAMESPACE=${NAMESPACE:-knative-lambda}
ID="trigger-build-$(date +%s)-$RANDOM"
DATA="{\"bucket\":\"$BUCKET\",\"key\":\"$KEY\"}"
HEADERS=(-H "ce-specversion: 1.0" -H "ce-id: $ID" -H "ce-source: /make/trigger-build"
         -H "ce-type: io.knative.lambda.build.requested" -H "ce-subject: $PARSER_ID" -H "Content-Type: application/json")
if [ -n "${BROKER_URL:-}" ]; then
  curl -sS -o /dev/null -w "broker answered %{http_code}\n" "${HEADERS[@]}" -d "$DATA" "$BROKER_URL"
else
  INGRESS=${BROKER_INGRESS:-http://kafka-broker-ingress.knative-eventing.svc.cluster.local/$NAMESPACE/knative-lambda}
  kubectl -n "$NAMESPACE" run "$ID" --rm -i --restart=Never --quiet --image=curlimages/curl:8.11.1 \
    --overrides='{"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":100,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"'"$ID"'","image":"curlimages/curl:8.11.1","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}},"args":["-sS","-o","/dev/null","-w","broker answered %{http_code}\\n","-H","ce-specversion: 1.0","-H","ce-id: '"$ID"'","-H","ce-source: /make/trigger-build","-H","ce-type: io.knative.lambda.build.requested","-H","ce-subject: '"$PARSER_ID"'","-H","Content-Type: application/json","-d","'"${DATA//\"/\\\"}"'","'"$INGRESS"'"]}]}}'
fi
echo "requested a build of s3://$BUCKET/$KEY (event $ID); watch: kubectl get ksvc -n $NAMESPACE -w"
