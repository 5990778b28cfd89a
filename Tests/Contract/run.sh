#!/usr/bin/env bash
# The API contract run: validates /openapi.json with openapi-spec-validator and runs schemathesis
# (every check, stateful links included) against a tradingd of its own: a free loopback port, a
# fresh database on the shared test PostgreSQL, a fresh organisation and exchange on the test
# RabbitMQ, the ESM simulator. Everything it starts it stops, and its database it drops.
#
#   bash Tests/Contract/run.sh              # CI: about 3 minutes of schemathesis
#   CONTRACT_MAX_TIME=1800 CONTRACT_MAX_EXAMPLES=500 bash Tests/Contract/run.sh   # a longer local run
#
# Needs the servers of Deploy/servers.sh and a debug build (Deploy/test.sh does both first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"
MAX_TIME=${CONTRACT_MAX_TIME:-180}
MAX_EXAMPLES=${CONTRACT_MAX_EXAMPLES:-60}
WORK="$ROOT/.local/contract"
mkdir -p "$WORK"
say() { printf '[contract] %s\n' "$*" >&2; }

# The servers of this checkout, or (in a git worktree) of the main checkout, as TestSupport finds them.
SERVERS_ENV="$ROOT/.local/servers.env"
[ -f "$SERVERS_ENV" ] || SERVERS_ENV="$(cd "$(git rev-parse --git-common-dir)/.." && pwd)/.local/servers.env"
set -a
# shellcheck disable=SC1090
. "$SERVERS_ENV"
set +a

# The tools, in a virtual environment cached per requirements file (a fresh machine installs).
REQUIREMENTS="$ROOT/Tests/Contract/requirements.txt"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/tradingd/contract-venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
    say "installing $(grep -v '^#' "$REQUIREMENTS" | tr '\n' ' ')into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" > "$WORK/pip.log" 2>&1 \
        || { tail -20 "$WORK/pip.log" >&2; exit 1; }
fi

