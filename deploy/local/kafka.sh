#!/usr/bin/env bash
# Apache Kafka for local dev/test: one KRaft node (broker + controller) on 127.0.0.1:9092
# (controller 9093), run from the Maven Central jars in .local/dist/kafka, data in .local/kafka.
#
#   deploy/local/kafka.sh up | down | status
#
# KAFKA_INSTANCE=NAME KAFKA_PORT=PORT: a broker of its own beside that one, on PORT (controller
# PORT+1), data in .local/kafka-NAME, log .local/log/kafka-NAME.log. The fault tests stop and
# start theirs (chat_test_kit::own_broker) while the other tests keep the shared broker.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=kafka
PORT=9092
if [[ -n ${KAFKA_INSTANCE:-} ]]; then
    [[ $KAFKA_INSTANCE =~ ^[a-z0-9-]+$ ]] || die "kafka: KAFKA_INSTANCE=$KAFKA_INSTANCE: lower-case letters, digits and '-' only"
    [[ ${KAFKA_PORT:-} =~ ^[0-9]+$ ]] || die "kafka: KAFKA_INSTANCE=$KAFKA_INSTANCE needs KAFKA_PORT, a port number"
    NAME=kafka-$KAFKA_INSTANCE
    PORT=$KAFKA_PORT
fi
CONTROLLER_PORT=$((PORT + 1))
HOME_DIR="$STATE_DIR/$NAME"
DATA="$HOME_DIR/data"
CONF="$HOME_DIR/server.properties"
LOG="$LOG_DIR/$NAME.log"
MAIN=kafka.Kafka
START_TIMEOUT=60
STOP_TIMEOUT=60

kafka_pid() { server_pid "$NAME" "$MAIN" "$CONF"; }

# JVM settings shared by the broker and the storage tool.
jvm_opts() {
    JVM_OPTS=(
        -cp "$DIST_DIR/kafka/*"
        -Djava.awt.headless=true
        -Dlog4j2.configurationFile="$DEPLOY_DIR/kafka/log4j2.properties"
        -Dkafka.logs.dir="$LOG_DIR"
        -XX:ErrorFile="$LOG_DIR/kafka-hs_err_%p.log"
    )
}

# A random cluster id as Kafka writes them (16 bytes, URL-safe base64, no padding); one that
# starts with '-' would read as an option, so draw again.
new_cluster_id() {
    local id
    while id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); [[ $id == -* ]]; do :; done
    echo "$id"
}

# Formats the log dir once (KRaft needs meta.properties and the bootstrap metadata before the
# first start). A dir without meta.properties holds nothing useful: it is wiped and redone.
kafka_format() {
    [[ -f $DATA/meta.properties ]] && return 0
    info "$NAME: formatting $DATA (first run only)"
    rm -rf "$DATA"
    "$JAVA" "${JVM_OPTS[@]}" kafka.tools.StorageTool format \
        --cluster-id "$(new_cluster_id)" --config "$CONF" >>"$LOG" 2>&1 ||
        fail_start "$NAME" "formatting $DATA with kafka.tools.StorageTool failed"
}

kafka_up() {
    local pid
    pid=$(kafka_pid)
    if [[ -n $pid ]]; then
        if dist_outdated kafka; then
            warn "kafka runs older jars than deploy/local/maven/kafka/pom.xml lists; to upgrade: deploy/local/infra.sh down kafka && deploy/local/infra.sh up kafka"
        fi
        wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" kafka 127.0.0.1 "$PORT"
        info "$NAME: already up (pid $pid) on 127.0.0.1:$PORT"
        return 0
    fi
    require_ports_free "$NAME" "$PORT" "$CONTROLLER_PORT"
    find_java "$NAME" 17 99
    ensure_dist kafka
    mkdir -p "$HOME_DIR"
    render "$DEPLOY_DIR/kafka/server.properties" "$CONF" \
        PORT="$PORT" CONTROLLER_PORT="$CONTROLLER_PORT" DATA_DIR="$DATA"
    jvm_opts
    rotate_log "$NAME"
    kafka_format
    info "$NAME: starting on 127.0.0.1:$PORT (log: $LOG)"
    jit_opts
    # A test's own broker serves that one test, which waits for it anyway: at a lower
    # priority its JVM's start does not take the CPU from the tests running beside it.
    local nice=()
    [[ -z ${KAFKA_INSTANCE:-} ]] || nice=(nice -n 10)
    launch "$NAME" "$HOME_DIR" "${nice[@]}" "$JAVA" -Xms512m -Xmx1g \
        -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
        -XX:+ExplicitGCInvokesConcurrent "${JIT[@]}" \
        "${JVM_OPTS[@]}" "$MAIN" "$CONF"
    pid=$LAUNCHED_PID
    wait_ready "$NAME" "$START_TIMEOUT" "$pid" "$DEPLOY_DIR/probe.sh" kafka 127.0.0.1 "$PORT"
    info "$NAME: up (pid $pid) on 127.0.0.1:$PORT"
}

kafka_down() {
    # SIGTERM runs Kafka's controlled shutdown (flushes logs, closes the metadata log cleanly).
    stop_server "$NAME" "$(kafka_pid)" "$STOP_TIMEOUT"
    [[ -z ${KAFKA_INSTANCE:-} ]] || return 0
    # The shared broker's `down` also stops the fault tests' own brokers that still run (a
    # test killed midway leaves its broker up).
    local conf name pid
    for conf in "$STATE_DIR"/kafka-*/server.properties; do
        [[ -f $conf ]] || continue
        name=$(basename "$(dirname "$conf")")
        pid=$(server_pid "$name" "$MAIN" "$conf")
        [[ -z $pid ]] || stop_server "$name" "$pid" "$STOP_TIMEOUT"
    done
}

kafka_status() {
    report_status "$NAME" "$(kafka_pid)" "127.0.0.1:$PORT" "$HOME_DIR" kafka 127.0.0.1 "$PORT"
}

ensure_state_dirs
case "${1:-}" in
up) kafka_up ;;
down) kafka_down ;;
status) kafka_status ;;
*)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
