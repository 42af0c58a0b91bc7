#!/usr/bin/env bash
# Runs every service of the workspace in the foreground against the local servers (or the
# ones the environment names), each log line prefixed with its service and also written to
# .local/log/<service>.log. Ctrl-C (or SIGTERM) stops them all gracefully.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug"
logs="$root/.local/log"
mkdir -p "$logs"

# service name -> the environment that places it (its listen address).
declare -A placement=(
  [command-api]="HTTP_ADDR=${COMMAND_API_ADDR:-127.0.0.1:8080}"
  [projector-sync]="OPS_ADDR=${PROJECTOR_SYNC_ADDR:-127.0.0.1:9101}"
  [projector-async]="OPS_ADDR=${PROJECTOR_ASYNC_ADDR:-127.0.0.1:9102}"
  [wse-gateway]="HTTP_ADDR=${WSE_GATEWAY_ADDR:-127.0.0.1:8081}"
  [telegram-bridge]="OPS_ADDR=${TELEGRAM_BRIDGE_ADDR:-127.0.0.1:9103}"
)

pids=()
stopped=0
stop_all() {
  trap - INT TERM
  ((stopped)) && return
  stopped=1
  echo "stopping services..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "all services stopped"
}
trap stop_all INT TERM

for svc in command-api projector-sync projector-async wse-gateway telegram-bridge; do
  if [[ ! -x "$bin/$svc" ]]; then
    echo "error: $bin/$svc is missing: run 'cargo build --bins' first" >&2
    exit 1
  fi
  # shellcheck disable=SC2086 # the placement is one NAME=value word
  env ${placement[$svc]} "$bin/$svc" \
    > >(sed -u "s/^/[$svc] /" | tee -a "$logs/$svc.log") 2>&1 &
  pids+=("$!")
  echo "started $svc (${placement[$svc]}, log $logs/$svc.log)"
done

echo "command-api: http://${COMMAND_API_ADDR:-127.0.0.1:8080}  (Ctrl-C stops everything)"
# If one service dies, stop the rest: a half-running system misleads.
wait -n "${pids[@]}" || true
stop_all
