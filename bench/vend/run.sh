#!/usr/bin/env bash
# Vend benchmark (issue 13): buys through tradingd at 16 connections against vend-sim (out of
# process, over HTTP) at zero provider latency, then at LATENCY_MS; in the same run, credit vends
# straight to vend-sim at 16 connections, so the overhead tradingd adds over the provider's own
# cost is measured side by side. Every purchase is checked afterwards: recorded once, sold once.
# The elec_tokens are prepared in the database (prepare.py), so the rounds time buys alone.
# Figures go to stdout and .local/bench-vend/results.txt.
#
# CONNECTIONS (default 16) sets the connections of both wrk runs (1 shows the cost of one buy alone).
#
# usage: bench/vend/run.sh [SECONDS per round (default 30)] [LATENCY_MS (default 50)] [COUNT purchases
#        prepared per round (default 60000; a round that uses them up says so and is not a figure)]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_ROUND=${1:-30}
LATENCY_MS=${2:-50}
COUNT=${3:-60000}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=$((CONNECTIONS < 4 ? CONNECTIONS : 4))

ENV_FILE=.local/servers.env
if [ ! -f "$ENV_FILE" ]; then
    MAIN=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .git)")
    if [ -f "$MAIN/.local/servers.env" ]; then ENV_FILE=$MAIN/.local/servers.env; else Deploy/servers.sh start >/dev/null; fi
