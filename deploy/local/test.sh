#!/usr/bin/env bash
# `make test`: check the format, lint and build (one pass), check the Kubernetes
# manifests, apply the schema, run every test. The local servers start and the manifests
# are checked in the background while the code builds (that takes minutes; starting
# Cassandra is mostly waiting), and the test binaries run several at a time
# (crates/chat-test-runner). Prints how long each phase took.
#
#   deploy/local/test.sh
#
# TEST_JOBS: how many test binaries run at once (default 4: most of a test's time is
# waiting on the servers and on the service processes it starts, not computing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# chat_list measures how a table grows, which other sessions' snapshots and pins disturb:
# it runs after the others, alone. (The tests that stop a Kafka broker stop one of their
# own, chat_test_kit::own_broker, so they run beside the others.)
ALONE=(chat-read-model/chat_list)
# Pure computation, and long: it runs beside that one, instead of taking CPU from the
# binaries that share the servers.
BESIDE_ALONE=(chat-domain/properties)

phases=()
started=$SECONDS
phase() {
    local name=$1 began=$SECONDS
    shift
    echo "== test: $name"
    "$@"
    phases+=("$name $((SECONDS - began)) s")
}

# The servers' start and the manifest check need none of the build: they run beside it
# (mostly waiting), their output shown when the build is done.
mkdir -p .local/log
infra_log=.local/log/infra-up.log
# Java servers this run starts compile with C1 only (see jit_opts in lib.sh).
export INFRA_JIT=c1
deploy/local/infra.sh up >"$infra_log" 2>&1 &
infra=$!
k8s_log=.local/log/k8s-check.log
deploy/k8s/check.sh >"$k8s_log" 2>&1 &
k8s=$!
# Whatever ends this script also ends what still runs beside it.
trap 'kill "$infra" "$k8s" 2>/dev/null || true' EXIT

# Every compile goes through sccache (deploy/local/sccache.sh): a fresh clone on a machine
# that built these crates before reuses their output. Without it everything still builds.
use_sccache() {
    local wrapper
    wrapper=$(deploy/local/sccache.sh) || return 1
    "$wrapper" --start-server >/dev/null 2>&1 || true # fails when one already runs
    # Zeroed, so the counts read after the build are this run's.
    "$wrapper" --zero-stats >/dev/null 2>&1 || return 1
    export RUSTC_WRAPPER=$wrapper
    # cc-rs's C builds (aws-lc, ring...) follow RUSTC_WRAPPER; librdkafka's CMake build
    # reads these; a compile the server cannot take is done locally instead of failing.
    export CMAKE_C_COMPILER_LAUNCHER=$wrapper CMAKE_CXX_COMPILER_LAUNCHER=$wrapper
    export SCCACHE_IGNORE_SERVER_IO_ERROR=1
    # sccache cannot take an incremental compile: without this, every workspace crate
    # compiled again in each fresh clone, changed or not. (A developer's `cargo build`
    # afterwards, incremental again, rebuilds the workspace's crates once.)
    export CARGO_INCREMENTAL=0
}
use_sccache || echo "test: sccache is not available; building without the compiler cache" >&2

phase format make --no-print-directory deps fmt-check
# One build makes the service binaries (the end-to-end tests run them as processes),
# chat-migrate, the runner and every test, so each crate compiles once: `cargo build
# --bins` alone, or `cargo run -p chat-migrate`, would leave out the dev-dependencies'
# features (tokio's, serde_json's, syn's...), and about 90 crates, librdkafka's C among
# them, would compile again for the tests.
#
# It is also the lint (`make lint`'s clippy, same targets, features and -D warnings): the
# workspace's crates compile through clippy-driver, which is rustc with clippy's lints, so
# they are linted as they build instead of in a second, check-only pass over every crate
# first (the dependencies compile with plain rustc either way; CLIPPY_ARGS is how `cargo
# clippy` hands clippy-driver its `-- -D warnings`). Exported, not set for the build
# alone: cargo keeps one build of each crate, and the runner's `cargo test --no-run`
# without them would compile the workspace's crates all over again.
#
# --timings keeps what each crate cost in target/cargo-timings/cargo-timing.html: on a
# fresh machine (no compiler cache) this build is most of the run.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-Dwarnings
phase lint-and-build cargo build --workspace --all-targets --all-features --timings
# The compiler cache serves a clone only at a path that built before (its keys hold the
# target directory's path): the counts say whether this run found it warm. Read now: the
# sccache server quits after 10 idle minutes, and the tests compile nothing.
compiles="no compiler cache"
if [[ -n ${RUSTC_WRAPPER:-} ]]; then
    stats=$("$RUSTC_WRAPPER" --show-stats)
    echo "$stats" | sed -n '1,/^Cache misses /p'
    compiles=$(echo "$stats" | awk '/^Cache (hits|misses) +[0-9]/ {printf "%s%s %s", sep, $2, $3; sep=", "}')
fi

# Waits for a job started beside the build and shows its output; stops here if it failed.
await_beside() {
    local pid=$1 log=$2 failure=$3
    if ! wait "$pid"; then
        cat "$log"
        echo "test: $failure" >&2
        exit 1
    fi
    cat "$log"
}
waited=$SECONDS
await_beside "$k8s" "$k8s_log" "the Kubernetes manifests do not pass deploy/k8s/check.sh"
await_beside "$infra" "$infra_log" "the local servers did not start"
trap - EXIT
phases+=("manifests and servers (after the build) $((SECONDS - waited)) s")

# shellcheck source=deploy/local/env.sh
source deploy/local/env.sh
phase migrate target/debug/chat-migrate all
alone=()
for name in "${ALONE[@]}"; do alone+=(--alone "$name"); done
for name in "${BESIDE_ALONE[@]}"; do alone+=(--beside-alone "$name"); done
# The durations that order the run are kept with the user's caches, so a fresh clone
# starts the slowest binaries first too.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/chat-backend"
mkdir -p "$cache"
phase tests target/debug/chat-test-runner --jobs "${TEST_JOBS:-4}" --doc "${alone[@]}" \
    --durations "$cache/test-durations.tsv" \
    -- --workspace --all-features

summary="passed in $((SECONDS - started)) s: $(IFS=';'; echo "${phases[*]}")"
echo "== test: $summary"
# Kept beside the durations, so the figures of a run (CI's too) outlive its output.
echo "$(date -Is) $(git rev-parse --short HEAD 2>/dev/null || echo "?") $summary; in $PWD; compiles: $compiles" >>"$cache/test-phases.log"
