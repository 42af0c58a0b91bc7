#!/usr/bin/env bash
# Installs the tools that render and check the Kubernetes manifests, from the package
# registries only, into the repo's git-ignored .local/tools/ (nothing system-wide):
#
#   .local/tools/bin/kustomize         kustomize, built from the Go module proxy
#   .local/tools/venv/                 a Python venv with kubernetes-validate, which ships
#                                      the Kubernetes JSON schemas inside the package, so
#                                      validation needs no network
#
# Idempotent: a tool already at the wanted version is left alone. Needs Go (1.26) and
# Python 3 with venv on the PATH.
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.local/tools"
bin="$tools/bin"
venv="$tools/venv"
mkdir -p "$bin"

need() {
  command -v "$1" >/dev/null 2>&1 || {
    echo "error: '$1' is not on the PATH; $2" >&2
    exit 1
  }
}

install_kustomize() {
  local have=""
  if [[ -x "$bin/kustomize" ]]; then
    have="$("$bin/kustomize" version 2>/dev/null || true)"
  fi
  if [[ "$have" == "$KUSTOMIZE_VERSION" ]]; then
    echo "kustomize $KUSTOMIZE_VERSION: already installed"
    return
  fi
  need go "install Go (the machine image ships 1.26)"
  echo "kustomize $KUSTOMIZE_VERSION: building from the Go module proxy..."
  # GOTOOLCHAIN=local: build with the machine's Go, never fetch another toolchain.
  # Go's module and build caches are its defaults, the user's (`go env GOMODCACHE
  # GOCACHE`), as for the SeaweedFS build: a fresh clone on a machine that built this
  # kustomize before only links it instead of fetching and compiling it again.
  # -modcacherw: the cached modules stay deletable.
  GOBIN="$bin" GOTOOLCHAIN=local GOFLAGS="-mod=mod -modcacherw" \
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  echo "kustomize: $("$bin/kustomize" version)"
}

install_validator() {
  local have=""
  if [[ -x "$venv/bin/python" ]]; then
    have="$("$venv/bin/python" -m pip show kubernetes-validate 2>/dev/null \
      | sed -n 's/^Version: //p' || true)"
  fi
  if [[ "$have" == "$KUBERNETES_VALIDATE_VERSION" ]]; then
    echo "kubernetes-validate $KUBERNETES_VALIDATE_VERSION: already installed"
    return
  fi
  need python3 "install Python 3"
  echo "kubernetes-validate $KUBERNETES_VALIDATE_VERSION: installing into $venv..."
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  echo "kubernetes-validate: $("$venv/bin/python" -m pip show kubernetes-validate \
    | sed -n 's/^Version: //p')"
}

install_kustomize
install_validator
