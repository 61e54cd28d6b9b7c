#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, in target/postgres.
#
#   scripts/postgres.sh start   starts it (installing PostgreSQL from Debian when no server
#                               binaries are found) and prints its URL on stdout
#   scripts/postgres.sh stop    stops it and removes its files
#
# Environment: COOPOL_PG_PORT (default 54329), COOPOL_PG_DIR (default target/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${COOPOL_PG_PORT:-54329}
dir=${COOPOL_PG_DIR:-$PWD/target/postgres}

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local name=$1 candidate
    for candidate in "$(command -v "$name" 2>/dev/null || true)" /usr/lib/postgresql/*/bin/"$name"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_binaries() {
    if find_bin initdb >/dev/null && find_bin pg_ctl >/dev/null; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        log "PostgreSQL is not installed and this is not root: install Debian's postgresql package"
        exit 1
    fi
    log "installing PostgreSQL (Debian package postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    # Debian starts a cluster of its own on 5432; the suite uses its own server.
    (service postgresql stop || true) >/dev/null 2>&1
}

# Runs a command as the postgres user when we are root (initdb refuses to run as root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

start() {
    ensure_binaries
    local initdb pg_ctl
    initdb=$(find_bin initdb)
    pg_ctl=$(find_bin pg_ctl)
    if [ -f "$dir/data/postmaster.pid" ]; then
        stop
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_owner "'$initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 --no-locale" >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # Durability is not what the tests measure: fsync off makes CREATE DATABASE per test cheap.
    as_owner "'$pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -c listen_addresses=127.0.0.1 -k '$dir' -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local pg_ctl
    pg_ctl=$(find_bin pg_ctl) || return 0
    if [ -d "$dir/data" ]; then
        as_owner "'$pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: scripts/postgres.sh start|stop" >&2; exit 2 ;;
esac
