# Knative Lambda — the commands of the README. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
PORT ?= 8080

.DEFAULT_GOAL := help
.PHONY: help tools build test test-unit run stop bench-build

help: ## list the commands
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-16s %s\n", $$1, $$2}'

tools: ## install what tests and local runs need (docker-registry, wrk, node, s3rver)
	@scripts/install-tools.sh

build: ## compile and package every module (no tests)
	$(MVN) -q package -DskipTests

test: tools ## run every test: unit (*Test) and integration (*IT) against real registry and S3 servers
	$(MVN) -Pit verify

test-unit: ## run the unit tests only (no servers needed)
	$(MVN) verify

run: tools ## start the platform locally (registry, S3, builder) and build the guide's parser.py
	@scripts/run-local.sh

stop: ## stop what `make run` started
	@scripts/run-local.sh stop

bench-build: tools ## benchmark builds through a running builder against the local registry (N=200)
	@scripts/bench-build.sh

# --- function-runtime (run-function, bench-runtime, images) ---
