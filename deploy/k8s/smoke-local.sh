#!/usr/bin/env bash
# Runs every service binary with the configuration the Kubernetes manifests give it, against
# the local servers, and checks what the kubelet would: the process starts, /healthz and
# /readyz answer 200 on the probed port, /metrics answers for the scrape, and SIGTERM stops
# it cleanly (exit 0) within the pod's terminationGracePeriodSeconds. Then the schema Jobs'
# `chat-migrate` arguments are run as the Jobs would run them.
#
#   cargo build --bins && deploy/k8s/smoke-local.sh
#
# The env is the rendered base's ConfigMaps (chat-common + the service's own), with only
# these replaced: listen addresses (0.0.0.0:<port> -> a free loopback port), the servers'
# addresses and the object store's settings (deploy/local/env.sh), a fresh PostgreSQL
# database, CQL keyspace, topics and consumer groups (so nothing shared is touched),
# secrets (test values), command-api's URL for the bridge, the bridge's session path, and
# TELEGRAM_MODE=fake (no machine here reaches Telegram). Needs deploy/k8s/install-tools.sh, psql and curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${CARGO_TARGET_DIR:-$root/target}/debug"
python="$root/.local/tools/venv/bin/python"
# shellcheck disable=SC1091 # the servers' addresses
source "$root/deploy/local/env.sh"

"$here/install-tools.sh" >/dev/null
work="$(mktemp -d)"
id="smoke_$(date +%s)_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $id WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
# Set per service or Job from its .meta file (written below).
grace=30
args=""
secrets=""
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# The rendered base, as one env file per service and migration Job, plus the grace periods.
"$root/.local/tools/bin/kustomize" build "$here/base" >"$work/base.yaml"
"$python" - "$work" <<'EOF'
import sys, yaml
work = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(f"{work}/base.yaml")) if d]
maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
for d in docs:
    if d["kind"] not in ("Deployment", "Job"):
        continue
    pod = d["spec"]["template"]["spec"]
    c = pod["containers"][0]
    env = {}
    for ref in c.get("envFrom", []):
        env.update(maps[ref["configMapRef"]["name"]])
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
    name = d["metadata"]["name"]
    with open(f"{work}/{name}.env", "w") as f:
        for k, v in sorted(env.items()):
            f.write(f"{k}={v}\n")
    with open(f"{work}/{name}.meta", "w") as f:
        f.write(f"grace={pod.get('terminationGracePeriodSeconds', 30)}\n")
        f.write(f"args='{' '.join(c.get('args', []))}'\n")
        f.write(f"secrets='{' '.join(e['name'] for e in c.get('env', []) if 'valueFrom' in e)}'\n")
EOF

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Fresh stores, named after this run.
psql -q "$DATABASE_URL" -c "CREATE DATABASE $id" >/dev/null
db_url="${DATABASE_URL%/*}/$id"
overrides=(
  "DATABASE_URL=$db_url" "KAFKA_BROKERS=$KAFKA_BROKERS" "CQL_NODES=$CQL_NODES"
  "CQL_KEYSPACE=$id" "CHAT_EVENTS_TOPIC=$id.events" "TYPING_TOPIC=$id.typing"
  "JWT_HS256_SECRET=smoke-test-secret-smoke-test-secret" "TELEGRAM_API_ID=1"
  "TELEGRAM_API_HASH=smoke" "TELEGRAM_MODE=fake"
  "TELEGRAM_SESSION_FILE=$work/telegram-bridge.session"
  "S3_ENDPOINT=$S3_ENDPOINT" "S3_BUCKET=$S3_BUCKET" "S3_REGION=$S3_REGION"
  "S3_ACCESS_KEY_ID=$S3_ACCESS_KEY_ID" "S3_SECRET_ACCESS_KEY=$S3_SECRET_ACCESS_KEY"
)

