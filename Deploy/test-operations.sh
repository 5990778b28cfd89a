#!/usr/bin/env bash
# The operator-facing tests, after the Swift suite (Deploy/test.sh runs this): the status page in
# headless Chromium and Prometheus with the Grafana dashboard's queries against the local run,
# the alert rules' unit tests, then the Debian package installed, run and purged. Each step has a
# time bound, so a hang fails the run instead of eating the CI budget, and says how long it took.
#
# The package is made from the debug build the suite has just built (Deploy/package.sh
# --debug-build: a relink, about a minute); `bash Deploy/tests/package.sh` tests the release
# package, whose release build takes several minutes more.
#
# usage: bash Deploy/test-operations.sh [--install-only]   (--install-only: the packages alone,
#        which Deploy/test.sh fetches while it builds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step_started=$SECONDS
step() {
    [ -z "${step_name:-}" ] || echo "[operations] $step_name: $((SECONDS - step_started)) s"
    step_name=$1
    step_started=$SECONDS
    [ -z "$step_name" ] || echo "[operations] $step_name"
}

step "installing chromium, prometheus, lintian"
bash Deploy/apt-install.sh chromium prometheus lintian python3 util-linux curl openssl
[ "${1:-}" != --install-only ] || exit 0
mkdir -p .local/logs

step "alert rules: promtool check rules and test rules"
promtool check rules Deploy/prometheus/alerts.yml
(cd Deploy/prometheus && promtool test rules alerts.test.yml)
promtool check config Deploy/prometheus/prometheus.yml

step "starting the local run"
export TRADINGD_BACKFILL_HOURS=${TRADINGD_BACKFILL_HOURS:-6}
trap 'bash Deploy/run-local.sh stop >/dev/null 2>&1 || true' EXIT
timeout 300 bash Deploy/run-local.sh start > .local/logs/run-local-test.log 2>&1 \
    || { tail -30 .local/logs/run-local-test.log >&2; exit 1; }

step "status page in headless Chromium"
timeout 180 python3 Deploy/tests/status_page.py
step "Prometheus scraping the daemon, every dashboard query"
timeout 240 python3 Deploy/tests/prometheus.py
bash Deploy/run-local.sh stop >/dev/null

step "Debian package of the debug build: lintian, install, run as the unit, purge"
timeout 600 bash Deploy/tests/package.sh --debug-build
step ""
echo "[operations] all passed in $SECONDS s"
