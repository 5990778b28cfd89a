#!/usr/bin/env bash
# Telemetry query benchmark (issue 5): GET …/telemetry for 7 days at 15 minutes and for 24 hours
# at 1 minute, wrk at 16 connections against the daemon's HTTP listener with the telemetry API,
# and in the same run pgbench at 16 clients running the very statement the API runs (the
# database's limit). Data: 7 days of 1-minute aggregates for 100 plants (about 1M rows).
#
# usage: bench/ingest/queries.sh [SECONDS_PER_RUN (default 10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
PORT=${QUERY_BENCH_PORT:-18091}
if [ -x Deploy/servers.sh ]; then Deploy/servers.sh start >/dev/null; fi
[ -f .local/servers.env ] || { echo "bench/ingest: no .local/servers.env: run Deploy/servers.sh start" >&2; exit 1; }
# shellcheck disable=SC1091
source .local/servers.env
DB=${TRADINGD_TEST_DATABASE_URL%/*}/tradingd_bench_queries
ADMIN_DB=${TRADINGD_TEST_DATABASE_URL%/*}/postgres
WORK=.local/bench-queries
mkdir -p "$WORK"
log() { echo "bench/ingest/queries: $*" >&2; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

log "building (release)"
swift build -c release --product ingest-bench >&2
BIN=$(swift build -c release --show-bin-path)

log "database: 7 days of minute aggregates for 100 plants"
psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS tradingd_bench_queries WITH (FORCE)" -c "CREATE DATABASE tradingd_bench_queries" >/dev/null
for migration in Migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$DB" -f "$migration" >/dev/null; done
ORG=$(psql -qAt "$DB" -c "INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id")
psql -qAt "$DB" -c "INSERT INTO plants (organization_id, name) SELECT '$ORG', 'bench ' || g FROM generate_series(1, 100) g" >/dev/null
PLANT=$(psql -qAt "$DB" -c "SELECT id FROM plants ORDER BY id LIMIT 1")
COLUMNS="" VALUES=""
for f in consumption fve_power fve_reg grid_power invertor_power soc; do
    COLUMNS="$COLUMNS, ${f}_count, ${f}_sum, ${f}_min, ${f}_max, ${f}_last, ${f}_last_time"
    VALUES="$VALUES, 60, 60 * v, v - 1, v + 1, v, m + interval '59 seconds'"
done
psql -q "$DB" <<SQL >/dev/null
INSERT INTO telemetry_minutes (plant_id, minute, sample_count$COLUMNS)
SELECT p.id, m, 60$VALUES
FROM plants p,
     generate_series(date_trunc('minute', now()) - interval '7 days', date_trunc('minute', now()), interval '1 minute') AS m,
     LATERAL (SELECT round((random() * 100)::numeric, 3)::float8 AS v) AS r;
VACUUM ANALYZE telemetry_minutes;
SQL

"$BIN/ingest-bench" serve --database "$DB" --org "$ORG" --port "$PORT" 2>"$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
sleep 1

NOW=$(date -u +%Y-%m-%dT%H:%M:00Z)
WEEK_AGO=$(date -u -d '7 days ago' +%Y-%m-%dT%H:%M:00Z)
DAY_AGO=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:00Z)
ROWS=()
for CASE in "7 days at 15 minutes|$WEEK_AGO|15" "24 hours at 1 minute|$DAY_AGO|1"; do
    IFS='|' read -r LABEL FROM INTERVAL <<<"$CASE"
    URL="http://127.0.0.1:$PORT/api/v1/trading/plants/$PLANT/telemetry?from=$FROM&to=$NOW&interval=$INTERVAL"
    BUCKETS=$(curl -sf "$URL" | grep -o '"time"' | wc -l)
    log "$LABEL: $BUCKETS buckets; wrk"
    wrk -t2 -c16 -d"${DURATION}s" --latency "$URL" > "$WORK/wrk.txt"
    RPS=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$WORK/wrk.txt")
    P99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
    ERRORS=$(grep -E "Non-2xx|Socket errors" "$WORK/wrk.txt" | tr '\n' ' ' || true)
    "$BIN/ingest-bench" query-sql --plant "$PLANT" --org "$ORG" --from "$FROM" --to "$NOW" --interval "$INTERVAL" > "$WORK/query.sql"
    log "$LABEL: pgbench"
    pgbench -n -c 16 -j 2 -T "$DURATION" -r -f "$WORK/query.sql" "$DB" > "$WORK/pgbench.txt" 2>&1
    TPS=$(awk '/^tps/ {printf "%.0f", $3}' "$WORK/pgbench.txt")
    PG_LAT=$(awk '/latency average/ {print $4 " " $5}' "$WORK/pgbench.txt")
    RATIO=$(awk -v a="$RPS" -v b="$TPS" 'BEGIN {printf "%.0f%%", 100 * a / b}')
    ROWS+=("| $LABEL ($BUCKETS buckets) | $RPS | $P99 | ${ERRORS:-none} | $TPS | $PG_LAT | $RATIO |")
done
RSS=$(awk '/VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER/status")
{
    echo "Telemetry queries, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg); 16 connections, ${DURATION} s each"
    echo
    echo "| query | API req/s (wrk) | API p99 | errors | pgbench tps (same SQL) | pgbench mean latency | API / pgbench |"
    echo "|---|---:|---:|---|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "Peak RSS of the listener: $RSS"
} | tee "$WORK/results.md"
