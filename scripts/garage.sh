#!/usr/bin/env bash
# A throwaway S3 store for the test suite: Garage (https://garagehq.deuxfleurs.fr, AGPL), one
# node on loopback, in target/garage.
#
#   scripts/garage.sh start   starts it (building Garage once per machine when missing, into
#                             ~/.cache/coopol-tools), creates the bucket coopol-test and a key
#                             allowed to use it, and prints on stdout the lines
#                             `export COOPOL_TEST_S3_...=...` that name them (for `eval`)
#   scripts/garage.sh stop    stops it and removes its files
#
# Environment: COOPOL_GARAGE_DIR (default target/garage), COOPOL_GARAGE_S3_PORT (39900),
# COOPOL_GARAGE_RPC_PORT (39901), COOPOL_GARAGE_ADMIN_PORT (39903), COOPOL_TOOLS_DIR (where
# tools built once per machine live, default ~/.cache/coopol-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
version=2.5.0
s3_port=${COOPOL_GARAGE_S3_PORT:-39900}
rpc_port=${COOPOL_GARAGE_RPC_PORT:-39901}
admin_port=${COOPOL_GARAGE_ADMIN_PORT:-39903}
dir=${COOPOL_GARAGE_DIR:-$PWD/target/garage}
tools=${COOPOL_TOOLS_DIR:-$HOME/.cache/coopol-tools}
garage=$tools/garage-$version/bin/garage
bucket=coopol-test
region=garage

log() { echo "garage.sh: $*" >&2; }

# Builds Garage from crates.io when it is not there yet (about 10 minutes on two cores). The
# build has a target folder of its own, so the project's is left alone; where several work
# trees share a machine, /work/cargo.lock keeps builds one at a time.
ensure_binary() {
    if [ -x "$garage" ]; then
        return
    fi
    command -v cargo >/dev/null || { log "cargo is needed to build Garage $version"; exit 1; }
    log "building Garage $version into $tools/garage-$version (once per machine, ~10 minutes)"
    local build=/tmp/coopol-garage-build
    local install=(cargo install "garage@$version" --locked --root "$tools/garage-$version")
    if [ -e /work/cargo.lock ]; then
        install=(flock /work/cargo.lock "${install[@]}")
    fi
    CARGO_TARGET_DIR=$build "${install[@]}" >&2
    rm -rf "$build"
}

# The Garage command line against this node.
cli() {
    "$garage" -c "$dir/garage.toml" "$@"
}

start() {
    ensure_binary
    if [ -f "$dir/garage.pid" ]; then
        stop
    fi
    rm -rf "$dir"
    # Another server on one of the ports would answer in this one's place.
    local port
    for port in "$s3_port" "$rpc_port" "$admin_port"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            log "port $port is taken (another Garage? set COOPOL_GARAGE_S3_PORT, _RPC_PORT, _ADMIN_PORT)"
            exit 1
        fi
    done
    mkdir -p "$dir/meta" "$dir/data"
    # Secrets are read from files Garage checks the permissions of.
    umask 077
    cat >"$dir/garage.toml" <<EOF
metadata_dir = "$dir/meta"
data_dir = "$dir/data"
db_engine = "sqlite"
replication_factor = 1

rpc_bind_addr = "127.0.0.1:$rpc_port"
rpc_public_addr = "127.0.0.1:$rpc_port"
rpc_secret = "$(openssl rand -hex 32)"

[s3_api]
s3_region = "$region"
api_bind_addr = "127.0.0.1:$s3_port"

[admin]
api_bind_addr = "127.0.0.1:$admin_port"
admin_token = "$(openssl rand -base64 32)"
EOF
    RUST_LOG=${RUST_LOG:-warn} setsid "$garage" -c "$dir/garage.toml" server >"$dir/server.log" 2>&1 </dev/null &
    echo $! >"$dir/garage.pid"

    local tries=0
    until cli status >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ $tries -gt 300 ] || ! kill -0 "$(cat "$dir/garage.pid")" 2>/dev/null; then
            log "Garage did not start; its log:"
            cat "$dir/server.log" >&2
            stop
            exit 1
        fi
        sleep 0.1
    done

    local node
    node=$(cli node id -q 2>/dev/null)
    node=${node%%@*}
    cli layout assign -z dc1 -c 1G "$node" >/dev/null
    cli layout apply --version 1 >/dev/null

    # A key made here (Garage's format: GK and 24 hexadecimal digits; a secret of 64).
    local key_id secret
    key_id=GK$(openssl rand -hex 12)
    secret=$(openssl rand -hex 32)
    cli key import --yes -n coopol-test "$key_id" "$secret" >/dev/null
    cli bucket create "$bucket" >/dev/null
    cli bucket allow --read --write --owner "$bucket" --key coopol-test >/dev/null

    # The S3 API answers once the layout is in force: an anonymous request is refused (403).
    tries=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$s3_port/$bucket")" = 403 ]; do
        tries=$((tries + 1))
        if [ $tries -gt 300 ]; then
            log "Garage's S3 API does not answer on port $s3_port; its log:"
            cat "$dir/server.log" >&2
            stop
            exit 1
        fi
        sleep 0.1
    done

    echo "export COOPOL_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port"
    echo "export COOPOL_TEST_S3_REGION=$region"
    echo "export COOPOL_TEST_S3_BUCKET=$bucket"
    echo "export COOPOL_TEST_S3_ACCESS_KEY_ID=$key_id"
    echo "export COOPOL_TEST_S3_SECRET_ACCESS_KEY=$secret"
}

stop() {
    if [ -f "$dir/garage.pid" ]; then
        local pid
        pid=$(cat "$dir/garage.pid")
        if kill "$pid" 2>/dev/null; then
            local tries=0
            while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do
                sleep 0.1
                tries=$((tries + 1))
            done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: scripts/garage.sh start|stop" >&2; exit 2 ;;
esac
