#!/usr/bin/env bash
# Purchase submissions (issue 11): 96-row submissions at 16 connections (req/s, p50, p99) and one
# 35,136-row submission, beside the same rows written by COPY in the same run. A release tradingd
# serves a fresh database on the private PostgreSQL (no workflow engine: purchases stay pending,
# so only the API and the storage are measured). Figures to stdout and .local/bench-purchases/.
#
# usage: bench/purchases/run.sh [SECONDS (default 20)] [CONNECTIONS (default 16)] [REPEATS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_=${1:-20}
CONNECTIONS=${2:-16}
REPEATS=${3:-5}
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"

ENV_FILE=.local/servers.env
if [ ! -f "$ENV_FILE" ]; then
    MAIN=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .git)")
    if [ -f "$MAIN/.local/servers.env" ]; then ENV_FILE=$MAIN/.local/servers.env; else Deploy/servers.sh start >/dev/null; fi
fi
[ -f "$ENV_FILE" ] || { echo "bench/purchases: no .local/servers.env: run Deploy/servers.sh start" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
DB_NAME=tradingd_bench_purchases
DB=${TRADINGD_TEST_DATABASE_URL%/*}/$DB_NAME
ADMIN_DB=${TRADINGD_TEST_DATABASE_URL%/*}/postgres
WORK=$(dirname "$ENV_FILE")/bench-purchases
mkdir -p "$WORK"

echo "bench/purchases: building (release)" >&2
swift build -c release --product tradingd >&2
swift build -c release --product purchases-bench >&2
BIN=$(swift build -c release --show-bin-path)

psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export TRADINGD_DATABASE_URL="$DB" TRADINGD_AMQP_URL="$TRADINGD_TEST_AMQP_URL" TRADINGD_AMQP_MANAGEMENT_URL="$TRADINGD_TEST_AMQP_MANAGEMENT_URL"
export TRADINGD_SECRET_KEY; TRADINGD_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export TRADINGD_HTTP_ADDRESS="127.0.0.1:$PORT" TRADINGD_MIGRATIONS_DIRECTORY="$PWD/Migrations" TRADINGD_LOG_LEVEL=warning
export TRADINGD_EXCHANGE="bench-purchases-$$" TRADINGD_ARGO_URL=""
"$BIN/tradingd" migrate >/dev/null
"$BIN/tradingd" org create --slug bench --name Bench >/dev/null
psql -q "$DB" -c "INSERT INTO users (organization_id, username) SELECT id, 'trebolenergia' FROM organizations" >/dev/null
"$BIN/tradingd" retailer create --org bench --id 123 --name Bench --time-zone Europe/Madrid >/dev/null
TOKEN=$("$BIN/tradingd" token create --org bench --role operator --scopes purchase | tail -1)

"$BIN/tradingd" serve > "$WORK/tradingd.log" 2>&1 &
DAEMON=$!
trap 'kill -TERM $DAEMON 2>/dev/null || true; wait $DAEMON 2>/dev/null || true; psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(cat /proc/loadavg)"
    "$BIN/purchases-bench" --url "http://127.0.0.1:$PORT" --token "$TOKEN" --database "$DB" --seconds "$SECONDS_" \
        --connections "$CONNECTIONS" --repeats "$REPEATS"
    echo "load after: $(cat /proc/loadavg)"
} | tee "$WORK/results.txt"
