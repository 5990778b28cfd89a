#!/usr/bin/env bash
# Writes docs/status-login.png and docs/status-page.png from the local run, for the README: starts
# the local run in the background when it is not serving, sends a command and a plant
# configuration request so the page's lists show something, then drives headless Chromium
# through Deploy/tests/status_page.py (which checks the page as it goes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash Deploy/apt-install.sh chromium python3
started=
if ! { [ -f .local/env ] && (set -a; . .local/env; curl -fs "$TRADINGD_URL/healthz" >/dev/null); }; then
    bash Deploy/run-local.sh start
    started=1
fi
set -a; . .local/env; set +a
"$TRADINGD_BIN/telemetry-gen" command --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" \
    --prefix "$TRADINGD_QUEUE_PREFIX" --plant "$TRADINGD_DEMO_PLANT" --type SITE_SETPOINT --active-power-kw 5 >/dev/null
curl -fsS -X POST -H "Authorization: Bearer $TRADINGD_TOKEN" -H 'Content-Type: application/json' \
    -d '{"timeConfigs":[{"from":"00:00","to":"24:00","pBatMin":-5,"pBatMax":5,"socMin":10,"socMax":90}]}' \
    "$TRADINGD_URL/api/v1/trading/plants/$TRADINGD_DEMO_PLANT/config/validate" >/dev/null || true
for _ in $(seq 1 30); do  # until the relay sent the command and the simulator acknowledged it
    curl -fs -H "Authorization: Bearer $TRADINGD_TOKEN" "$TRADINGD_URL/api/v1/trading/plants/$TRADINGD_DEMO_PLANT/command-log" \
        | grep -q '"ackStatus":"EXECUTED"' && break
    sleep 0.5
done
python3 Deploy/tests/status_page.py --screenshots docs
[ -z "$started" ] || bash Deploy/run-local.sh stop
echo "wrote docs/status-login.png and docs/status-page.png"
