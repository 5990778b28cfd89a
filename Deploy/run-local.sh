#!/usr/bin/env bash
# The local run: private PostgreSQL and RabbitMQ, migrations, a demo organisation with an admin
# token, the ESM simulator, trading enabled against it with its plants synced, live synthetic
# telemetry, the vend simulator with seed 001's testing tips, the Argo Workflows simulator with a
# demo retailer and user for purchase schedules,
# and tradingd itself. Ctrl-C stops what this script started (the servers keep
# running; `Deploy/servers.sh stop` ends them). Writes .local/env for scripts and people.
#
#   Deploy/run-local.sh          run in the foreground until Ctrl-C
#   Deploy/run-local.sh start    start in the background, return once it serves (for tests, scripts)
#   Deploy/run-local.sh stop     stop what `start` started
#
# A checkout whose .local/servers.env names servers that already answer (a git worktree pointing at
# the main checkout's) uses them as they are.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
LOCAL="$ROOT/.local"
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"

HTTP_ADDRESS=${TRADINGD_HTTP_ADDRESS:-127.0.0.1:8080}
ESM_PORT=${TRADINGD_ESM_SIM_PORT:-18090}
VEND_PORT=${TRADINGD_VEND_SIM_PORT:-18091}
ARGO_PORT=${TRADINGD_ARGO_SIM_PORT:-18092}
ORG=${TRADINGD_ORG:-demo}
CONFIGURATION=${TRADINGD_BUILD_CONFIGURATION:-debug}
BACKFILL_HOURS=${TRADINGD_BACKFILL_HOURS:-24}

MODE=${1:-foreground}
PIDFILE="$LOCAL/run-local.pids"

say() { printf '[local] %s\n' "$*" >&2; }

stop_started() {
    [ -f "$PIDFILE" ] || return 0
    local pids pid
    read -r -a pids < "$PIDFILE"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -f "$PIDFILE"
}

case "$MODE" in
    foreground|start) ;;
    stop) stop_started; say "stopped"; exit 0 ;;
    *) echo "usage: Deploy/run-local.sh [start|stop]" >&2; exit 2 ;;
esac
stop_started  # a previous `start` left running

servers_up() {
    [ -f "$LOCAL/servers.env" ] && (set -a; . "$LOCAL/servers.env"; psql -qAt "$TRADINGD_LOCAL_DATABASE_URL" -c "SELECT 1") >/dev/null 2>&1
}
servers_up || bash Deploy/servers.sh start
set -a
# shellcheck disable=SC1091
. "$LOCAL/servers.env"
set +a

say "building ($CONFIGURATION; log: .local/logs/build-local.log)"
mkdir -p "$LOCAL/logs"
swift build -c "$CONFIGURATION" > "$LOCAL/logs/build-local.log" 2>&1 || { tail -30 "$LOCAL/logs/build-local.log" >&2; exit 1; }
BIN=$(swift build -c "$CONFIGURATION" --show-bin-path)

# A key for secrets at rest, made once per checkout.
[ -f "$LOCAL/secret.key" ] || (umask 077; openssl rand -base64 32 > "$LOCAL/secret.key")

