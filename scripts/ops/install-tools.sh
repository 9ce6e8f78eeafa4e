#!/usr/bin/env bash
# Installs what the integration tests, `make run` and the benchmarks need, when it is missing:
# Debian's docker-registry (the OCI registry), wrk (load generator) and jq (JSON in scripts), Node.js,
# kubectl (the tests render k8s/ with `kubectl kustomize`), pip (the builder installs Python dependencies with it), s3rver (the S3 server, from npm, into .tools/) and the
# schema packages the tests validate objects against (npm, into .tools/schemas). Idempotent; prints
# one line per tool.
set -euo pipefail
cd "$(dirname "$0")/../.."

S3RVER_VERSION=3.7.1
apt_updated=0
need_apt() {
  local pkg=$1 bin=$2
  if command -v "$bin" >/dev/null 2>&1; then
    echo "tools: $bin present"
    return
  fi
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "tools: $bin is missing; install the Debian package '$pkg'" >&2
    exit 1
  fi
  local SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  if [ $apt_updated = 0 ]; then
    $SUDO apt-get update -qq >/dev/null
    apt_updated=1
  fi
  echo "tools: installing $pkg"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
}

need_apt docker-registry docker-registry
need_apt wrk wrk
need_apt nodejs node
need_apt npm npm
need_apt python3 python3
need_apt curl curl
need_apt jq jq
need_apt bubblewrap bwrap
need_apt kubernetes-client kubectl
# pip: the builder installs Python functions' dependencies with `python3 -m pip` (KLAMBDA_PYTHON_PIP_COMMAND)
if python3 -m pip --version >/dev/null 2>&1; then
  echo "tools: pip present ($(python3 -m pip --version | cut -d' ' -f1-2))"
else
  need_apt python3-pip pip3
  python3 -m pip --version >/dev/null 2>&1 || { echo "tools: python3 -m pip still fails after installing python3-pip" >&2; exit 1; }
fi

if [ -f .tools/node_modules/s3rver/package.json ] \
   && grep -q "\"version\": \"$S3RVER_VERSION\"" .tools/node_modules/s3rver/package.json; then
  echo "tools: s3rver $S3RVER_VERSION present"
else
  echo "tools: installing s3rver $S3RVER_VERSION into .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent "s3rver@$S3RVER_VERSION" >/dev/null
fi

# The published Kubernetes and Knative schemas (npm packages pinned by test-support/schemas).
test-support/schemas/install.sh

# A Kafka broker (KRaft) from Maven Central jars, for `make run` and the integration tests.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' scripts/ops/kafka/pom.xml)
if [ -f ".tools/kafka/libs/kafka_2.13-$KAFKA_VERSION.jar" ]; then
  echo "tools: kafka $KAFKA_VERSION present"
else
  echo "tools: copying kafka $KAFKA_VERSION jars into .tools/kafka/libs"
  rm -rf .tools/kafka
  mvn -B -q -ntp -f scripts/ops/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$PWD/.tools/kafka/libs" -DincludeScope=runtime
fi
