#!/usr/bin/env bash
# Readiness probes that really talk to the servers, with nothing but bash and coreutils, so they
# work without a JDK, without cqlsh (Debian has none) and against external servers, and cost no
# JVM start (a check of a running server takes milliseconds):
#
#   probe.sh postgres <url>        psql: SELECT 1
#   probe.sh kafka <host> <port>   Kafka Metadata request (v4, accepted by Kafka 1.0 to 4.x):
#                                  succeeds if the broker lists at least one broker
#   probe.sh cql <host> <port>     CQL native protocol v4: STARTUP, then
#                                  SELECT release_version FROM system.local
#   probe.sh s3 <endpoint url>     curl: an unsigned GET of the service root, which an S3
#                                  server answers with S3 XML (an error or a bucket list)
#
# On success prints a short description of what answered; on failure prints why, exits non-zero.
# Each probe gives up after PROBE_TIMEOUT seconds (default 5), so a hung server cannot hang us.
set -euo pipefail

PROBE_TIMEOUT=${PROBE_TIMEOUT:-5}

# Run the probe itself under a deadline: connecting through /dev/tcp has no timeout of its own.
if [[ -z ${PROBE_CHILD:-} ]]; then
    rc=0
    out=$(PROBE_CHILD=1 timeout $((PROBE_TIMEOUT * 2)) "$0" "$@") || rc=$?
    if ((rc == 124)); then
        echo "no answer within $((PROBE_TIMEOUT * 2))s"
    else
        printf '%s\n' "$out"
    fi
    exit "$rc"
fi

fail() {
    echo "$*"
    exit 1
}

