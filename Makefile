# Knative Lambda — the commands of the README. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
PORT ?= 8080

.DEFAULT_GOAL := help
.PHONY: help tools build test test-unit run stop dead-letters redrive bench-build bench-pipeline bench-cli bench-otel cli images deploy undeploy trigger-build

help: ## list the commands
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-16s %s\n", $$1, $$2}'

tools: ## install what tests and local runs need (docker-registry, wrk, jq, node, kubectl, s3rver, schema packages, Kafka jars)
	@scripts/ops/install-tools.sh

build: ## compile and package every module (no tests)
	$(MVN) -q package -DskipTests

test: tools ## run every test: unit (*Test) and integration (*IT) against real registry and S3 servers
	$(MVN) -Pit verify

test-unit: ## run the unit tests only (no servers needed)
	$(MVN) verify

run: tools ## the whole platform on this machine (Kafka, registry, S3, broker, builder, local cluster, deployer): upload, build, deploy, invoke the guide's parser.py
	@scripts/dev/run-local.sh

stop: ## stop what `make run` started
	@scripts/dev/run-local.sh stop

cli: ## build the klambda CLI (cli/); run it as scripts/klambda, or link it onto your PATH: ln -s $$PWD/scripts/klambda ~/.local/bin/
	$(MVN) -q package -DskipTests -pl cli -am
	@scripts/klambda --version

bench-cli: ## klambda's start-up, time to the first line, beside plain java -jar (hyperfine; RUNS=20)
	@scripts/bench/bench-cli.sh

bench-otel: tools ## what OpenTelemetry costs the builder: off (default) beside on, start-up and requests/s (ROUNDS=5)
	@scripts/bench/bench-otel.sh

dead-letters: ## list the dead letters: id, type, subject (function/key), attempts, first/last time, reason [ALL=1 BOOTSTRAP= TOPIC=]
	@scripts/ops/dead-letters.sh list

redrive: ## send dead letters back to the bus: ID=<id> one, else every one not yet redriven [BOOTSTRAP= TOPIC= BUS_TOPIC=]
	@scripts/ops/dead-letters.sh redrive $(or $(ID),all)

bench-build: tools ## benchmark builds against the local registry: single files (N=200), archives with 5 dependencies cached and first-time, bytes of a code-only rebuild
	@scripts/bench/bench-build.sh

bench-pipeline: tools ## benchmark upload -> answering function on the whole local platform (RUNS=20 BURST=100)
	@scripts/bench/bench-pipeline.sh

images: ## build and push the service images with Jib, then the runtime images (REGISTRY=host[:port]/path [INSECURE=true])
	@test -n "$(REGISTRY)" || { echo "usage: make images REGISTRY=host[:port]/path [INSECURE=true] [TAG=...]" >&2; exit 2; }
	$(MVN) -q package -DskipTests -pl builder-service,deployer-service -am \
	  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
	  -Dquarkus.container-image.registry=$(firstword $(subst /, ,$(REGISTRY))) \
	  -Dquarkus.container-image.group=$(patsubst $(firstword $(subst /, ,$(REGISTRY)))/%,%,$(REGISTRY)) \
	  -Dquarkus.container-image.insecure=$(or $(INSECURE),false) $(if $(TAG),-Dquarkus.container-image.tag=$(TAG))
	$(MAKE) runtime-images REGISTRY=$(REGISTRY) RUNTIME_TAG=$(or $(TAG),0.1.0)

deploy: ## install the platform on the current kubectl context: k8s/ (kustomize) then eventing/ [REGISTRY=... TAG=...]
	@scripts/ops/deploy.sh deploy

undeploy: ## remove what `make deploy` installed (and the functions in the namespace)
	@scripts/ops/deploy.sh undeploy

trigger-build: ## publish io.knative.lambda.build.requested for PARSER_ID (the guide's trigger-build-dev) [BROKER_URL=...]
	@scripts/ops/trigger-build.sh

# --- function-runtime (run-function, bench-runtime, images) ---
.PHONY: run-function bench-runtime runtime-images
FILE ?=
REGISTRY ?=
RUNTIME_TAG ?= latest
PYTHON_BASE ?= python:3.12-slim
JAVA_BASE ?= eclipse-temurin:21-jre
NODE_BASE ?= node:26-slim

run-function: ## serve one function locally with its production runtime (FILE=path/to/parser.py|Fn.java|parser.js PORT=8080)
	@function-runtime/scripts/run-function.sh "$(FILE)" "$(PORT)"

bench-runtime: tools ## benchmark the function runtimes beside bare servers: cold start, wrk throughput/latency, RSS [BENCH_ONLY=python|java|node BENCH_PIN=1 ROUNDS=5]
	$(if $(filter python node,$(BENCH_ONLY)),,$(MVN) -q package -DskipTests -pl function-runtime/compiler,function-runtime/java,function-runtime/bench-bare-quarkus -am)
	@python3 function-runtime/bench/bench_runtime.py

runtime-images: ## build and push the three runtime images with Jib (REGISTRY=host:port[/path] RUNTIME_TAG PYTHON_BASE JAVA_BASE NODE_BASE)
	@test -n "$(REGISTRY)" || { echo "usage: make runtime-images REGISTRY=host:port[/path] [RUNTIME_TAG=latest]" >&2; exit 2; }
	$(MVN) -q install -DskipTests -pl function-runtime/images -am
	$(MVN) -q -pl function-runtime/images exec:java -Dexec.args="--registry $(REGISTRY) --tag $(RUNTIME_TAG) \
	  --python-base $(PYTHON_BASE) --java-base $(JAVA_BASE) --node-base $(NODE_BASE) \
	  --python-runtime $(CURDIR)/function-runtime/python/klambda_runtime --java-app $(CURDIR)/function-runtime/java/target/runtime-app --java-options $(CURDIR)/function-runtime/java/jvm.options \
	  --node-runtime $(CURDIR)/function-runtime/node"
