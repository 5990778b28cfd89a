#!/usr/bin/env bash
# The whole reliability suite (docs/RELIABILITY.md): fault scenarios on private servers of its own
# (.local/reliability-servers/, ports 26400-26404, below the ephemeral range), then the hostile-input
# and secret checks.
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
PLOT_REQUIREMENTS="$ROOT/Tests/Reliability/requirements-plot.txt"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tradingd/reliability-venv-$(cat "$REQUIREMENTS" "$PLOT_REQUIREMENTS" | sha256sum | cut -c1-12)"
install() {   # install REQUIREMENTS-FILE: into the venv (created when missing)
    python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    echo "[reliability] installing $(grep -v '^#' "$1" | tr '\n' ' ')into $VENV" >&2
    mkdir -p .local
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$1" > .local/reliability-pip.log 2>&1 \
        || { tail -20 .local/reliability-pip.log >&2; exit 1; }
}
"$VENV/bin/python" -c 'import pika, psycopg2' 2>/dev/null || install "$REQUIREMENTS"
# matplotlib (a minute or more to install) only for the soak, which draws its curves.
case " $* " in *soak*) "$VENV/bin/python" -c 'import matplotlib' 2>/dev/null || install "$PLOT_REQUIREMENTS" ;; esac
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" "$ROOT/Tests/Reliability/reliability.py" "$@"
