#!/usr/bin/env bash
# PostgreSQL for local dev/test: our own cluster on 127.0.0.1:5433 with its data in
# .local/postgres, role chat / password chat (superuser, so tests can create databases) and
# database chat. The Debian default cluster (5432) is not used and left alone.
#
#   deploy/local/postgres.sh up | down | status
#
# The cluster's bootstrap superuser is `chat` itself (there is no `postgres` role) and it only
# listens on TCP with password auth, so nothing depends on Unix sockets or peer auth.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=postgres
PORT=5433
DATA="$STATE_DIR/postgres"
LOG="$LOG_DIR/$NAME.log"
URL="postgres://chat:chat@127.0.0.1:$PORT/chat"
ADMIN_URL="postgres://chat:chat@127.0.0.1:$PORT/postgres"
START_TIMEOUT=30

# initdb and postgres refuse to run as root: as root we run them as the postgres user (created
# by the Debian package); anyone else runs them as themselves.
if ((EUID == 0)); then PG_USER=postgres; else PG_USER=$(id -un); fi
as_pg() {
    if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# The binaries of the PostgreSQL major version that created the data dir, else the newest.
pg_bin() {
    local version dir
    if [[ -f $DATA/PG_VERSION ]]; then
        version=$(<"$DATA/PG_VERSION")
        dir=/usr/lib/postgresql/$version/bin
        [[ -x $dir/postgres ]] ||
            die "postgres: $DATA was created by PostgreSQL $version, which is not installed (apt-get install postgresql-$version, or delete $DATA to start over)"
    else
        dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
        [[ -n $dir && -x $dir/initdb ]] ||
            die "postgres: PostgreSQL server binaries not found under /usr/lib/postgresql. Run deploy/local/install-deps.sh."
    fi
    echo "$dir"
}

# The pid of our postmaster (first line of postmaster.pid) if it runs; keeps the pid file in step.
# The command line must name our data dir: after a crash the pid may belong to anything,
# even another cluster's postgres.
pg_pid() {
    local pid=""
    if [[ -f $DATA/postmaster.pid ]]; then
        pid=$(head -n 1 "$DATA/postmaster.pid")
        if [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" && [[ $(pid_cmdline "$pid") == *"postgres -D $DATA"* ]]; then
            echo "$pid" >"$RUN_DIR/$NAME.pid"
            echo "$pid"
            return 0
        fi
    fi
    rm -f "$RUN_DIR/$NAME.pid"
}

# The server runs as postgres and must reach .local/postgres through every parent directory of
# the repo. A checkout under e.g. /root (mode 700) blocks it: grant search-only permission
# (o+x: enter, not list) on the blocking parents, and say so.
ensure_traversable() {
    local dir="" part parts
    ((EUID == 0)) || return 0
    runuser -u postgres -- test -x "$STATE_DIR" && return 0
    # From the top down: below a blocked dir every dir fails the test, needed or not.
    IFS=/ read -ra parts <<<"${STATE_DIR#/}"
    for part in "${parts[@]}"; do
        dir+="/$part"
        if ! runuser -u postgres -- test -x "$dir"; then
            info "postgres: chmod o+x $dir (the postgres user must be able to reach $DATA)"
            chmod o+x "$dir" || die "postgres: the postgres user cannot reach $DATA and chmod o+x $dir failed; move the repo or fix its permissions"
        fi
    done
}

# Creates the cluster in a temp dir and renames it into place, so an interrupted initdb is
# redone rather than leaving a half-made data dir.
pg_init() {
    local bin=$1 tmp="$STATE_DIR/postgres.init" pwfile
    [[ ! -e $DATA ]] || die "postgres: $DATA exists but is not a PostgreSQL data dir (no PG_VERSION); delete it to start over"
    info "postgres: creating the cluster in $DATA (initdb, first run only)"
    rm -rf "$tmp"
    mkdir -m 700 "$tmp"
    chown "$PG_USER" "$tmp"
    pwfile=$(mktemp)
    echo chat >"$pwfile"
    chown "$PG_USER" "$pwfile"
    if ! as_pg "$bin/initdb" -D "$tmp" -U chat --pwfile="$pwfile" -A scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >>"$LOG" 2>&1; then
        rm -f "$pwfile"
        fail_start "$NAME" "initdb failed"
    fi
    rm -f "$pwfile"
    echo "include 'chat-local.conf'" >>"$tmp/postgresql.conf"
    mv "$tmp" "$DATA"
}

# Makes sure database chat exists (the role is the cluster's bootstrap superuser).
pg_provision() {
    local out
    out=$(psql "$ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c "SELECT 1 FROM pg_database WHERE datname = 'chat'")
    if [[ $out != 1 ]]; then
        info "postgres: creating database chat"
        psql "$ADMIN_URL" -XAtq -v ON_ERROR_STOP=1 -c 'CREATE DATABASE chat OWNER chat' >/dev/null
    fi
}

pg_up() {
    local pid bin
    pid=$(pg_pid)
    if [[ -n $pid ]]; then
        wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" postgres "$URL"
        info "postgres: already up (pid $pid) on 127.0.0.1:$PORT"
        return 0
    fi
    require_ports_free "$NAME" "$PORT"
    bin=$(pg_bin)
    ensure_traversable
    rotate_log "$NAME"
    touch "$LOG"
    chown "$PG_USER" "$LOG" # pg_ctl opens it as the server's user
    [[ -f $DATA/PG_VERSION ]] || pg_init "$bin"
    # Our settings and auth rules win at every start (edit them in deploy/local/postgres/).
    install -o "$PG_USER" -m 600 "$DEPLOY_DIR/postgres/chat-local.conf" "$DATA/chat-local.conf"
    install -o "$PG_USER" -m 600 "$DEPLOY_DIR/postgres/pg_hba.conf" "$DATA/pg_hba.conf"
    info "postgres: starting on 127.0.0.1:$PORT (log: $LOG)"
    # pg_ctl detaches the server (own session) and waits until it accepts connections.
    as_pg "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$START_TIMEOUT" start >/dev/null ||
        fail_start "$NAME" "pg_ctl start failed"
    pid=$(pg_pid)
    [[ -n $pid ]] || fail_start "$NAME" "the server exited right after starting"
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" postgres "$ADMIN_URL"
    pg_provision
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" postgres "$URL"
    info "postgres: up (pid $pid) on 127.0.0.1:$PORT"
}

pg_down() {
    local pid
    pid=$(pg_pid)
    if [[ -z $pid ]]; then
        info "postgres: not running"
        return 0
    fi
    info "postgres: stopping (pid $pid)"
    # -m fast: roll back open transactions and close sessions; -w: wait for the exit.
    as_pg "$(pg_bin)/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
    rm -f "$RUN_DIR/$NAME.pid"
}

pg_status() {
    report_status "$NAME" "$(pg_pid)" "127.0.0.1:$PORT" "$DATA" postgres "$URL"
}

ensure_state_dirs
case "${1:-}" in
up) pg_up ;;
down) pg_down ;;
status) pg_status ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
