#!/usr/bin/env bash
# Runs every service of the workspace in the foreground against the local servers (or the
# ones the environment names), each log line prefixed with its service and also written to
# .local/log/<service>.log. Ctrl-C (or SIGTERM) stops them all gracefully.
#
# This is a developer's run, so it turns on the development-only helpers: a shared HS256
# JWT secret (unless JWT_HS256_SECRET is set), command-api serving the web chat client
# (deploy/local/web/) at /app/ and minting tokens for the demo users Alice, Bob and Carol,
# and the Telegram bridge against its in-memory fake. command-api must be built with the
# cargo feature dev-tools (`make run` does; a build without it refuses the DEV_* settings
# at start). A deployment never sets these (deploy/k8s/check.sh refuses every DEV_*
# setting and TELEGRAM_MODE=fake, and checks the images build without dev-tools).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug"
logs="$root/.local/log"
mkdir -p "$logs"

api_addr="${COMMAND_API_ADDR:-127.0.0.1:8080}"
wse_addr="${WSE_GATEWAY_ADDR:-127.0.0.1:8081}"
export JWT_HS256_SECRET="${JWT_HS256_SECRET:-make-run-local-development-secret}"

# service name -> the environment that places it (its listen address).
declare -A placement=(
  [command-api]="HTTP_ADDR=$api_addr"
  [projector-sync]="OPS_ADDR=${PROJECTOR_SYNC_ADDR:-127.0.0.1:9101}"
  [projector-async]="OPS_ADDR=${PROJECTOR_ASYNC_ADDR:-127.0.0.1:9102}"
  [wse-gateway]="HTTP_ADDR=$wse_addr"
  [telegram-bridge]="OPS_ADDR=${TELEGRAM_BRIDGE_ADDR:-127.0.0.1:9103}"
)
# service name -> its development-only settings (an array per service, so paths may hold
# spaces).
dev_settings() {
  case "$1" in
    command-api)
      printf '%s\0' DEV_WEB_DIR="$root/deploy/local/web" DEV_TOKEN_ISSUER=1 \
        DEV_WSE_URL="ws://$wse_addr/wse" \
        TELEGRAM_BRIDGE_URL="http://${placement[telegram-bridge]#OPS_ADDR=}"
      ;;
    telegram-bridge)
      printf '%s\0' TELEGRAM_MODE="${TELEGRAM_MODE:-fake}" \
        COMMAND_API_URL="${COMMAND_API_URL:-http://$api_addr}"
      ;;
  esac
}

# Once command-api and the gateway answer, says where to point a browser.
announce() {
  local deadline=$((SECONDS + 120))
  until curl -fsS "http://$api_addr/readyz" >/dev/null 2>&1 \
    && curl -fsS "http://$wse_addr/readyz" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 0
    sleep 0.5
  done
  printf '\n==> Open http://%s/app/ — demo users: Alice, Bob, Carol (one per browser tab)\n' "$api_addr"
  if [[ "${TELEGRAM_MODE:-fake}" == fake ]]; then
    printf '==> Fake Telegram: http://%s/fake-telegram/groups/<chat_id>/messages (GET to read, POST {user_id,user_name,text} to post)\n' \
      "${placement[telegram-bridge]#OPS_ADDR=}"
  fi
  printf '\n'
}

pids=()
announcer=""
stopped=0
stop_all() {
  trap - INT TERM
  ((stopped)) && return
  stopped=1
  echo "stopping services..."
  if [[ -n $announcer ]]; then kill "$announcer" 2>/dev/null || true; fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "all services stopped"
}
trap stop_all INT TERM

for svc in command-api projector-sync projector-async wse-gateway telegram-bridge; do
  if [[ ! -x "$bin/$svc" ]]; then
    echo "error: $bin/$svc is missing: run 'cargo build --bins --features command-api/dev-tools' first" >&2
    exit 1
  fi
  mapfile -d '' dev < <(dev_settings "$svc")
  # shellcheck disable=SC2086 # the placement is one NAME=value word
  env ${placement[$svc]} "${dev[@]}" "$bin/$svc" \
    > >(sed -u "s/^/[$svc] /" | tee -a "$logs/$svc.log") 2>&1 &
  pids+=("$!")
  echo "started $svc (${placement[$svc]}, log $logs/$svc.log)"
done

echo "command-api: http://$api_addr  (Ctrl-C stops everything)"
announce &
announcer=$!
# If one service dies, stop the rest: a half-running system misleads.
wait -n "${pids[@]}" || true
stop_all
