# shellcheck shell=bash
# Shared helpers for the deploy/local scripts. Sourced, never run: it only sets paths and
# defines functions.
#
# Layout of the git-ignored state folder (everything the local servers write):
#   .local/<server>/        data (postgres, kafka, cassandra, seaweedfs)
#   .local/dist/<server>/   jars fetched from Maven Central (kafka, cassandra), the weed
#                           binary built from the Go module proxy (seaweedfs); a copy of
#                           each version is kept in the user's cache (CACHE_DIST_DIR)
#   .local/tools/           deploy/k8s's tools (the weed build uses Go's own caches)
#   .local/log/<server>.log server output
#   .local/run/<server>.pid pid of the running server

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$DEPLOY_DIR/../.." && pwd -P)"
STATE_DIR="$REPO_ROOT/.local"
LOG_DIR="$STATE_DIR/log"
RUN_DIR="$STATE_DIR/run"
DIST_DIR="$STATE_DIR/dist"
# The user's copies of what .local/dist holds, one folder per version, shared by every clone
# on the machine: a fresh clone copies them instead of running mvn (about 14 CPU-s) and
# linking weed (about 22 CPU-s) again.
CACHE_DIST_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/chat-backend/dist"

info() { printf 'infra: %s\n' "$*" >&2; }
warn() { printf 'infra: warning: %s\n' "$*" >&2; }
die() {
    printf 'infra: error: %s\n' "$*" >&2
    exit 1
}

ensure_state_dirs() {
    # Paths end up in file:// URLs, java options and server configs: keep them plain.
    [[ $REPO_ROOT != *[[:space:]]* ]] || die "the repo path '$REPO_ROOT' contains whitespace; the local servers need a path without it"
    mkdir -p "$LOG_DIR" "$RUN_DIR" "$DIST_DIR"
}

# Moves a log aside before a start once it is big, so logs do not grow forever.
rotate_log() {
    local log="$LOG_DIR/$1.log"
    if [[ -f $log ]] && (($(stat -c %s "$log") > 50 * 1024 * 1024)); then
        mv -f "$log" "$log.1"
    fi
}

# ---------------------------------------------------------------------------------------------
# Processes

# True if the process exists and is not a zombie (a server that died while this script, its
# parent, is still running stays a zombie, and `kill -0` would call it alive).
pid_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# The command line of a process, NULs turned into spaces (empty if it is gone).
pid_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }

