#!/usr/bin/env bash
# Renders the Kubernetes manifests (the base and every overlay) with kustomize and checks
# every document against the Kubernetes JSON schemas in strict mode plus the project's
# policy (deploy/k8s/validate.py), that the per-service Dockerfiles match their
# template, and that release builds and images leave out the development-only helpers.
# Needs no network once deploy/k8s/install-tools.sh has run (it runs it first; that step
# is a no-op when the tools are there).
#
#   deploy/k8s/check.sh            # exit 0: everything renders and validates
#
# KUBERNETES_VERSIONS: the Kubernetes versions to validate against (the oldest we support
# and the newest the validator knows).
set -euo pipefail

KUBERNETES_VERSIONS="${KUBERNETES_VERSIONS:-1.30.0 1.37.0}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.local/tools"

fail() {
  echo "deploy/k8s/check.sh: FAILED: $*" >&2
  exit 1
}

"$here/install-tools.sh" >/dev/null || fail "installing the tools (run deploy/k8s/install-tools.sh to see why)"
kustomize="$tools/bin/kustomize"
python="$tools/venv/bin/python"
echo "tools: kustomize $("$kustomize" version), kubernetes-validate $("$python" -m pip show kubernetes-validate | sed -n 's/^Version: //p')"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

rendered=()
for dir in "$here/base" "$here"/overlays/*/; do
  dir="${dir%/}"
  name="${dir#"$here"/}"
  file="${name//\//-}.yaml"
  "$kustomize" build "$dir" >"$out/$file" 2>"$out/err" \
    || fail "kustomize build $name: $(cat "$out/err")"
  echo "rendered $name: $(grep -c '^kind:' "$out/$file") documents"
  rendered+=("$file")
done

version_args=()
for v in $KUBERNETES_VERSIONS; do version_args+=(--kubernetes-version "$v"); done
(cd "$out" && "$python" "$here/validate.py" "${version_args[@]}" "${rendered[@]}") \
  || fail "the manifests above do not validate"

"$here/images/render-dockerfiles.sh" --check \
  || fail "a Dockerfile differs from deploy/k8s/images/Dockerfile.in (run deploy/k8s/images/render-dockerfiles.sh)"
"$here/images/check-release-features.sh" \
  || fail "a release build or image would include command-api's development-only helpers"

echo "deploy/k8s/check.sh: all manifests render and validate"
