# The project's commands. `make run` and `make test` do all set-up on a fresh machine:
# they install and start the local PostgreSQL, Kafka, Cassandra and SeaweedFS (the S3
# object store of media; deploy/local/), apply the schema, then run the services or the
# tests.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Every recipe sees the servers' addresses (values already in the environment win).
WITH_ENV := source deploy/local/env.sh &&

.PHONY: run test test-fast lint k8s-check fmt fmt-check build bench migrate infra-up infra-down infra-status deps

## run: start the servers, apply the schema, build and run every service (Ctrl-C stops them);
## command-api is built with its development-only helpers (web client, demo sign-in)
run: infra-up migrate
	cargo build --bins --features command-api/dev-tools
	$(WITH_ENV) deploy/local/run-services.sh

## test: check the format, lint and build in one pass, check the Kubernetes manifests,
## apply the schema, run every test
## (deploy/local/test.sh): the servers start and the manifests are checked while the code
## builds, and the test binaries run several at a time (TEST_JOBS, default 4), the ones
## that stop Kafka and the chat list's growth test alone at the end
test: deps
	deploy/local/test.sh

## test-fast: the tests that need no server, no lint and no set-up: every crate's unit
## tests, command-api's API over memory (tests/api_memory) and wse-gateway's WebSocket over
## memory (tests/ws_memory); passes with the servers down
## (one cargo run: the features of `make test`, so its build serves both)
test-fast:
	cargo test --workspace --all-features --lib --test api_memory --test ws_memory

## bench: the benchmark (release build): baselines of the raw servers and end-to-end
## figures of the running system, written to bench-report.md and bench-report.json
bench: infra-up migrate
	cargo build --release --bins
	$(WITH_ENV) ulimit -n "$$(ulimit -Hn)" && CHAT_BIN_DIR=target/release target/release/chat-bench

## lint: formatting check and clippy with warnings as errors
lint: deps fmt-check
	cargo clippy --workspace --all-targets --all-features -- -D warnings

## k8s-check: render the Kustomize base and overlays and validate them offline
k8s-check:
	deploy/k8s/check.sh

## fmt: format the code
fmt:
	cargo fmt --all

## fmt-check: check that the code is formatted
fmt-check:
	cargo fmt --all --check

## build: build every crate
build: deps
	cargo build --workspace --all-targets

## migrate: apply the PostgreSQL migrations, the CQL schema and the Kafka topics (re-runnable)
migrate: infra-up
	$(WITH_ENV) cargo run --quiet -p chat-migrate -- all

## infra-up / infra-down / infra-status: the local PostgreSQL, Kafka, Cassandra and SeaweedFS
infra-up: deps
	deploy/local/infra.sh up

infra-down:
	deploy/local/infra.sh down

infra-status:
	deploy/local/infra.sh status

## deps: the system packages and tools the build needs (skips what is installed)
deps:
	deploy/local/install-deps.sh
