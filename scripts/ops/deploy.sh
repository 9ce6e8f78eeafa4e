#!/usr/bin/env bash
# `make deploy` / `make undeploy`: the platform on the current kubectl context.
#   deploy:   k8s/ (kustomize; with REGISTRY=host[:port]/path the service images are taken from there),
#             then eventing/ (broker, triggers, dead letters, SinkBinding).
#   undeploy: the reverse. Functions (ksvcs the deployer made) are deleted with the namespace.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }
TAG=${TAG:-0.1.0-SNAPSHOT}
case "${1:-deploy}" in
  deploy)
    if [ -n "${REGISTRY:-}" ]; then
      overlay=$(mktemp -d)
      trap 'rm -rf "$overlay"' EXIT
      cp -r k8s "$overlay/base"
      cat > "$overlay/kustomization.yaml" <<YML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - base
images:
  - name: registry.example.com/knative-lambda/builder-service # as k8s/kustomization.yaml names it
    newName: $REGISTRY/builder-service
    newTag: "$TAG"
  - name: registry.example.com/knative-lambda/deployer-service
    newName: $REGISTRY/deployer-service
    newTag: "$TAG"
YML
      kubectl apply -k "$overlay"
    else
      kubectl apply -k k8s/
    fi
    kubectl apply -f eventing/
    echo "deployed; watch: kubectl get ksvc,triggers,brokers -n knative-lambda"
    ;;
  undeploy)
    kubectl delete -f eventing/ --ignore-not-found
    kubectl delete -k k8s/ --ignore-not-found
    ;;
  *) echo "usage: $0 deploy|undeploy" >&2; exit 2 ;;
esac