export TRADINGD_DATABASE_URL="$TRADINGD_LOCAL_DATABASE_URL"
export TRADINGD_AMQP_URL="$TRADINGD_LOCAL_AMQP_URL"
export TRADINGD_AMQP_MANAGEMENT_URL="$TRADINGD_LOCAL_AMQP_MANAGEMENT_URL"
export TRADINGD_SECRET_KEY; TRADINGD_SECRET_KEY=$(cat "$LOCAL/secret.key")
export TRADINGD_HTTP_ADDRESS="$HTTP_ADDRESS"
export TRADINGD_MIGRATIONS_DIRECTORY="$ROOT/Migrations"
export TRADINGD_EXCHANGE=${TRADINGD_EXCHANGE:-trading}
# Only the local simulators are exempt from the private-address rule.
export TRADINGD_ESM_PRIVATE_ALLOW="127.0.0.1:$ESM_PORT,127.0.0.1:$VEND_PORT"
export TRADINGD_OUTBOUND_PRIVATE_ALLOW="127.0.0.1:$ARGO_PORT"
# Vending through vend-sim (its books outlive a tradingd restart); the seed's example meter
# 12345678901 fails the Luhn check, so it alone is exempt (docs/VEND.md).
export TRADINGD_VEND_SIMULATOR_URL="http://127.0.0.1:$VEND_PORT/apimanager/rest/basic/v1/electricity"
export TRADINGD_VEND_LUHN_EXEMPT_METERS=12345678901
export TRADINGD_ESM_SYNC_INTERVAL_SECONDS=60
# Purchases go to the Argo simulator; its service-account token is stored sealed, as in production.
ARGO_TOKEN=demo-argo-token
export TRADINGD_PURCHASE_ENGINE=argo
export TRADINGD_ARGO_URL="http://127.0.0.1:$ARGO_PORT"
export TRADINGD_ARGO_TOKEN_SEALED; TRADINGD_ARGO_TOKEN_SEALED=$(printf '%s' "$ARGO_TOKEN" | "$BIN/tradingd" secret seal)

"$BIN/tradingd" migrate
if ! "$BIN/tradingd" token list --org "$ORG" >/dev/null 2>&1; then
    "$BIN/tradingd" org create --slug "$ORG" --name "Demo Energy" >/dev/null
fi
TOKEN=$("$BIN/tradingd" token create --org "$ORG" --role admin | tail -1)
# The seed's testing tips: the agent user@example.com / password123, customer John Doe with the
# meter 12345678901, and two sandbox meters.
if ! "$BIN/tradingd" vend user list --org "$ORG" | grep -q '^user@example.com'; then
    TRADINGD_VEND_PASSWORD=password123 "$BIN/tradingd" vend user create --org "$ORG" --email user@example.com \
        --name "Demo Agent" >/dev/null
fi
"$BIN/tradingd" vend import --org "$ORG" --file Deploy/vend-demo-catalog.csv >/dev/null
# Seed 000's example: user trebolenergia submits for retailer 123 (quarter-hours in Madrid).
# (On stdin: psql does not interpolate variables such as :'org' in a -c command.)
psql -X -q "$TRADINGD_DATABASE_URL" -v ON_ERROR_STOP=1 -v org="$ORG" >/dev/null <<'SQL'
INSERT INTO users (organization_id, username) SELECT id, 'trebolenergia' FROM organizations WHERE slug = :'org' ON CONFLICT DO NOTHING;
SQL
"$BIN/tradingd" retailer list --org "$ORG" | cut -f1 | grep -qx 123 \
    || "$BIN/tradingd" retailer create --org "$ORG" --id 123 --name "Demo Retailer" --time-zone Europe/Madrid >/dev/null
PURCHASE_TOKEN=$("$BIN/tradingd" token create --org "$ORG" --role operator --scopes purchase | tail -1)

# Customer data (seeds 002 and 003): demo users, the reference data seed 003's Example 1 names,
# and Example 1's api_key, so that the example works as written. Importing again changes nothing.
"$BIN/tradingd" users import --org "$ORG" "$ROOT/Deploy/demo/users.csv" >/dev/null
"$BIN/tradingd" customer-events import --org "$ORG" "$ROOT/Deploy/demo/customer-events-reference-data.json" >/dev/null
EVENTS_API_KEY=8c54d563-b991-4b76-8a83-557c08166f95
if ! "$BIN/tradingd" customer-events key list --org "$ORG" | grep -q "seed 003 example"; then
    "$BIN/tradingd" customer-events key create --org "$ORG" --label "seed 003 example" --key "$EVENTS_API_KEY" >/dev/null
