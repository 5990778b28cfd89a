#!/usr/bin/env bash
# The operator-facing tests, after the Swift suite (Deploy/test.sh runs this): the status page in
# headless Chromium and Prometheus with the Grafana dashboard's queries against the local run,
# the alert rules' unit tests, then the Debian package installed, run and purged. Each step has a
# time bound, so a hang fails the run instead of eating the CI budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash Deploy/apt-install.sh chromium prometheus lintian python3 util-linux curl openssl
mkdir -p .local/logs

echo "[operations] alert rules: promtool check rules and test rules"
promtool check rules Deploy/prometheus/alerts.yml
(cd Deploy/prometheus && promtool test rules alerts.test.yml)
promtool check config Deploy/prometheus/prometheus.yml

echo "[operations] starting the local run"
export TRADINGD_BACKFILL_HOURS=${TRADINGD_BACKFILL_HOURS:-6}
trap 'bash Deploy/run-local.sh stop >/dev/null 2>&1 || true' EXIT
timeout 300 bash Deploy/run-local.sh start > .local/logs/run-local-test.log 2>&1 \
    || { tail -30 .local/logs/run-local-test.log >&2; exit 1; }

echo "[operations] status page in headless Chromium"
timeout 180 python3 Deploy/tests/status_page.py
echo "[operations] Prometheus scraping the daemon, every dashboard query"
timeout 240 python3 Deploy/tests/prometheus.py
bash Deploy/run-local.sh stop >/dev/null

echo "[operations] Debian package: build, lintian, install, run as the unit, purge"
timeout 1200 bash Deploy/tests/package.sh
