#!/usr/bin/env bash
# Checks that release builds leave out command-api's development-only helpers (the cargo
# feature `dev-tools`: the web client, `GET /dev/users` and the demo token issuer
# `POST /dev/token`). Without the feature that code is not compiled, so such a build
# cannot serve those routes; this proves the builds we ship are such builds:
# - the feature is not a default feature and no workspace member turns it on through a
#   normal dependency, so `cargo build --release` (an image, `make bench`) leaves it off;
# - no Dockerfile (nor their template) hands cargo --features, --all-features or -F.
# Run by deploy/k8s/check.sh (`make k8s-check`, part of `make test`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"

fail() {
  echo "check-release-features.sh: FAILED: $*" >&2
  exit 1
}

# The features of command-api that building it turns on (`cargo tree -i`), one per line.
features() {
  cargo tree "$@" -e normal,build,features -i command-api --prefix none 2>/dev/null \
    | sed -n 's/^command-api feature "\(.*\)".*/\1/p'
}

# The feature must exist, or the checks below would pass vacuously.
features -p command-api --features dev-tools | grep -qx dev-tools \
  || fail "command-api has no dev-tools feature any more: update this check"
features -p command-api | grep -qx dev-tools \
  && fail "building command-api alone (as its image does) turns on dev-tools"
features --workspace | grep -qx dev-tools \
  && fail "a workspace member turns on command-api/dev-tools through a normal dependency"
if grep -nE -- '--features|--all-features|[[:space:]]-F[[:space:]=]' \
  services/*/Dockerfile deploy/k8s/images/Dockerfile.in; then
  fail "a Dockerfile passes cargo features (the images must build without dev-tools)"
fi
echo "check-release-features.sh: release builds and images leave dev-tools off"