fi
LOYALTY_TOKEN=$("$BIN/tradingd" token create --org "$ORG" --role operator --scopes loyalty | tail -1)
DEMO_USER=3f1c2a9e-8d4b-4f6a-9c1e-2b7d5e8a0f13

PIDS=()
cleanup() {
    say "stopping"
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
if [ "$MODE" = start ]; then
    # Left running on success (their PIDs in .local/run-local.pids); stopped if this script fails.
    trap '[ -f "$PIDFILE" ] || cleanup' EXIT
else
    trap cleanup EXIT
    trap 'exit 0' INT TERM
fi

"$BIN/esm-sim" --port "$ESM_PORT" --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" \
    --queue-prefix "$ORG" --client-id demo-client --client-secret demo-secret \
    > "$LOCAL/logs/esm-sim.log" 2>&1 &
PIDS+=($!)

"$BIN/vend-sim" --port "$VEND_PORT" --meter "12345678901=John Doe" > "$LOCAL/logs/vend-sim.log" 2>&1 &
PIDS+=($!)

ARGO_SIM_TOKEN="$ARGO_TOKEN" "$BIN/argo-sim" --port "$ARGO_PORT" --pending-ms 2000 --running-ms 5000 \
    > "$LOCAL/logs/argo-sim.log" 2>&1 &
PIDS+=($!)

if [ "$MODE" = start ]; then
    "$BIN/tradingd" serve > "$LOCAL/logs/tradingd.log" 2>&1 &
else
    "$BIN/tradingd" serve > >(tee "$LOCAL/logs/tradingd.log") 2>&1 &
fi
TRADINGD_PID=$!
PIDS+=("$TRADINGD_PID")

URL="http://$HTTP_ADDRESS"
for _ in $(seq 1 60); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$URL/healthz" >/dev/null || { say "tradingd did not start; see .local/logs/tradingd.log"; exit 1; }

api() {
    local method=$1 path=$2 body=${3:-}
    curl -fsS -X "$method" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${body:+-d "$body"} "$URL/api/v1/trading$path"
}

say "enabling trading for '$ORG' against the ESM simulator"
api POST /config "{\"esmApiUrl\":\"http://127.0.0.1:$ESM_PORT\",\"esmClientId\":\"demo-client\",\"esmClientSecret\":\"demo-secret\",\"queuePrefix\":\"$ORG\"}" >/dev/null
api POST /config/enable >/dev/null
api POST /plants/sync >/dev/null
PLANTS=$(api GET '/plants?limit=100' | python3 -c 'import json,sys; print(",".join(p["id"] for p in json.load(sys.stdin)["data"]))')
[ -n "$PLANTS" ] || { say "no plants were synced from the simulator"; exit 1; }
DEMO_PLANT=${PLANTS%%,*}

# History first (one sample a minute for the last BACKFILL_HOURS), so charts and dashboards have
# something to show at once; then live samples every second.
if [ "$BACKFILL_HOURS" -gt 0 ]; then
    say "publishing ${BACKFILL_HOURS} h of history"
    "$BIN/telemetry-gen" --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" --prefix "$ORG" --plants "$PLANTS" \
        --count $((BACKFILL_HOURS * 60)) --step 60 --batch 60 --meter-every 900 --quiet > "$LOCAL/logs/telemetry-backfill.log" 2>&1
fi
"$BIN/telemetry-gen" --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" --prefix "$ORG" \
    --plants "$PLANTS" --quiet > "$LOCAL/logs/telemetry-gen.log" 2>&1 &
PIDS+=($!)

cat > "$LOCAL/env" <<EOF
# Written by Deploy/run-local.sh: source it (set -a; . .local/env; set +a).
TRADINGD_URL=$URL
TRADINGD_TOKEN=$TOKEN
TRADINGD_ORG=$ORG
TRADINGD_DATABASE_URL=$TRADINGD_DATABASE_URL
TRADINGD_AMQP_URL=$TRADINGD_AMQP_URL
TRADINGD_EXCHANGE=$TRADINGD_EXCHANGE
TRADINGD_QUEUE_PREFIX=$ORG
TRADINGD_DEMO_PLANT=$DEMO_PLANT
TRADINGD_ESM_SIM_URL=http://127.0.0.1:$ESM_PORT
TRADINGD_AMQP_MANAGEMENT_URL=$TRADINGD_AMQP_MANAGEMENT_URL
TRADINGD_BIN=$BIN
TRADINGD_PURCHASE_TOKEN=$PURCHASE_TOKEN
TRADINGD_ARGO_SIM_URL=http://127.0.0.1:$ARGO_PORT
TRADINGD_VEND_SIM_URL=http://127.0.0.1:$VEND_PORT
TRADINGD_VEND_EMAIL=user@example.com
TRADINGD_VEND_PASSWORD=password123
TRADINGD_LOYALTY_TOKEN=$LOYALTY_TOKEN
TRADINGD_DEMO_USER=$DEMO_USER
TRADINGD_CUSTOMER_EVENTS_API_KEY=$EVENTS_API_KEY
EOF
chmod 600 "$LOCAL/env"

cat >&2 <<EOF

tradingd is running at $URL (logs: .local/logs/). Demo organisation '$ORG', plants: $PLANTS
  token:      $TOKEN   (also in .local/env)
  telemetry:  curl -H "Authorization: Bearer \$TRADINGD_TOKEN" "$URL/api/v1/trading/plants/$DEMO_PLANT/telemetry?interval=1"
  latest:     curl -H "Authorization: Bearer \$TRADINGD_TOKEN" "$URL/api/v1/trading/plants/$DEMO_PLANT/telemetry/latest"
  a command:  $BIN/telemetry-gen command --amqp-url "$TRADINGD_AMQP_URL" --prefix $ORG --plant $DEMO_PLANT --type SITE_SETPOINT --active-power-kw 5
  its log:    curl -H "Authorization: Bearer \$TRADINGD_TOKEN" "$URL/api/v1/trading/plants/$DEMO_PLANT/command-log"
  purchases:  user trebolenergia, retailer 123 (Europe/Madrid), token \$TRADINGD_PURCHASE_TOKEN; the README's curl submits the seed's example
  vending (seed 001's testing tips, agent user@example.com / password123, meter 12345678901):
    curl -X POST $URL/api/auth/login -H 'Content-Type: application/json' -d '{"email": "user@example.com", "password": "password123"}'
    curl -X POST $URL/api/electricity/verify-customer -H 'Content-Type: application/json' \\
      -d '{"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "email": "user@example.com", "password": "password123"}'
    curl -X POST $URL/api/buyelectricityprod -H 'Content-Type: application/json' -H "Authorization: Bearer <api_token>" \\
      -d '{"transID": "TXN123456789", "meterNumber": "12345678901", "amount": 50.00, "elec_token": "<elec_token>"}'
  sales:      curl -X POST -H "Authorization: Bearer \$TRADINGD_LOYALTY_TOKEN" -H 'Content-Type: application/json' \\
                -d '{"user_id": "$DEMO_USER", "history": [{"nit": "900.373.923-8", "monto": 15000.50, "fecha": "2024-03-15", "emc": "Postobón"}]}' \\
                "$URL/update-user-sales-history"
  events:     T=\$(curl -s -X POST -H "api_key: \$TRADINGD_CUSTOMER_EVENTS_API_KEY" "$URL/customer_events/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
              curl -X POST -H "Authorization: Bearer \$T" -H 'Content-Type: application/json' -d @Deploy/demo/example1.json "$URL/customer_events/purchases"
EOF
if [ "$MODE" = start ]; then
    echo "${PIDS[*]}" > "$PIDFILE"
    say "running in the background; 'bash Deploy/run-local.sh stop' stops it"
    exit 0
fi
say "Ctrl-C stops it."
wait "$TRADINGD_PID"
