#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A private PostgreSQL 15 for tests (the differential oracle). It lives entirely in <dir>:
# data directory, log, and a unix socket (no TCP listener), so it never meets another
# PostgreSQL on the machine, and this script touches no cluster but its own (it runs initdb
# and pg_ctl with -D <dir>/data only; never pg_ctlcluster or a service).
#
#   pg_oracle.sh start <dir> [--watch PID]   init (first time) + start; prints the port
#   pg_oracle.sh stop <dir>                  immediate shutdown (no-op when not running)
#   pg_oracle.sh env <dir>                   prints PGHOST=... PGPORT=... PGUSER=... lines
#
# Connect with: psql -h <dir> -p <port> -U postgres (trust authentication).
# --watch PID: a detached watchdog stops the server once process PID exits, so a test killed
# by a timeout leaves no server behind.
# PG_ORACLE_OPTS adds server options, e.g. PG_ORACLE_OPTS="-c max_connections=300".
# Works as root (CI): the directory is handed to the postgres user, which runs the server.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
self=$(realpath "${BASH_SOURCE[0]}")

die() {
    echo "pg_oracle: $*" >&2
    exit 1
}

usage() {
    die "usage: pg_oracle.sh start <dir> [--watch PID] | stop <dir> | env <dir>"
}

[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2
shift 2

# Run a command as the server's OS user: postgres when we are root, else ourselves.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pick_port() {
    local port i
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % 40000))
        # Free as a TCP port too, so a test that later adds TCP does not collide, and no
        # socket of that number in our directory.
        if [[ ! -e $dir/.s.PGSQL.$port ]] &&
            ! ss -Htan "( sport = :$port )" 2>/dev/null | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

is_running() {
    [[ -f $dir/data/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

case $cmd in
start)
    watch_pid=""
    if [[ $# -ge 2 && $1 == --watch ]]; then
        watch_pid=$2
        shift 2
    fi
    [[ $# -eq 0 ]] || usage
    [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb not found: apt-get install postgresql-15 (make deps)"
    mkdir -p "$dir"
    dir=$(realpath "$dir")
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no postgres user (install postgresql-15)"
        chown postgres: "$dir"
        chmod 700 "$dir"
        as_pg test -w "$dir" || die "user postgres cannot reach $dir (a parent directory is not searchable)"
    fi
    if is_running; then
        die "a server is already running in $dir"
    fi
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        if ! as_pg "$PG_BIN/initdb" -D "$dir/data" --locale=C.UTF-8 -E UTF8 -A trust \
            -U postgres >"$dir/initdb.log" 2>&1; then
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        fi
    fi
    port=$(pick_port)
    # Durability is irrelevant for an oracle: fsync off keeps CI fast.
    opts="-p $port -k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
    opts+=" -c full_page_writes=off -c shared_buffers=32MB -c max_wal_size=256MB"
    opts+=" -c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres"
    opts+=" -c lc_messages=C ${PG_ORACLE_OPTS:-}"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" \
        start >/dev/null; then
        tail -n 30 "$dir/postgres.log" >&2 || true
        die "pg_ctl start failed"
    fi
    # pg_ctl -w returns once the postmaster accepts connections; confirm over the socket.
    for ((i = 0; i < 100; i++)); do
        if "$PG_BIN/pg_isready" -q -h "$dir" -p "$port" -U postgres; then
            break
        fi
        sleep 0.1
    done
    "$PG_BIN/pg_isready" -q -h "$dir" -p "$port" -U postgres || die "server in $dir not ready"
    echo "$port" >"$dir/port"
    if [[ -n $watch_pid ]]; then
        # Detached (own session, no inherited stdio) so ctest does not wait for it.
        # shellcheck disable=SC2016 # expanded by the inner bash
        setsid bash -c '
            watch=$1 self=$2 dir=$3 pidfile=$3/data/postmaster.pid
            pm=$(head -n 1 "$pidfile" 2>/dev/null || true)
            while kill -0 "$watch" 2>/dev/null; do
                # Stopped normally (or by someone else): nothing left to guard.
                [[ -f $pidfile && $(head -n 1 "$pidfile") == "$pm" ]] || exit 0
                sleep 1
            done
            "$self" stop "$dir"
        ' pg_oracle_watch "$watch_pid" "$self" "$dir" </dev/null >/dev/null 2>&1 &
    fi
    echo "$port"
    ;;
stop)
    [[ $# -eq 0 ]] || usage
    [[ -d $dir ]] || exit 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
    if is_running; then
        die "server in $dir did not stop"
    fi
    ;;
env)
    [[ $# -eq 0 ]] || usage
    [[ -f $dir/port ]] || die "no server started in $dir"
    echo "PGHOST=$(realpath "$dir")"
    echo "PGPORT=$(cat "$dir/port")"
    echo "PGUSER=postgres"
    echo "PGDATABASE=postgres"
    ;;
*)
    usage
    ;;
esac
