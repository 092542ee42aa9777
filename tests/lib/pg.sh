#!/usr/bin/env bash
# tests/lib/pg.sh - a private PostgreSQL 15 cluster on 127.0.0.1.
#
#   pg.sh start DIR PORT          throwaway cluster for tests: any instance
#                                 left running in DIR is stopped, DIR/data is
#                                 created anew, fsync is off
#   pg.sh start DIR PORT --keep   persistent cluster: DIR/data is created on
#                                 the first run and reused after, fsync on
#   pg.sh stop DIR                stops the cluster in DIR (fast, then
#                                 immediate, then SIGKILL; bounded)
#   pg.sh status DIR              exit 0 when the cluster in DIR is running
#
# The cluster listens on 127.0.0.1:PORT only, with its unix socket in
# DIR/sock, trust authentication for the superuser `postgres`, and a log in
# DIR/postgres.log. Run as root, initdb and postgres run as the `postgres`
# user, which must be able to reach DIR; run as another user, they run as
# that user.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        local cmd="" a
        for a in "$@"; do
            cmd+=" $(printf '%q' "$a")"
        done
        su postgres -s /bin/sh -c "$cmd"
    else
        "$@"
    fi
}

owner() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

# Prints the postmaster's pid when one runs for DIR/data, else nothing.
running_pid() {
    local pidfile=$1/data/postmaster.pid pid
    [ -f "$pidfile" ] || return 0
    pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
    case $pid in '' | *[!0-9]*) return 0 ;; esac
    if kill -0 "$pid" 2>/dev/null && grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; then
        echo "$pid"
    fi
}

pg_stop() {
    local dir=$1 pid
    pid=$(running_pid "$dir")
    [ -n "$pid" ] || return 0
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
    pid=$(running_pid "$dir")
    if [ -n "$pid" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    [ -z "$(running_pid "$dir")" ] || die "could not stop the cluster in $dir (pid $pid)"
}

# True when something accepts connections on 127.0.0.1:PORT.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
    local dir=$1 port=$2 keep=$3 fsync=off
    [ -x "$PGBIN/postgres" ] || die "$PGBIN/postgres not found: apt-get install -y postgresql-15"
    case $port in '' | *[!0-9]*) die "PORT must be a number, got '$port'" ;; esac
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)

    # A cluster of a previous run in the same DIR: reuse it (--keep) or stop it.
    if [ -n "$(running_pid "$dir")" ]; then
        if [ "$keep" = 1 ]; then
            echo "pg.sh: restarting the cluster already running in $dir" >&2
        else
            echo "pg.sh: stopping a stale cluster in $dir" >&2
        fi
        pg_stop "$dir"
    fi
    if port_busy "$port"; then
        die "127.0.0.1:$port is in use by another process; pick another port"
    fi

    chown "$(owner)" "$dir"
    chmod 700 "$dir"
    if ! as_owner test -w "$dir"; then
        die "user $(owner) cannot write $dir (every parent directory must be traversable by it)"
    fi
    if [ "$keep" = 0 ]; then
        rm -rf "$dir/data" "$dir/sock"
    else
        fsync=on
    fi
    as_owner mkdir -p "$dir/sock"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        rm -rf "$dir/data"
        local sync=()
        [ "$keep" = 1 ] || sync=(--no-sync)
        as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            "${sync[@]}" >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }
    fi
    local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=$fsync"
    opts+=" -c max_connections=200 -c shared_buffers=128MB"
    if [ "$keep" = 0 ]; then
        opts+=" -c synchronous_commit=off -c full_page_writes=off"
    fi
    if ! as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "$opts" start \
        >/dev/null; then
        tail -n 20 "$dir/postgres.log" >&2 || true
        die "PostgreSQL did not start"
    fi
    for _ in $(seq 1 100); do
        if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; then
            return 0
        fi
        sleep 0.1
    done
    die "PostgreSQL started but does not accept connections on 127.0.0.1:$port"
}

usage() {
    echo "usage: pg.sh start DIR PORT [--keep] | stop DIR | status DIR" >&2
    exit 2
}

[ $# -ge 2 ] || usage
case $1 in
start)
    [ $# -ge 3 ] || usage
    keep=0
    if [ "${4:-}" = --keep ]; then keep=1; elif [ -n "${4:-}" ]; then usage; fi
    pg_start "$2" "$3" "$keep"
    ;;
stop)
    [ -d "$2" ] || exit 0
    pg_stop "$(cd "$2" && pwd -P)"
    ;;
status)
    [ -n "$(running_pid "$2")" ]
    ;;
*) usage ;;
esac
