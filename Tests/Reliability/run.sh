#!/usr/bin/env bash
# The whole reliability suite (docs/RELIABILITY.md): fault scenarios on private servers of its own
# (.local/reliability-servers/, ports 56400-56404), then the hostile-input and secret checks.
#
#   bash Tests/Reliability/run.sh                 # the CI-sized run (Deploy/test.sh calls it)
#   bash Tests/Reliability/run.sh --scale full    # the long local run
#   bash Tests/Reliability/run.sh --only kill9    # one scenario
#
# Needs a debug build (Deploy/test.sh builds first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"
REQUIREMENTS="$ROOT/Tests/Reliability/requirements.txt"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tradingd/reliability-venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pika, psycopg2, matplotlib' 2>/dev/null; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
    echo "[reliability] installing $(grep -v '^#' "$REQUIREMENTS" | tr '\n' ' ')into $VENV" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    mkdir -p .local
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" > .local/reliability-pip.log 2>&1 \
        || { tail -20 .local/reliability-pip.log >&2; exit 1; }
fi
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" "$ROOT/Tests/Reliability/reliability.py" "$@"
