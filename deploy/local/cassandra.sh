#!/usr/bin/env bash
# Apache Cassandra 5.0 for local dev/test (stands in for ScyllaDB): one node, CQL on
# 127.0.0.1:9042 (storage port 7010, JMX off), run from the Maven Central jars in
# .local/dist/cassandra, data in .local/cassandra.
#
#   deploy/local/cassandra.sh up | down | status
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=cassandra
PORT=9042
STORAGE_PORT=7010
HOME_DIR="$STATE_DIR/cassandra"
CONF="$HOME_DIR/cassandra.yaml"
LOG="$LOG_DIR/$NAME.log"
MAIN=org.apache.cassandra.service.CassandraDaemon
START_TIMEOUT=180
STOP_TIMEOUT=60

cassandra_pid() { server_pid "$NAME" "$MAIN" "$CONF"; }

# Cassandra wants many open files (sstables, commit log segments, sockets): raise the soft
# limit as far as allowed. Below ~10k it still starts, with a warning in its log.
raise_nofile() {
    local hard
    hard=$(ulimit -Hn)
    if [[ $hard != unlimited ]] && ((hard < 100000)); then
        ulimit -Hn 100000 2>/dev/null && hard=100000 # works as root outside tight containers
    fi
    ulimit -Sn "$hard" 2>/dev/null || true
    (($(ulimit -Sn) >= 10000)) || warn "cassandra: only $(ulimit -Sn) open files allowed (ulimit -n); it may fail under load"
}

cassandra_up() {
    local pid jamm
    pid=$(cassandra_pid)
    if [[ -n $pid ]]; then
        if dist_outdated "$NAME"; then
            warn "cassandra runs older jars than deploy/local/maven/cassandra/pom.xml lists; to upgrade: deploy/local/infra.sh down cassandra && deploy/local/infra.sh up cassandra"
        fi
        wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" cql 127.0.0.1 "$PORT"
        info "cassandra: already up (pid $pid) on 127.0.0.1:$PORT"
        return 0
    fi
    require_ports_free "$NAME" "$PORT" "$STORAGE_PORT"
    # Cassandra 5.0 runs on Java 11 or 17; our JVM flags (jvm17.options) are for 17.
    find_java "$NAME" 17 17
    ensure_dist "$NAME"
    jamm=$(find "$DIST_DIR/cassandra" -maxdepth 1 -name 'jamm-*.jar' | head -n 1)
    [[ -n $jamm ]] || die "cassandra: no jamm-*.jar in $DIST_DIR/cassandra (delete that folder to fetch the jars again)"
    mkdir -p "$HOME_DIR"
    render "$DEPLOY_DIR/cassandra/cassandra.yaml" "$CONF" \
        PORT="$PORT" STORAGE_PORT="$STORAGE_PORT" DATA_DIR="$HOME_DIR"
    raise_nofile
    info "cassandra: starting on 127.0.0.1:$PORT (log: $LOG)"
    # cassandra-foreground keeps stdout (our log) open; no cassandra.jmx.*port property means
    # no JMX listener; skip_wait_for_gossip_to_settle=0 skips a pointless wait on one node.
    jit_opts
    launch "$NAME" "$HOME_DIR" "$JAVA" "@$DEPLOY_DIR/cassandra/jvm17.options" \
        -Xms1g -Xmx1g "${JIT[@]}" \
        -javaagent:"$jamm" \
        -XX:ErrorFile="$LOG_DIR/cassandra-hs_err_%p.log" \
        -Dcassandra.config="file://$CONF" \
        -Dcassandra.storagedir="$HOME_DIR" \
        -Dcassandra.logdir="$LOG_DIR" \
        -Dlogback.configurationFile="$DEPLOY_DIR/cassandra/logback.xml" \
        -Dcassandra-foreground=yes \
        -Dcassandra.skip_wait_for_gossip_to_settle=0 \
        -cp "$DIST_DIR/cassandra/*" \
        "$MAIN"
    pid=$LAUNCHED_PID
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" cql 127.0.0.1 "$PORT"
    info "cassandra: up (pid $pid) on 127.0.0.1:$PORT"
}

cassandra_down() {
    # SIGTERM runs Cassandra's shutdown hook, which drains (flushes memtables) before exiting.
    stop_server "$NAME" "$(cassandra_pid)" "$STOP_TIMEOUT"
}

cassandra_status() {
    report_status "$NAME" "$(cassandra_pid)" "127.0.0.1:$PORT" "$HOME_DIR" cql 127.0.0.1 "$PORT"
}

ensure_state_dirs
case "${1:-}" in
up) cassandra_up ;;
down) cassandra_down ;;
status) cassandra_status ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