# server_pid <name> <main-class> <config-path>: prints the pid of our running JVM server, or
# nothing. A process is ours when its command line has both the main class and our config path.
# The pid file is the fast path; a stale one (process gone, pid reused) is removed; a missing one
# is rebuilt by scanning /proc, so a server whose pid file was lost is still found and not
# reported as a stranger squatting on our port.
server_pid() {
    local name=$1 main=$2 conf=$3 pidfile="$RUN_DIR/$1.pid" pid cmd file
    if [[ -f $pidfile ]]; then
        pid=$(<"$pidfile")
        if [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid"; then
            cmd=$(pid_cmdline "$pid")
            if [[ $cmd == *"$main"* && $cmd == *"$conf"* ]]; then
                echo "$pid"
                return 0
            fi
        fi
        rm -f "$pidfile"
    fi
    while read -r file; do
        pid=${file#/proc/}
        pid=${pid%/cmdline}
        [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
        cmd=$(pid_cmdline "$pid")
        if [[ $cmd == *"$main"* ]] && pid_alive "$pid"; then
            mkdir -p "$RUN_DIR"
            echo "$pid" >"$pidfile"
            echo "$pid"
            return 0
        fi
    done < <(grep -lsF -- "$conf" /proc/[0-9]*/cmdline 2>/dev/null || true)
}

# stop_pid <name> <pid> <seconds>: SIGTERM, wait for the exit, SIGKILL after the deadline.
stop_pid() {
    local name=$1 pid=$2 secs=$3 deadline
    deadline=$((SECONDS + secs))
    kill -TERM "$pid" 2>/dev/null || return 0
    while pid_alive "$pid"; do
        if ((SECONDS >= deadline)); then
            warn "$name (pid $pid) still running ${secs}s after SIGTERM; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            return 0
        fi
        sleep 0.5
    done
}

# stop_server <name> <pid> <secs>: stops a server we launched (SIGTERM, SIGKILL after <secs>)
# and forgets its pid file; an empty <pid> means it is not running.
stop_server() {
    local name=$1 pid=$2 secs=$3
    if [[ -z $pid ]]; then
        info "$name: not running"
        return 0
    fi
    info "$name: stopping (pid $pid)"
    stop_pid "$name" "$pid" "$secs"
    rm -f "$RUN_DIR/$name.pid"
}

# ---------------------------------------------------------------------------------------------
# Ports

# port_owner <port>: prints who listens on TCP <port> ("python3 (pid 42)"), nothing if free.
port_owner() {
    local port=$1 line
    if command -v ss >/dev/null; then
        line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1) || true
        [[ -n $line ]] || return 0
        if [[ $line =~ users:\(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
            echo "${BASH_REMATCH[1]} (pid ${BASH_REMATCH[2]})"
        else
            echo "a process this user cannot see"
        fi
    elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "an unknown process (install iproute2 for its name)"
    fi
}

# require_ports_free <name> <port>...: called when our server is not running, so any listener
# is a stranger; fail at once instead of starting a server that dies on bind (or, worse,
# "answering" readiness checks through someone else's server).
require_ports_free() {
    local name=$1 port owner
    shift
    for port in "$@"; do
        owner=$(port_owner "$port")
        if [[ -n $owner ]]; then
            die "$name: port $port is taken by $owner, not by our $name. Stop that process, or use existing servers with CHAT_EXTERNAL_INFRA=1 (see deploy/local/env.sh)."
        fi
    done
}

# ---------------------------------------------------------------------------------------------
# Startup

# fail_start <name> <reason>: the common "server did not come up" exit, with its log's tail.
fail_start() {
    local name=$1 reason=$2 log="$LOG_DIR/$1.log"
    printf 'infra: error: %s did not start: %s\n' "$name" "$reason" >&2
    local from
    if [[ -s $log ]]; then
        # Only this start's lines: from the last banner `launch` wrote, if any.
        from=$(grep -n '^==== .*: starting ' "$log" | tail -n 1 | cut -d: -f1)
        printf 'infra: last 30 lines of %s:\n' "$log" >&2
        tail -n +"${from:-1}" "$log" | tail -n 30 | sed 's/^/    /' >&2
    else
        printf 'infra: its log %s is empty\n' "$log" >&2
    fi
    exit 1
}

# wait_ready <name> <seconds> <pid> <check command...>: runs the check every second until it
# succeeds; fails early if the process exits, and names the server and its log on timeout.
wait_ready() {
    local name=$1 secs=$2 pid=$3 deadline why
    shift 3
    deadline=$((SECONDS + secs))
    until why=$("$@" 2>&1); do
        if [[ -n $pid ]] && ! pid_alive "$pid"; then
            fail_start "$name" "the process (pid $pid) exited during startup"
        fi
        if ((SECONDS >= deadline)); then
            fail_start "$name" "no answer within ${secs}s (last check: ${why:-no output})"
        fi
        sleep 1
    done
}

# render <template> <output> NAME=value...: copies the template with each @NAME@ replaced.
render() {
    local src=$1 dst=$2 text pair
    shift 2
    text=$(<"$src")
    for pair in "$@"; do
        text=${text//@${pair%%=*}@/${pair#*=}}
    done
    printf '%s\n' "$text" >"$dst.tmp"
    mv -f "$dst.tmp" "$dst"
}

# ---------------------------------------------------------------------------------------------
# Java and Maven

# find_java <server> <min> [max]: sets JAVA to a java binary whose major version is in
# [min, max], taken from $JAVA_HOME, else from PATH; else dies saying what is missing.
find_java() {
    local name=$1 min=$2 max=${3:-$2} java home version major hint="" want
    want="Java $min"
    ((max == min)) || want+="+"
    if [[ -n ${JAVA_HOME:-} ]]; then
        java="$JAVA_HOME/bin/java"
        [[ -x $java ]] || die "$name needs $want, but JAVA_HOME=$JAVA_HOME has no bin/java"
    else
        java=$(command -v java) ||
            die "$name needs $want, and java is not on PATH. Run deploy/local/install-deps.sh (it installs openjdk-17-jre-headless) or set JAVA_HOME."
    fi
    # The JDK's release file answers without starting a JVM (~0.1 s saved per call).
    home=$(dirname "$(dirname "$(readlink -f "$java")")")
    version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$home/release" 2>/dev/null) || true
    if [[ -z $version ]]; then
        version=$("$java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    major=${version%%.*}
    [[ $major == 1 ]] && major=$(cut -d. -f2 <<<"$version") # 1.8.0 style
    if ! [[ $major =~ ^[0-9]+$ ]] || ((major < min || major > max)); then
        for home in /usr/lib/jvm/java-"$min"-*; do
            [[ -x $home/bin/java ]] && hint=" Java $min is in $home: export JAVA_HOME=$home"
        done
        die "$name needs $want, but $java is version ${version:-unknown}.$hint"
    fi
    JAVA=$java
}

# jit_opts: sets JIT to the JVM flags of the compilers the Java servers (Kafka, Cassandra)
# start with. INFRA_JIT=c1 (what `make test` sets) stops at the quick C1 compiler: a test
# run lasts minutes, and the optimising C2 compiler's work does not pay back in that time
# (measured on the projector crash test: 40 fewer CPU-seconds, 412 -> 372, most of them
# the C2 compiler threads'). Unset: the JVM's default (C1, then C2 for hot code), for
# `make run` and `make bench`. It only applies when a server starts: one that already
# runs keeps its flags.
jit_opts() {
    # shellcheck disable=SC2034 # read by the server scripts
    JIT=()
    case ${INFRA_JIT:-} in
        "") ;;
        c1) JIT=(-XX:TieredStopAtLevel=1) ;;
        *) die "INFRA_JIT=$INFRA_JIT: the choices are c1 or unset" ;;
    esac
}

# from_cache <key> <dir>: fills <dir> with the cache's copy <key>; false if there is none.
# Copied beside <dir> and renamed into place, so an interrupted copy is never used.
from_cache() {
    local src="$CACHE_DIST_DIR/$1" dir=$2 tmp
    [[ -d $src ]] || return 1
    tmp=$(mktemp -d "$(dirname "$dir")/.copy.XXXXXX")
    if ! cp -a "$src/." "$tmp/"; then
        rm -rf "$tmp"
        return 1
    fi
    chmod 755 "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
}

# to_cache <key> <dir>: keeps a copy of <dir> in the cache as <key> unless it has one. Renamed
# into place, so a reader never sees half of it; a failure only costs the next fresh clone
# the download or the build.
to_cache() {
    local key=$1 dir=$2 tmp
    [[ -d $CACHE_DIST_DIR/$key ]] && return 0
    mkdir -p "$CACHE_DIST_DIR" 2>/dev/null || return 0
    tmp=$(mktemp -d "$CACHE_DIST_DIR/.$key.XXXXXX") || return 0
    if cp -a "$dir/." "$tmp/" && mv -T "$tmp" "$CACHE_DIST_DIR/$key" 2>/dev/null; then
        return 0
    fi
    rm -rf "$tmp"
}

# ensure_dist <name>: makes .local/dist/<name>/ hold the runtime jars listed by
# deploy/local/maven/<name>/pom.xml. Downloads into a temp dir that is renamed into place with a
# stamp of the pom, so an interrupted download is redone, never half-used, and a pom change
# (version bump) is picked up. Callers must not call it while the server runs from those jars.
ensure_dist() {
    local name=$1 pom="$DEPLOY_DIR/maven/$1/pom.xml" dir="$DIST_DIR/$1" stamp tmp mvnlog
    stamp=$(sha256sum <"$pom" | cut -d' ' -f1)
    if [[ -f $dir/.pom.sha256 && $(<"$dir/.pom.sha256") == "$stamp" ]]; then
        return 0
    fi
    if from_cache "$name-$stamp" "$dir"; then
        info "$name: jars copied from $CACHE_DIST_DIR/$name-$stamp"
        return 0
    fi
    command -v mvn >/dev/null ||
        die "$name: mvn not found (needed once, to fetch the $name jars). Run deploy/local/install-deps.sh."
    info "$name: installing $name jars from Maven Central into $dir (first run only, about a minute)"
    rm -rf "$DIST_DIR/.$name".* # leftovers of an interrupted download
    tmp=$(mktemp -d "$DIST_DIR/.$name.XXXXXX")
    chmod 755 "$tmp"
    mvnlog="$LOG_DIR/maven-$name.log"
    # JAVA_HOME makes mvn use the same JVM as the server (Debian's mvn honours it).
    if ! JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")" \
        mvn -B -ntp -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvnlog" 2>&1; then
        rm -rf "$tmp"
        printf 'infra: error: %s: mvn could not fetch the jars (Maven Central reachable? proxy or mirror in ~/.m2/settings.xml?). Last lines of %s:\n' "$name" "$mvnlog" >&2
        tail -n 30 "$mvnlog" | sed 's/^/    /' >&2
        exit 1
    fi
    echo "$stamp" >"$tmp/.pom.sha256"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    to_cache "$name-$stamp" "$dir"
    info "$name: jars installed ($(find "$dir" -name '*.jar' | wc -l) jars, $(du -sh "$dir" | cut -f1))"
}

# dist_outdated <name>: true if the pom changed since the jars were fetched.
dist_outdated() {
    local dir="$DIST_DIR/$1"
    [[ -f $dir/.pom.sha256 ]] &&
        [[ $(<"$dir/.pom.sha256") != "$(sha256sum <"$DEPLOY_DIR/maven/$1/pom.xml" | cut -d' ' -f1)" ]]
}

# launch <name> <workdir> <command...>: starts a server in its own session, detached from this
# script (it survives our exit and the terminal), output appended to .local/log/<name>.log, and
# records its pid in .local/run/<name>.pid and in LAUNCHED_PID. setsid does not fork here (a
# background job of a non-interactive shell is not a group leader) and nohup execs, so $! is
# the server's own pid.
launch() {
    local name=$1 workdir=$2 pid
    shift 2
    rotate_log "$name"
    printf '\n==== %s: starting %s at %s ====\n' "$(date -Is)" "$name" "$workdir" >>"$LOG_DIR/$name.log"
    (cd "$workdir" && exec setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null) &
    pid=$!
    echo "$pid" >"$RUN_DIR/$name.pid"
    # shellcheck disable=SC2034 # read by the server scripts
    LAUNCHED_PID=$pid
}

# print_status <name> <up|down|...> <endpoint> <pid> <data dir>: one line for `infra.sh status`.
print_status() {
    printf '%-10s %-8s %-16s pid %-8s data %s  log %s\n' "$1" "$2" "$3" "${4:--}" "$5" "$LOG_DIR/$1.log"
}

# report_status <name> <pid> <addr> <data dir> <probe args...>: prints the status line (down,
# noanswer or up, the last by a real probe) and succeeds only when the server answers.
report_status() {
    local name=$1 pid=$2 addr=$3 data=$4 state=down
    shift 4
    if [[ -n $pid ]]; then
        state=noanswer
        "$DEPLOY_DIR/probe.sh" "$@" >/dev/null 2>&1 && state=up
    fi
    print_status "$name" "$state" "$addr" "$pid" "$data"
    [[ $state == up ]]
}