fi
[ -f "$ENV_FILE" ] || { echo "bench/vend: no .local/servers.env: run Deploy/servers.sh start" >&2; exit 1; }
# shellcheck disable=SC1091
source "$ENV_FILE"
DB=${TRADINGD_TEST_DATABASE_URL%/*}/tradingd_bench_vend
ADMIN_DB=${TRADINGD_TEST_DATABASE_URL%/*}/postgres
WORK=$(dirname "$ENV_FILE")/bench-vend
mkdir -p "$WORK"
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

echo "bench/vend: building (release)" >&2
swift build -c release --product tradingd >&2
swift build -c release --product vend-sim >&2
BIN=$(swift build -c release --show-bin-path)

psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS tradingd_bench_vend WITH (FORCE)" -c "CREATE DATABASE tradingd_bench_vend" >/dev/null

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$BIN/vend-sim" --port 0 > "$WORK/vend-sim.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do grep -q '^port=' "$WORK/vend-sim.log" && break; sleep 0.1; done
SIM_PORT=$(grep -o '^port=[0-9]*' "$WORK/vend-sim.log" | cut -d= -f2)
SIM="http://127.0.0.1:$SIM_PORT"

HTTP_PORT=${HTTP_PORT:-18480}
export TRADINGD_DATABASE_URL="$DB" TRADINGD_AMQP_URL="$TRADINGD_TEST_AMQP_URL"
export TRADINGD_AMQP_MANAGEMENT_URL="$TRADINGD_TEST_AMQP_MANAGEMENT_URL"
export TRADINGD_SECRET_KEY; TRADINGD_SECRET_KEY=$(openssl rand -base64 32)
export TRADINGD_HTTP_ADDRESS="127.0.0.1:$HTTP_PORT" TRADINGD_MIGRATIONS_DIRECTORY="$PWD/Migrations" TRADINGD_LOG_LEVEL=warning
export TRADINGD_OUTBOUND_PRIVATE_ALLOW="127.0.0.1:$SIM_PORT"
export TRADINGD_VEND_SIMULATOR_URL="$SIM/apimanager/rest/basic/v1/electricity"
export TRADINGD_ESM_SYNC_INTERVAL_SECONDS=0
"$BIN/tradingd" migrate >/dev/null
"$BIN/tradingd" serve > "$WORK/tradingd.log" 2>&1 &
PIDS+=($!)
URL="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# CPU of tradingd and of the PostgreSQL backends serving the bench database over one wrk run
# (bench/cpu.py, from /proc).
cpu_start() {
    python3 bench/cpu.py --json tradingd="^tradingd $BIN/tradingd serve" pg="^postgres postgres: \\S+ tradingd_bench_vend " \
        > "$WORK/cpu.json" 2> "$WORK/cpu.err" &
    CPU_PID=$!
    PIDS+=($CPU_PID)
    until grep -q ready "$WORK/cpu.err" 2>/dev/null; do sleep 0.05; done
}
cpu_stop() { kill "$CPU_PID"; wait "$CPU_PID" || true; }
# "CPU per buy: ..." for REQUESTS requests, from the last cpu.json.
cpu_per_buy() {
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
print('   CPU per buy: tradingd %.0f µs, PostgreSQL backends %.0f µs (machine %d%% busy)'
      % (d['cpu']['tradingd'] * 1e6 / n, d['cpu']['pg'] * 1e6 / n, d['machine_percent']))" "$WORK/cpu.json" "$1"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
report() {
    local name=$1 line=$2
    local requests seconds
    requests=$(field requests "$line"); seconds=$(field seconds "$line")
    printf '%-34s %9.0f/s  p50 %7s ms  p99 %7s ms  (%s requests, errors %s)\n' "$name" \
        "$(echo "$requests / $seconds" | bc -l)" "$(field p50_ms "$line")" "$(field p99_ms "$line")" "$requests" "$(field errors "$line")"
}

{
echo "bench/vend $(date -u +%FT%TZ) on $(nproc) cores, ${SECONDS_PER_ROUND} s per round, $CONNECTIONS connection(s)"
round=0
for latency in 0 "$LATENCY_MS"; do
    round=$((round + 1))
    curl -fs -X POST "$SIM/_sim/knobs" -d "{\"latencyMs\": $latency}" >/dev/null
    prefix="R$round-"
    api_token=$(python3 bench/vend/prepare.py "$DB" "$URL" "$COUNT" "$WORK/tokens.txt" "$prefix")
    echo "-- provider latency ${latency} ms; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    cpu_start
    buys=$(wrk "-t$THREADS" "-c$CONNECTIONS" "-d${SECONDS_PER_ROUND}s" --latency -s bench/vend/buy.lua "$URL" -- "$THREADS" "$api_token" "$WORK/tokens.txt" | grep '^RESULT')
    cpu_stop
    report "buys through tradingd" "$buys"
    cpu_per_buy "$(field requests "$buys")"
    [ "$(field exhausted "$buys")" = 0 ] || echo "   the prepared purchases ran out: run again with a larger COUNT (\$3)"
    direct=$(wrk "-t$THREADS" "-c$CONNECTIONS" "-d${SECONDS_PER_ROUND}s" --latency -s bench/vend/creditvend.lua "$SIM" -- "$round" | grep '^RESULT')
    report "credit vends straight to vend-sim" "$direct"
    overhead50=$(echo "$(field p50_ms "$buys") - $(field p50_ms "$direct")" | bc -l)
    overhead99=$(echo "$(field p99_ms "$buys") - $(field p99_ms "$direct")" | bc -l)
    printf '%-34s p50 %+.2f ms  p99 %+.2f ms\n' "overhead of tradingd" "$overhead50" "$overhead99"
    echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    # The provider calls as tradingd timed them (its histogram is cumulative over the rounds).
    curl -fs "$URL/metrics" | awk '/^tradingd_vend_provider_call_seconds_sum/ {s=$2} /^tradingd_vend_provider_call_seconds_count/ {c=$2}
        END {if (c > 0) printf "   tradingd: %d provider calls so far, mean %.2f ms each\n", c, 1000 * s / c}'
    psql -At "$DB" -c "SELECT 'recorded ' || count(*) || ', success ' || count(*) FILTER (WHERE status = 'success') || ', other ' || count(*) FILTER (WHERE status <> 'success') || ', distinct tokens ' || count(DISTINCT receipt->'std_tokens'->-1->>'code') FROM vend_transactions WHERE trans_id LIKE '$prefix%'"
done
echo "simulator: $(curl -fs "$SIM/_sim/stats")"
} | tee "$WORK/results.txt"