# ENV: the env of NAME (rendered) plus the overrides, as NAME=value words for `env -i`.
env_of() {
  ENV=(PATH="$PATH")
  while IFS= read -r line; do ENV+=("$line"); done <"$work/$1.env"
  ENV+=("${overrides[@]}")
}

# The schema Jobs, with their own arguments.
for job in chat-migrate-postgres chat-migrate-cql chat-migrate-topics; do
  # shellcheck disable=SC1090
  source "$work/$job.meta"
  env_of "$job"
  # shellcheck disable=SC2086 # args is the Job's argument list, one word each
  if env -i "${ENV[@]}" "$bin/chat-migrate" $args >"$work/$job.log" 2>&1; then
    ok "$job: chat-migrate $args"
  else
    bad "$job: chat-migrate $args failed: $(tail -3 "$work/$job.log")"
    # Apply everything anyway, so the services can still be checked.
    env -i "${ENV[@]}" "$bin/chat-migrate" all >"$work/$job.all.log" 2>&1 \
      || { echo "chat-migrate (all stores) failed too:"; tail "$work/$job.all.log"; exit 1; }
  fi
done

wait_for() { # URL -> 0 once it answers 200, within 60 s
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == 200 ]] && return 0
    sleep 0.5
  done
  return 1
}

command_api_url=""
for svc in command-api projector-sync projector-async wse-gateway telegram-bridge; do
  # shellcheck disable=SC1090
  source "$work/$svc.meta"
  port="$(free_port)"
  addr_var="$(grep -oE '^(HTTP_ADDR|OPS_ADDR)' "$work/$svc.env")"
  extra=("$addr_var=127.0.0.1:$port" "CONSUMER_GROUP=$id.$svc" "BRIDGE_CONSUMER_GROUP=$id.$svc")
  [[ -n "$command_api_url" ]] && extra+=("COMMAND_API_URL=$command_api_url")
  env_of "$svc"
  # env execs the binary, so $! is the service itself (the one SIGTERM must reach).
  env -i "${ENV[@]}" "${extra[@]}" "$bin/$svc" >"$work/$svc.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  base="http://127.0.0.1:$port"
  if wait_for "$base/healthz" && wait_for "$base/readyz"; then
    ok "$svc: /healthz and /readyz answer 200 on $addr_var (secrets: $secrets)"
  else
    bad "$svc: not ready within 60 s: $(tail -5 "$work/$svc.log")"
    continue
  fi
  metrics="$(curl -s -w '\n%{http_code}' "$base/metrics")"
  families="$(grep -c '^# TYPE' <<<"$metrics" || true)"
  if [[ "${metrics##*$'\n'}" != 200 ]]; then
    bad "$svc: /metrics answers ${metrics##*$'\n'}, not 200"
  elif ((families == 0)); then
    bad "$svc: /metrics answers 200 but exposes no metric family (nothing registered)"
  else
    ok "$svc: /metrics serves $families metric families"
  fi
  if head -1 "$work/$svc.log" | "$python" -c 'import json,sys; json.loads(sys.stdin.readline())' 2>/dev/null; then
    ok "$svc: logs are JSON lines (LOG_FORMAT=json)"
  else
    bad "$svc: first log line is not JSON: $(head -1 "$work/$svc.log")"
  fi
  [[ "$svc" == command-api ]] && command_api_url="$base"
done

# SIGTERM in reverse start order, each within its pod's grace period.
for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
  svc=(command-api projector-sync projector-async wse-gateway telegram-bridge)
  name="${svc[$i]}"
  # shellcheck disable=SC1090
  source "$work/$name.meta"
  pid="${pids[$i]}"
  kill -TERM "$pid" 2>/dev/null || true
  start=$SECONDS
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    bad "$name: still running ${grace} s after SIGTERM (the kubelet would kill it)"
  elif wait "$pid"; then
    ok "$name: SIGTERM -> exit 0 in $((SECONDS - start)) s (grace ${grace} s)"
  else
    bad "$name: exited non-zero after SIGTERM: $(tail -3 "$work/$name.log")"
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
