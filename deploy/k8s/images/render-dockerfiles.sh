#!/usr/bin/env bash
# Writes every image's Dockerfile from Dockerfile.in (one template, so the six builds
# cannot drift apart). With --check, writes nothing and fails if a Dockerfile differs.
#
#   deploy/k8s/images/render-dockerfiles.sh           # regenerate
#   deploy/k8s/images/render-dockerfiles.sh --check   # verify (run by deploy/k8s/check.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
check=0
[[ "${1:-}" == "--check" ]] && check=1

# dockerfile path | cargo package | binary | listening port ("" = none)
images=(
  "services/command-api/Dockerfile|command-api|command-api|8080"
  "services/projector-sync/Dockerfile|projector-sync|projector-sync|9090"
  "services/projector-async/Dockerfile|projector-async|projector-async|9090"
  "services/wse-gateway/Dockerfile|wse-gateway|wse-gateway|8080"
  "services/telegram-bridge/Dockerfile|telegram-bridge|telegram-bridge|9090"
  "crates/chat-migrate/Dockerfile|chat-migrate|chat-migrate|"
)

status=0
for image in "${images[@]}"; do
  IFS='|' read -r path package bin port <<<"$image"
  expose=""
  [[ -n "$port" ]] && expose="EXPOSE $port\n"
  rendered="$(sed -e "s|@BIN@|$bin|g" -e "s|@PACKAGE@|$package|g" \
    -e "s|@DOCKERFILE@|$path|g" -e "s|@EXPOSE@|$expose|" "$here/Dockerfile.in")"
  if ((check)); then
    if [[ "$rendered" != "$(cat "$root/$path" 2>/dev/null)" ]]; then
      echo "$path: differs from deploy/k8s/images/Dockerfile.in" >&2
      status=1
    fi
  else
    printf '%s\n' "$rendered" >"$root/$path"
    echo "wrote $path"
  fi
done
((check)) && ((status == 0)) && echo "Dockerfiles: ${#images[@]} match deploy/k8s/images/Dockerfile.in"
exit "$status"