# bytes <n>: reads exactly n bytes from fd 3 into the array B, as numbers 0-255.
# (GNU head -c reads no more than asked, so the rest stays in the socket for the next call.)
bytes() {
    local out
    out=$(timeout "$PROBE_TIMEOUT" head -c "$1" <&3 | od -An -v -tu1 -w1 | tr -d ' ') || true
    B=()
    [[ -z $out ]] || mapfile -t B <<<"$out"
    ((${#B[@]} == $1)) || fail "the server closed the connection or stopped answering (got ${#B[@]} of $1 bytes)"
}

# Big-endian integers out of the array B (filled by `bytes`), at offset $1.
u16() { echo $(((B[$1] << 8) | B[$1 + 1])); }
u32() { echo $(((B[$1] << 24) | (B[$1 + 1] << 16) | (B[$1 + 2] << 8) | B[$1 + 3])); }
# str <offset> <length>: the bytes as text.
str() {
    local i out=""
    for ((i = $1; i < $1 + $2; i++)); do out+=$(printf '%b' "\\0$(printf '%03o' "${B[i]}")"); done
    printf '%s' "$out"
}
# be <width> <value>: printf escapes for a big-endian integer.
be() {
    local i
    for ((i = $1 - 1; i >= 0; i--)); do printf '\\x%02x' $((($2 >> (8 * i)) & 255)); done
}

connect() {
    # The braces scope the 2>/dev/null (bash reports a refused /dev/tcp connect on stderr);
    # fd 3 stays open after them.
    { exec 3<>"/dev/tcp/$1/$2"; } 2>/dev/null || fail "nothing accepts connections on $1:$2"
}

probe_postgres() {
    local url=$1 out
    command -v psql >/dev/null || fail "psql not found (install postgresql-client)"
    out=$(PGCONNECT_TIMEOUT=$PROBE_TIMEOUT timeout "$PROBE_TIMEOUT" \
        psql "$url" -XAtq -v ON_ERROR_STOP=1 -c 'SELECT 1' 2>&1) || fail "${out:-psql timed out}"
    [[ $out == 1 ]] || fail "unexpected answer to SELECT 1: $out"
    echo "postgres answers SELECT 1"
}

probe_kafka() {
    local host=$1 port=$2 client=chat-infra-probe size n
    connect "$host" "$port"
    # Request header v1 (api_key 3 = Metadata, api_version 4, correlation_id 7, client_id), then
    # the body: topics = [] (no topics, just brokers), allow_auto_topic_creation = false.
    size=$((2 + 2 + 4 + 2 + ${#client} + 4 + 1))
    # shellcheck disable=SC2059 # the format is built from our own escapes
    printf "$(be 4 $size)$(be 2 3)$(be 2 4)$(be 4 7)$(be 2 ${#client})%s$(be 4 0)$(be 1 0)" "$client" >&3
    bytes 4
    size=$(u32 0)
    ((size >= 12 && size < 1048576)) || fail "not a Kafka reply (size $size)"
    bytes "$size"
    (($(u32 0) == 7)) || fail "not a Kafka reply (correlation id $(u32 0))"
    # After correlation_id: throttle_time_ms, then brokers: [node_id, host, port, rack].
    n=$(u32 8)
    ((n >= 1 && n < 10000)) || fail "Kafka answered but lists no broker yet"
    local hlen
    hlen=$(u16 16)
    echo "kafka answers Metadata: $n broker(s), first is node $(u32 12) at $(str 18 "$hlen"):$(u32 $((18 + hlen)))"
}

# cql_send <opcode> <body length> <body printf format> [args]: writes one request frame
# (version 4, flags 0, stream 0). The body goes straight to the socket as a printf format:
# bash strings cannot hold the NUL bytes it contains.
cql_send() {
    local op=$1 len=$2 fmt=$3
    shift 3
    # shellcheck disable=SC2059 # the format is built from our own escapes
    printf "\\x04\\x00\\x00\\x00$(be 1 "$op")$(be 4 "$len")$fmt" "$@" >&3
}
# Reads one reply frame: sets OP and B (the body).
cql_read() {
    local len
    bytes 9
    ((B[0] == 0x84)) || fail "not a CQL v4 reply (first byte ${B[0]})"
    OP=${B[4]}
    len=$(u32 5)
    ((len < 1048576)) || fail "CQL reply too large ($len)"
    B=()
    ((len == 0)) || bytes "$len"
    if ((OP == 0)); then # ERROR: int code, string message
        fail "CQL error 0x$(printf '%04x' "$(u32 0)"): $(str 6 "$(u16 4)")"
    fi
}

probe_cql() {
    local host=$1 port=$2 query i flags ncols len
    connect "$host" "$port"
    # STARTUP {CQL_VERSION: 3.0.0}; expect READY (2). AUTHENTICATE (3) means the server wants a
    # password, which our local Cassandra (AllowAllAuthenticator) never does.
    cql_send 1 22 "$(be 2 1)$(be 2 11)CQL_VERSION$(be 2 5)3.0.0"
    cql_read
    ((OP == 2)) || fail "CQL server did not accept STARTUP (opcode $OP; authentication required?)"
    # QUERY: long string, consistency ONE, no flags; expect RESULT (8) of kind Rows (2).
    query="SELECT release_version FROM system.local"
    cql_send 7 $((4 + ${#query} + 3)) "$(be 4 ${#query})%s$(be 2 1)$(be 1 0)" "$query"
    cql_read
    ((OP == 8)) || fail "unexpected CQL reply opcode $OP"
    (($(u32 0) == 2)) || fail "CQL result is not rows"
    # Rows metadata: flags, column count, [paging state], [global keyspace+table], columns.
    flags=$(u32 4)
    ncols=$(u32 8)
    i=12
    ((flags & 2)) && i=$((i + 4 + $(u32 $i)))
    if ((flags & 1)); then
        i=$((i + 2 + $(u16 $i)))
        i=$((i + 2 + $(u16 $i)))
    fi
    for ((; ncols > 0; ncols--)); do
        ((flags & 1)) || { i=$((i + 2 + $(u16 $i))); i=$((i + 2 + $(u16 $i))); }
        i=$((i + 2 + $(u16 $i))) # column name
        i=$((i + 2))             # type id (varchar: no parameters)
    done
    (($(u32 $i) >= 1)) || fail "system.local returned no row"
    i=$((i + 4))
    len=$(u32 $i)
    echo "cql answers: release_version $(str $((i + 4)) "$len")"
}

probe_s3() {
    local url=${1%/} out code
    command -v curl >/dev/null || fail "curl not found (install curl)"
    out=$(curl -sS --max-time "$PROBE_TIMEOUT" -w '\n%{http_code}' "$url/" 2>&1) ||
        fail "no S3 answer from $url: ${out%%$'\n'*}"
    code=${out##*$'\n'}
    # Anonymous access is refused (403 AccessDenied) by a server with credentials, listed by
    # one without: both are S3 answering.
    [[ $out == *"<Error>"* || $out == *"<ListAllMyBucketsResult"* ]] ||
        fail "$url answered HTTP $code, but not in S3 XML"
    echo "s3 answers at $url (HTTP $code)"
}

case "${1:-}" in
postgres) probe_postgres "$2" ;;
kafka) probe_kafka "$2" "$3" ;;
cql) probe_cql "$2" "$3" ;;
s3) probe_s3 "$2" ;;
*)
    echo "usage: $0 postgres <url> | kafka <host> <port> | cql <host> <port> | s3 <endpoint url>" >&2
    exit 2
    ;;
esac
