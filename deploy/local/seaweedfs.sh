#!/usr/bin/env bash
# SeaweedFS for local dev/test: the S3-compatible object store of media messages. One
# `weed server` process (master, volume, filer and S3 gateway) bound to 127.0.0.1, S3 on
# 127.0.0.1:8333 with the static identity chat / chat-secret-key, bucket chat-media, data in
# .local/seaweedfs. The weed binary is built once from the Go module proxy into
# .local/dist/seaweedfs/: about 6 minutes on 2 cores the first time on a machine; a later
# clone only links it (16 s of CPU), Go's module and build caches being the user's, as
# cargo's registry is.
#
#   deploy/local/seaweedfs.sh up | down | status
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=seaweedfs
# The module version the Go module proxy serves here; a change rebuilds the binary.
MODULE=github.com/seaweedfs/seaweedfs
VERSION=v0.0.0-20261109003541-7506e5f91cd6
PORT=8333
# The other HTTP ports of the process; each also opens a gRPC port at +10000 (19333, 18089,
# 18888, 18333). Clear of PostgreSQL 5433, Kafka 9092/9093 and Cassandra 9042/7010.
MASTER_PORT=9333
VOLUME_PORT=8089
FILER_PORT=8888
HOME_DIR="$STATE_DIR/seaweedfs"
DATA="$HOME_DIR/data"
CONF="$HOME_DIR/s3.json"
BIN_DIR="$DIST_DIR/seaweedfs"
WEED="$BIN_DIR/weed"
ENDPOINT="http://127.0.0.1:$PORT"
# Must match deploy/local/env.sh, which hands them to the services.
BUCKET=chat-media
ACCESS_KEY=chat
SECRET_KEY=chat-secret-key
REGION=us-east-1
START_TIMEOUT=60
STOP_TIMEOUT=30

weed_pid() { server_pid "$NAME" "$WEED server" "$CONF"; }

# Builds the weed binary once per version, or copies the user's cached build of it. `go
# install` refuses the module (its go.mod has replace directives), so it is downloaded and
# built inside its own folder. The binary is written beside its final name and renamed, so
# an interrupted build is redone, never used.
ensure_weed() {
    local stamp="$BIN_DIR/.version" dir start
    if [[ -x $WEED && -f $stamp && $(<"$stamp") == "$VERSION" ]]; then
        return 0
    fi
    if from_cache "$NAME-$VERSION" "$BIN_DIR"; then
        info "$NAME: weed copied from $CACHE_DIST_DIR/$NAME-$VERSION"
        return 0
    fi
    command -v go >/dev/null ||
        die "$NAME: go not found (needed once, to build SeaweedFS). Run deploy/local/install-deps.sh."
    info "$NAME: building $MODULE@$VERSION into $WEED (first run only: about 6 minutes, or well under one when Go's cache has it)"
    mkdir -p "$BIN_DIR"
    start=$SECONDS
    # GOTOOLCHAIN=local: build with the machine's Go, never fetch another toolchain.
    # -modcacherw: a read-only module cache could not be cleaned with `rm -rf`.
    # Go's module and build caches are its defaults, the user's (`go env GOMODCACHE
    # GOCACHE`), not the clone's: a fresh clone on a machine that built weed before
    # compiles nothing again and only links (with the caches in .local, every fresh
    # clone's `make test` spent 377 s on this build).
    export GOTOOLCHAIN=local GOFLAGS="-mod=mod -modcacherw"
    dir=$(go mod download -json "$MODULE@$VERSION" 2>>"$LOG_DIR/$NAME-build.log" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
    [[ -n $dir && -d $dir ]] ||
        die "$NAME: go mod download $MODULE@$VERSION failed (Go module proxy reachable? see $LOG_DIR/$NAME-build.log)"
    if ! (cd "$dir" && go build -o "$WEED.tmp" ./weed) >>"$LOG_DIR/$NAME-build.log" 2>&1; then
        rm -f "$WEED.tmp"
        printf 'infra: error: %s: go build failed. Last lines of %s:\n' "$NAME" "$LOG_DIR/$NAME-build.log" >&2
        tail -n 30 "$LOG_DIR/$NAME-build.log" | sed 's/^/    /' >&2
        exit 1
    fi
    mv -f "$WEED.tmp" "$WEED"
    echo "$VERSION" >"$stamp"
    to_cache "$NAME-$VERSION" "$BIN_DIR"
    info "$NAME: built in $((SECONDS - start))s"
}

# s3 <curl args...>: a request to our S3 endpoint signed with our identity (curl's own SigV4).
s3() {
    curl -sS --max-time 10 --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$@"
}

# Creates the bucket unless it is there: 200 means created, 409 (BucketAlreadyOwnedByYou)
# means it already was, so every `up` may run it. Says why when it fails (for wait_ready).
ensure_bucket() {
    local code
    code=$(s3 -o /dev/null -w '%{http_code}' -X PUT "$ENDPOINT/$BUCKET" 2>&1) || true
    [[ $code == 200 || $code == 409 ]] || {
        echo "creating bucket $BUCKET answered: $code"
        return 1
    }
}

weed_up() {
    local pid
    pid=$(weed_pid)
    if [[ -n $pid ]]; then
        wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" s3 "$ENDPOINT"
        wait_ready "$NAME" "$START_TIMEOUT" "$pid" ensure_bucket
        info "$NAME: already up (pid $pid), S3 on $ENDPOINT"
        return 0
    fi
    require_ports_free "$NAME" "$PORT" "$MASTER_PORT" "$VOLUME_PORT" "$FILER_PORT" \
        $((PORT + 10000)) $((MASTER_PORT + 10000)) $((VOLUME_PORT + 10000)) $((FILER_PORT + 10000))
    ensure_weed
    mkdir -p "$DATA"
    render "$DEPLOY_DIR/seaweedfs/s3.json" "$CONF" ACCESS_KEY="$ACCESS_KEY" SECRET_KEY="$SECRET_KEY"
    chmod 600 "$CONF"
    info "$NAME: starting, S3 on $ENDPOINT (log: $LOG_DIR/$NAME.log)"
    # The working dir is the data dir: weed also reads *.toml from its working dir.
    # Telemetry off (no internet, and nothing to report); the Iceberg and Lance catalogs off
    # (unused, and they would take two more ports). Volumes of 1 GiB, as many as the disk
    # holds (the default is 8 volumes of 30 GB). No pre-stop wait of the volume server: it
    # gives a cluster's master 10 s to send writers elsewhere, and there is no elsewhere.
    launch "$NAME" "$HOME_DIR" "$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$DATA" \
        -master.port="$MASTER_PORT" -volume.port="$VOLUME_PORT" -filer.port="$FILER_PORT" \
        -master.telemetry=false -master.volumeSizeLimitMB=1024 -volume.max=0 -volume.preStopSeconds=0 \
        -s3 -s3.port="$PORT" -s3.config="$CONF" -s3.port.iceberg=0 -s3.port.lance=0
    pid=$LAUNCHED_PID
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" s3 "$ENDPOINT"
    # The gateway answers before the filer has a volume to write to: retry until it does.
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" ensure_bucket
    info "$NAME: up (pid $pid), S3 on $ENDPOINT, bucket $BUCKET"
}

weed_down() {
    stop_server "$NAME" "$(weed_pid)" "$STOP_TIMEOUT"
}

weed_status() {
    report_status "$NAME" "$(weed_pid)" "127.0.0.1:$PORT" "$HOME_DIR" s3 "$ENDPOINT"
}

ensure_state_dirs
case "${1:-}" in
up) weed_up ;;
down) weed_down ;;
status) weed_status ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
