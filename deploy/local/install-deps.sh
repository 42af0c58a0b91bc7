#!/usr/bin/env bash
# Installs the system packages the project needs (build and local servers), only those that
# are missing; fast and silent when everything is there (no apt-get update then). Also checks
# that Rust and Go are installed (they come from rustup and go.dev, not apt).
#
#   deploy/local/install-deps.sh
set -euo pipefail

PACKAGES=(
    postgresql           # the local PostgreSQL server (and psql)
    cmake                # rdkafka's cmake-build of librdkafka
    libcurl4-openssl-dev # headers librdkafka's build wants
    build-essential      # C toolchain for the -sys crates
    pkg-config
    maven                # fetches the Kafka and Cassandra jars from Maven Central
    curl
    iproute2             # ss: who holds a port
    chromium             # the browser test (integration-tests/tests/browser.rs), headless
    chromium-driver      # chromedriver: the WebDriver server that test drives Chromium with
)

info() { printf 'infra: %s\n' "$*" >&2; }

# A package counts as present when dpkg has it fully installed.
installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# True if a Java 17 runtime is there, whichever package or path it came from.
have_java17() {
    local java
    installed openjdk-17-jre-headless && return 0
    for java in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)"; do
        [[ -x $java ]] && "$java" -version 2>&1 | grep -q 'version "17\.' && return 0
    done
    return 1
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
have_java17 || missing+=(openjdk-17-jre-headless)

if ((${#missing[@]} > 0)); then
    if ((EUID != 0)); then
        printf 'infra: error: missing packages: %s\n  install them as root: apt-get update && apt-get install -y %s\n' \
            "${missing[*]}" "${missing[*]}" >&2
        exit 1
    fi
    info "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    info "packages installed"
fi

# Rust comes from rustup (Debian's rustc is too old for this workspace).
if ! command -v cargo >/dev/null; then
    # shellcheck disable=SC2016 # $HOME is meant literally, for the user to paste
    if [[ -x $HOME/.cargo/bin/cargo ]]; then
        printf 'infra: error: cargo is installed in ~/.cargo/bin but not on PATH: run  . "$HOME/.cargo/env"\n' >&2
    else
        printf 'infra: error: cargo not found. Rust must come from rustup (https://rustup.rs), not apt:\n  curl --proto =https --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y && . "$HOME/.cargo/env"\n' >&2
    fi
    exit 1
fi

# Go builds the local object store (deploy/local/seaweedfs.sh) from the Go module proxy; its
# go.mod wants GO_MIN, newer than Debian's golang-go, so Go comes from go.dev, not apt.
GO_MIN=1.26.6
go_version=$(go env GOVERSION 2>/dev/null) || go_version=""
go_version=${go_version#go}
if [[ -z $go_version ]]; then
    printf 'infra: error: go not found (Go %s or newer builds the local SeaweedFS). Install it from https://go.dev/dl/ into /usr/local/go and put /usr/local/go/bin on PATH (Debian'"'"'s golang-go is too old).\n' "$GO_MIN" >&2
    exit 1
fi
if [[ $(printf '%s\n%s\n' "$GO_MIN" "$go_version" | sort -V | head -n 1) != "$GO_MIN" ]]; then
    printf 'infra: error: go %s is too old: the local SeaweedFS needs Go %s or newer (https://go.dev/dl/)\n' "$go_version" "$GO_MIN" >&2
    exit 1
fi

# `make lint` (part of `make test`) needs rustfmt and clippy; a minimal rustup profile
# lacks them.
for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null; then
            info "adding the Rust component $component"
            rustup component add "$component" >/dev/null
        else
            printf 'infra: error: cargo %s is missing and rustup is not on PATH to add it\n' "${component/rustfmt/fmt}" >&2
            exit 1
        fi
    fi
done