BIN=$(swift build --show-bin-path)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port)
ESM_PORT=$(free_port)
VEND_PORT=$(free_port)
RUN_ID=$(date +%s)-$$
ORG="ct-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DATABASE="tradingd_contract_${RUN_ID//-/_}"
ADMIN_URL="$TRADINGD_TEST_DATABASE_URL"
export TRADINGD_DATABASE_URL="${ADMIN_URL%/*}/$DATABASE"
export TRADINGD_AMQP_URL="$TRADINGD_TEST_AMQP_URL"
export TRADINGD_AMQP_MANAGEMENT_URL="$TRADINGD_TEST_AMQP_MANAGEMENT_URL"
export TRADINGD_EXCHANGE="contract-$RUN_ID"
export TRADINGD_HTTP_ADDRESS="127.0.0.1:$HTTP_PORT"
export TRADINGD_SECRET_KEY; TRADINGD_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export TRADINGD_MIGRATIONS_DIRECTORY="$ROOT/Migrations"
export TRADINGD_ESM_PRIVATE_ALLOW="127.0.0.1:$ESM_PORT,127.0.0.1:$VEND_PORT"
# Vending through vend-sim, the seed's testing tips as in the local run (docs/VEND.md); the hooks
# give each login and verify-customer its own X-Forwarded-For, so that the per-address login
# throttle answers the run's wrong passwords without locking out the right ones.
export TRADINGD_VEND_SIMULATOR_URL="http://127.0.0.1:$VEND_PORT/apimanager/rest/basic/v1/electricity"
export TRADINGD_VEND_LUHN_EXEMPT_METERS=12345678901
export TRADINGD_VEND_TRUSTED_PROXIES=127.0.0.1
export TRADINGD_LOG_LEVEL=warning
# Disabling waits up to this grace for the organisation's consumers; a consumer stuck in its
# reconnect loop once made a disable take over 20 s (noted in docs/API-CONTRACT.md).
export TRADINGD_SHUTDOWN_GRACE_SECONDS=5
export CONTRACT_ESM_URL="http://127.0.0.1:$ESM_PORT" CONTRACT_ESM_CLIENT_ID=contract-client CONTRACT_ESM_CLIENT_SECRET=contract-secret
export CONTRACT_VEND_EMAIL=user@example.com CONTRACT_VEND_PASSWORD=password123 CONTRACT_VEND_METER=12345678901
URL="http://127.0.0.1:$HTTP_PORT"

PIDS=()
cleanup() {
    local status=$?
    [ -n "${CONTRACT_TOKEN:-}" ] && curl -fs -X POST -H "Authorization: Bearer $CONTRACT_TOKEN" "$URL/api/v1/trading/config/disable" >/dev/null 2>&1 || true
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql -X -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null 2>&1 || true
    local management=${TRADINGD_AMQP_MANAGEMENT_URL#http://} vhost=${TRADINGD_AMQP_URL##*/}
    curl -fs -X DELETE "http://${management}/api/exchanges/${vhost}/${TRADINGD_EXCHANGE}" >/dev/null 2>&1 || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

psql -X -q "$ADMIN_URL" -c "CREATE DATABASE $DATABASE" >/dev/null
"$BIN/tradingd" migrate > "$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; exit 1; }
"$BIN/tradingd" org create --slug "$ORG" --name "Contract run" >/dev/null
CONTRACT_TOKEN=$("$BIN/tradingd" token create --org "$ORG" --role admin --scopes trading,purchase,vend,loyalty | tail -1)
export CONTRACT_TOKEN
TRADINGD_VEND_PASSWORD=$CONTRACT_VEND_PASSWORD "$BIN/tradingd" vend user create --org "$ORG" --email "$CONTRACT_VEND_EMAIL" \
    --name "Contract Agent" >/dev/null
"$BIN/tradingd" vend import --org "$ORG" --file "$ROOT/Deploy/vend-demo-catalog.csv" >/dev/null
# The purchase family's examples: seed 000's user and a quarter-hour retailer in Madrid.
psql -X -q "$TRADINGD_DATABASE_URL" -v ON_ERROR_STOP=1 -c \
    "INSERT INTO users (organization_id, username) SELECT id, 'trebolenergia' FROM organizations WHERE slug = '$ORG'" >/dev/null
"$BIN/tradingd" retailer create --org "$ORG" --id 123 --name "Contract retailer" --time-zone Europe/Madrid >/dev/null

"$BIN/esm-sim" --port "$ESM_PORT" --plants 3 --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" \
    --queue-prefix "$ORG" --client-id "$CONTRACT_ESM_CLIENT_ID" --client-secret "$CONTRACT_ESM_CLIENT_SECRET" \
    > "$WORK/esm-sim.log" 2>&1 &
PIDS+=($!)
"$BIN/vend-sim" --port "$VEND_PORT" --meter "$CONTRACT_VEND_METER=John Doe" > "$WORK/vend-sim.log" 2>&1 &
PIDS+=($!)
"$BIN/tradingd" serve > "$WORK/tradingd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/healthz" >/dev/null || { say "tradingd did not start:"; tail -20 "$WORK/tradingd.log" >&2; exit 1; }

api() {
    curl -fsS -X "$1" -H "Authorization: Bearer $CONTRACT_TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"} "$URL/api/v1/trading$2"
}
# Data for the operations to find: trading enabled against the simulator, its plants synced, the
# first one renamed to the seed's example plant id (so the document's examples reach a real,
# linked plant), telemetry, meter readings and a command for it.
api POST /config "{\"esmApiUrl\":\"$CONTRACT_ESM_URL\",\"esmClientId\":\"$CONTRACT_ESM_CLIENT_ID\",\"esmClientSecret\":\"$CONTRACT_ESM_CLIENT_SECRET\",\"queuePrefix\":\"$ORG\"}" >/dev/null
api POST /config/enable >/dev/null
api POST /plants/sync >/dev/null
SEED_PLANT=8c2c37ff-79f6-40ba-b98d-a2bfedecc0a3
psql -X -q "$TRADINGD_DATABASE_URL" -v ON_ERROR_STOP=1 -c \
    "UPDATE plants SET id = '$SEED_PLANT' WHERE id = (SELECT id FROM plants ORDER BY name, id LIMIT 1)" >/dev/null
"$BIN/telemetry-gen" --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" --prefix "$ORG" \
    --plants "$SEED_PLANT" --count 120 --step 60 --quiet > "$WORK/telemetry-gen.log" 2>&1
"$BIN/telemetry-gen" command --amqp-url "$TRADINGD_AMQP_URL" --exchange "$TRADINGD_EXCHANGE" --prefix "$ORG" \
    --plant "$SEED_PLANT" --type SITE_SETPOINT --active-power-kw 5 >> "$WORK/telemetry-gen.log" 2>&1
for _ in $(seq 1 50); do
    api GET "/plants/$SEED_PLANT/telemetry/latest" >/dev/null 2>&1 && break
    sleep 0.2
done

# The customer-data families (docs/CUSTOMER-DATA.md): the local run's demo users and reference
# data, and an API key traded for an auth token, so that their operations are called authenticated.
"$BIN/tradingd" users import --org "$ORG" "$ROOT/Deploy/demo/users.csv" >/dev/null
"$BIN/tradingd" customer-events import --org "$ORG" "$ROOT/Deploy/demo/customer-events-reference-data.json" >/dev/null
CONTRACT_EVENT_API_KEY=$("$BIN/tradingd" customer-events key create --org "$ORG" --label contract | tail -1)
CONTRACT_EVENT_TOKEN=$(curl -fsS -X POST -H "api_key: $CONTRACT_EVENT_API_KEY" "$URL/customer_events/token" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
export CONTRACT_EVENT_API_KEY CONTRACT_EVENT_TOKEN

# The vend family's operations are called with an api_token of the seed's agent.
CONTRACT_VEND_TOKEN=$(curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$CONTRACT_VEND_EMAIL\",\"password\":\"$CONTRACT_VEND_PASSWORD\"}" "$URL/api/auth/login" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_token"])')
export CONTRACT_VEND_TOKEN

say "validating $URL/openapi.json"
curl -fsS "$URL/openapi.json" > "$WORK/openapi.json"
"$VENV/bin/openapi-spec-validator" "$WORK/openapi.json"

say "schemathesis: every operation, every check, $MAX_EXAMPLES examples each, at most ${MAX_TIME}s (log: .local/contract/)"
cd "$ROOT/Tests/Contract"
SCHEMATHESIS_HOOKS="$ROOT/Tests/Contract/hooks.py" "$VENV/bin/schemathesis" --config-file schemathesis.toml run "$URL/openapi.json" \
    --url "$URL" --checks all --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --seed "${CONTRACT_SEED:-$RANDOM}" \
    --workers 1 --request-timeout 35 --generation-database none --no-color \
    --report junit --report-dir "$WORK" 2>&1 | tee "$WORK/schemathesis.log" || status=$?
# How deep the generated calls reached (a run whose purchases all failed tested only refusals).
say "vend purchases by outcome: $(psql -X -qAt "$TRADINGD_DATABASE_URL" -c \
    "SELECT coalesce(string_agg(status || ' ' || n, ', '), 'none') FROM (SELECT status, count(*) n FROM vend_transactions GROUP BY 1 ORDER BY 1) t")"
exit "${status:-0}"
