#!/usr/bin/env bash
# Installs what the test suite drives besides coopol itself, when missing:
#   - Mastodon.py and toot, in a Python virtual environment (target/clients-venv), pinned by
#     tests/clients/requirements.txt;
#   - aiosmtpd, the SMTP server the e-mail tests read, in target/smtp-venv, pinned by
#     tests/smtp/requirements.txt (scripts/smtp.sh installs it when missing too);
#   - Chromium and ChromeDriver, from Debian (packages chromium and chromium-driver; needs root);
#   - axe-core, the accessibility checker the browser tests run in each page, from the npm
#     registry into target/axe (version pinned below; needs Node.js and npm);
#   - nginx, Caddy and openssl, from Debian (needs root), for the deployment examples' tests;
#   - ffmpeg, from Debian (package ffmpeg; needs root), so that video and sound are processed
#     (probed, stripped of metadata, given a poster frame). coopol runs without it, accepting
#     video and sound as they come: without root a notice is printed and the tests go on.
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/clients-venv
requirements=tests/clients/requirements.txt
if [ ! -x "$venv/bin/toot" ] || ! cmp -s "$requirements" "$venv/requirements.installed"; then
    echo "test-tools: installing Mastodon.py and toot into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.installed"
fi

smtp_venv=target/smtp-venv
smtp_requirements=tests/smtp/requirements.txt
if [ ! -x "$smtp_venv/bin/python" ] || ! cmp -s "$smtp_requirements" "$smtp_venv/requirements.installed"; then
    echo "test-tools: installing aiosmtpd into $smtp_venv" >&2
    rm -rf "$smtp_venv"
    python3 -m venv "$smtp_venv"
    "$smtp_venv/bin/pip" install --quiet --disable-pip-version-check -r "$smtp_requirements"
    cp "$smtp_requirements" "$smtp_venv/requirements.installed"
fi

if [ "${COOPOL_SKIP_BROWSER:-0}" != "1" ]; then
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "test-tools: Chromium is missing; install Debian's chromium and chromium-driver" >&2
            echo "test-tools: (or set COOPOL_SKIP_BROWSER=1 to skip the browser tests)" >&2
            exit 1
        fi
        echo "test-tools: installing chromium and chromium-driver" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq chromium chromium-driver >&2
    fi
fi

axe_version=4.14.1
axe_dir=target/axe
if [ "${COOPOL_SKIP_BROWSER:-0}" != "1" ] && ! grep -qs "\"version\": \"$axe_version\"" "$axe_dir/node_modules/axe-core/package.json"; then
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "test-tools: npm is missing (install Debian's npm): axe-core cannot be installed" >&2
            exit 1
        fi
        echo "test-tools: installing npm" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends npm >&2
    fi
    echo "test-tools: installing axe-core $axe_version into $axe_dir" >&2
    rm -rf "$axe_dir"
    mkdir -p "$axe_dir"
    npm install --silent --no-audit --no-fund --prefix "$axe_dir" "axe-core@$axe_version" >&2
fi

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "test-tools: ffmpeg is missing (install Debian's ffmpeg): video and sound are" >&2
        echo "test-tools: tested as coopol handles them without it" >&2
    else
        echo "test-tools: installing ffmpeg" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends ffmpeg >&2
    fi
fi

# The deployment examples (deploy/) are tried with the real proxies: nginx and Caddy from
# Debian, with openssl for the test's certificates (tests/deploy.rs; systemd-analyze is part of
# Debian's systemd). Installing nginx does not start it on a machine without systemd; where
# systemd runs, the packaged services are stopped and disabled again: the test starts its own.
if [ ! -x /usr/sbin/nginx ] || [ ! -x /usr/bin/caddy ] || ! command -v openssl >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "test-tools: nginx, caddy or openssl is missing (Debian's nginx-light, caddy," >&2
        echo "test-tools: openssl): the deployment tests need them" >&2
    else
        echo "test-tools: installing nginx, caddy and openssl" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends nginx-light caddy openssl >&2
        if [ -d /run/systemd/system ]; then
            systemctl disable --now nginx caddy >&2 || true
        fi
    fi
fi
