#!/usr/bin/env bash
# The local servers of the project: PostgreSQL (127.0.0.1:5433), Kafka (127.0.0.1:9092),
# Cassandra (127.0.0.1:9042) and the SeaweedFS object store (S3 on 127.0.0.1:8333), installed
# and run from the repo's git-ignored .local/ folder. SERVER is one of postgres, kafka,
# cassandra, seaweedfs; without it, all of them.
#
#   deploy/local/infra.sh up     [SERVER]  install what is missing, start what is not running,
#                                          wait until each answers
#   deploy/local/infra.sh down   [SERVER]  stop them and wait for the exit
#   deploy/local/infra.sh status [SERVER]  one line each; exit 0 iff all up
#
# With CHAT_EXTERNAL_INFRA=1 nothing is installed, started or stopped: `up` and `status` only
# check that the servers named by DATABASE_URL, KAFKA_BROKERS, CQL_NODES and S3_ENDPOINT (see
# env.sh) answer.
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL=(postgres kafka cassandra seaweedfs)

usage() {
    echo "usage: $0 up|down|status [postgres|kafka|cassandra|seaweedfs]" >&2
    exit 2
}

# Checks the servers named by the environment. Kafka and CQL lists may hold several
# host:port entries: each is tried, and one answering is enough.
external() {
    local server=$1 entry out ok=1 shown
    # shellcheck source=deploy/local/env.sh
    . "$DEPLOY_DIR/env.sh"
    case $server in
    postgres)
        if out=$("$DEPLOY_DIR/probe.sh" postgres "$DATABASE_URL"); then ok=0; fi
        shown=$DATABASE_URL # without its password
        [[ $shown =~ ^(.*://[^:/@]*):[^@]*@(.*)$ ]] && shown="${BASH_REMATCH[1]}:***@${BASH_REMATCH[2]}"
        printf '%-10s %-8s %s (%s)\n' postgres "$([[ $ok == 0 ]] && echo up || echo down)" "$shown" "$out"
        ;;
    kafka | cassandra)
        local list=$KAFKA_BROKERS kind=kafka
        [[ $server == cassandra ]] && list=$CQL_NODES kind=cql
        for entry in ${list//,/ }; do
            if out=$("$DEPLOY_DIR/probe.sh" "$kind" "${entry%:*}" "${entry##*:}"); then ok=0; fi
            printf '%-10s %-8s %s (%s)\n' "$server" "$([[ $out == *answers* ]] && echo up || echo down)" "$entry" "$out"
        done
        ;;
    seaweedfs)
        if out=$("$DEPLOY_DIR/probe.sh" s3 "$S3_ENDPOINT"); then ok=0; fi
        printf '%-10s %-8s %s (%s)\n' seaweedfs "$([[ $ok == 0 ]] && echo up || echo down)" "$S3_ENDPOINT" "$out"
        ;;
    esac
    return $ok
}

cmd=${1:-}
[[ $cmd == up || $cmd == down || $cmd == status ]] || usage
if (($# > 1)); then
    [[ " ${ALL[*]} " == *" $2 "* ]] || usage
    servers=("$2")
else
    servers=("${ALL[@]}")
fi

if [[ ${CHAT_EXTERNAL_INFRA:-0} == 1 ]]; then
    case $cmd in
    down) info "CHAT_EXTERNAL_INFRA=1: external servers are not ours to stop" ;;
    up | status)
        failed=()
        for server in "${servers[@]}"; do external "$server" || failed+=("$server"); done
        ((${#failed[@]} == 0)) || die "CHAT_EXTERNAL_INFRA=1 and these servers do not answer: ${failed[*]} (addresses from DATABASE_URL, KAFKA_BROKERS, CQL_NODES, S3_ENDPOINT)"
        ;;
    esac
    exit 0
fi

case $cmd in
status)
    rc=0
    for server in "${servers[@]}"; do "$DEPLOY_DIR/$server.sh" status || rc=1; done
    exit $rc
    ;;
up | down)
    # One up/down at a time (e.g. two `make test` at once). flock -o: the lock fd is not
    # inherited by the servers we start, so it is released when this script ends.
    if [[ -z ${CHAT_INFRA_LOCKED:-} ]]; then
        ensure_state_dirs
        rc=0
        CHAT_INFRA_LOCKED=1 flock -o -w 600 -E 75 "$RUN_DIR/infra.lock" "$0" "$@" || rc=$?
        ((rc != 75)) || die "another deploy/local/infra.sh up/down held $RUN_DIR/infra.lock for 600s"
        exit $rc
    fi
    if [[ $cmd == up ]]; then
        "$DEPLOY_DIR/install-deps.sh"
        start=$SECONDS
        for server in "${servers[@]}"; do "$DEPLOY_DIR/$server.sh" up; done
        info "all up in $((SECONDS - start))s: ${servers[*]} (addresses: source deploy/local/env.sh)"
    else
        # Reverse order: the data stores last.
        for ((i = ${#servers[@]} - 1; i >= 0; i--)); do "$DEPLOY_DIR/${servers[i]}.sh" down; done
    fi
    ;;
esac
