#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine with the Swift toolchain lacks for building, running and
# testing Ordinaut, and creates the Python virtual environment the interop tests use. Idempotent.
# `--run` installs only what building and serving need (`make run`): no test servers, no .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
case "$mode" in
    --run) mode=run ;;
    test) ;;
    *) echo "usage: scripts/bootstrap.sh [--run]" >&2; exit 2 ;;
esac

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# Libraries the build links (webhook tools, the Redis event bus; the store links SQLite and libpq).
packages=(libcurl4-openssl-dev libhiredis-dev libsqlite3-dev libpq-dev)
if [ "$mode" = test ]; then
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    # Servers the tests start themselves on loopback (Redis, PostgreSQL; promtool checks the metrics text).
    packages+=(redis-server postgresql prometheus)
    # The web UI's tests drive a real browser.
    packages+=(chromium chromium-driver)
fi
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        echo "bootstrap: add /opt/swift/usr/bin to PATH" >&2
    else
        echo "bootstrap: the Swift toolchain (6.1 or later) is required; see https://www.swift.org/install/linux/" >&2
    fi
    exit 1
fi

[ "$mode" = run ] && exit 0

requirements=tests/interop/requirements.txt
stamp=.venv/.requirements.sha256
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "bootstrap: creating .venv with $requirements"
    python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r "$requirements"
    echo "$wanted" > "$stamp"
fi
