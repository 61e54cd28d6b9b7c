#!/usr/bin/env bash
# A real SMTP server for the test suite: aiosmtpd (tests/smtp/sink.py) on loopback, which
# writes every message it receives to a folder, one file per message and recipient
# (DIR/<recipient>/<time>-<n>.eml). The tests read what it received.
#
#   scripts/smtp.sh start   starts it on a free port (installing aiosmtpd into a virtual
#                           environment, target/smtp-venv, when missing) and prints the lines
#                           `export COOPOL_TEST_SMTP_HOST=... PORT=... DIR=...` (for `eval`)
#   scripts/smtp.sh stop    stops it and removes its folder
#
# Environment: COOPOL_SMTP_SINK_DIR (default target/smtp-sink), COOPOL_SMTP_SINK_PORT (a free
# port when unset), COOPOL_SMTP_VENV (default target/smtp-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${COOPOL_SMTP_SINK_DIR:-$PWD/target/smtp-sink}
venv=${COOPOL_SMTP_VENV:-$PWD/target/smtp-venv}
requirements=tests/smtp/requirements.txt

log() { echo "smtp.sh: $*" >&2; }

ensure_venv() {
    if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$venv/requirements.installed"; then
        return
    fi
    log "installing aiosmtpd into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$venv/requirements.installed"
}

stop() {
    if [ -f "$dir.pid" ]; then
        local pid
        pid=$(cat "$dir.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        rm -f "$dir.pid"
    fi
    rm -rf "$dir" "$dir.log"
}

start() {
    ensure_venv
    stop
    mkdir -p "$dir"
    local port=${COOPOL_SMTP_SINK_PORT:-}
    if [ -z "$port" ]; then
        port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    fi
    nohup "$venv/bin/python" tests/smtp/sink.py "$port" "$dir" >"$dir.log" 2>&1 &
    echo $! >"$dir.pid"
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "export COOPOL_TEST_SMTP_HOST=127.0.0.1"
            echo "export COOPOL_TEST_SMTP_PORT=$port"
            echo "export COOPOL_TEST_SMTP_DIR=$dir"
            return
        fi
        sleep 0.1
    done
    log "the SMTP sink did not start:"
    cat "$dir.log" >&2
    exit 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: scripts/smtp.sh start|stop" >&2; exit 2 ;;
esac
