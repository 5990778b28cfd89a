#!/usr/bin/env bash
# Purchase customer events (seed 003) at 16 connections: `tradingd serve` (release) answering
# POST /customer_events/purchases with distinct events, beside pgbench running the bare INSERT of
# the same event row (and, second, the same row with its product line) on the same database, in
# the same run. Prints a Markdown section for docs/BENCHMARKS.md.
# Usage: bench/loyalty/run.sh [SECONDS_PER_RUN] (default 15). Needs wrk (installed when missing),
# pgbench (postgresql-client) and the private servers (Deploy/servers.sh start).
# Another build: DAEMON_BINS=/old/tradingd bench/loyalty/run.sh 15 measures that binary (named
# tradingd, for the CPU figures) and builds nothing, for a before/after in the same conditions.
set -euo pipefail
duration=${1:-15}
connections=16
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
daemon_port=${LOYALTY_BENCH_PORT:-18095}
export HTTP_BENCH_DATABASE=tradingd_bench_loyalty
# shellcheck source=bench/http/daemon.sh
source "$root/bench/http/daemon.sh"
cpu_pid=""
cleanup() {
    [ -z "$cpu_pid" ] || kill "$cpu_pid" 2>/dev/null || true
    daemon_stop
    wait 2>/dev/null || true
    bench_psql -d postgres -c "DROP DATABASE IF EXISTS $bench_database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
if [ -z "${DAEMON_BINS:-}" ]; then
    (cd "$root" && swift build -c release --product tradingd 2>&1 | tail -1) >&2
fi
tradingd=${DAEMON_BINS:-$root/.build/release/tradingd}
tradingd=${tradingd%% *}
daemon_prepare
"$tradingd" customer-events import --org bench "$root/Deploy/demo/customer-events-reference-data.json" > "$work/import.log"
api_key=$("$tradingd" customer-events key create --org bench --label bench | tail -1)
org_id=$(bench_psql -d "$bench_database" -At -c "SELECT id FROM organizations WHERE slug = 'bench'")
daemon_start warning "$tradingd"
token=$(curl -sf -X POST -H "api_key: $api_key" "http://127.0.0.1:$daemon_port/customer_events/token" \
    | sed -E 's/.*"token":"([^"]+)".*/\1/')
[ -n "$token" ] || { echo "no auth token" >&2; exit 1; }

# Example 1 with a reference number of its own per request (thread number and counter).
cat > "$work/post.lua" <<LUA
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end
function init(args)
    thread_id = id
end
request = function()
    counter = counter + 1
    local body = '{"cim": "4A30966F684B0269AD91", "reference_number": "RF-' .. thread_id .. '-' .. counter .. '-' .. os.time() .. '",'
        .. '"classification": {"code": "CCC"}, "payment_medium_identifier": "42424242", "performed_on": 1572423477,'
        .. '"currency_code": "EUR", "products": [{"product_sku": "FREDESPR001", "net_amount": 14.15, "tax_amount": 1.04,'
        .. '"total_amount": 15.19, "quantity": 2}], "spend_request": {"amount": 2.12},'
        .. '"merchant_tap": {"code": "EK123456"}, "outlet_tap": {"code": "CD123456"}}'
    return wrk.format("POST", "/customer_events/purchases",
        {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
    io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status, summary.requests))
end
LUA

# The same event row as tradingd writes it (ids resolved, canonical request), with a fresh id
# and reference number per transaction; then the row and its product line in one statement.
ids=$(bench_psql -d "$bench_database" -At -F ' ' <<'SQL'
SELECT c.id, a.id, cl.id, m.id, o.id, p.id
FROM loyalty_contacts c JOIN loyalty_accounts a ON a.contact_id = c.id AND a.is_primary
JOIN loyalty_identification_media i ON i.contact_id = c.id AND i.value = '4A30966F684B0269AD91',
     loyalty_classifications cl, loyalty_business_units m, loyalty_business_units o, loyalty_products p
WHERE cl.code = 'CCC' AND m.code = 'EK123456' AND o.code = 'CD123456' AND p.sku = 'FREDESPR001'
SQL
)
read -r contact account classification merchant outlet product <<< "$ids"
# The canonical request tradingd stores with the event (the one wrk posts, its reference number aside).
request='{"cim":"4A30966F684B0269AD91","classification":{"code":"CCC"},"currency_code":"EUR","merchant_tap":{"code":"EK123456"},"outlet_tap":{"code":"CD123456"},"payment_medium_identifier":"42424242","performed_on":1572423477,"products":[{"net_amount":14.15,"product_sku":"FREDESPR001","quantity":2,"tax_amount":1.04,"total_amount":15.19}],"reference_number":"RF-0","spend_request":{"amount":2.12}}'
values="('$org_id', gen_random_uuid(), 'PG-' || gen_random_uuid(), '$contact', '$account', '4A30966F684B0269AD91', '$classification', 'EUR',
        '42424242', to_timestamp(1572423477), '$merchant', '$outlet', 2.12, NULL, 15.19, '$request', NULL)"
columns="organization_id, id, reference_number, contact_id, account_id, cim, classification_id, currency_code,
         payment_medium_identifier, performed_on, merchant_id, outlet_id, spend_amount, spend_alternative_amount, total_amount,
         request, api_key_id"
cat > "$work/row.sql" <<SQL
INSERT INTO purchase_customer_events ($columns) VALUES $values;
SQL
cat > "$work/row-and-line.sql" <<SQL
WITH event AS (INSERT INTO purchase_customer_events ($columns) VALUES $values RETURNING organization_id, id)
INSERT INTO purchase_customer_event_products (organization_id, event_id, line, product_id, quantity, net_amount, tax_amount, total_amount)
SELECT organization_id, id, 1, '$product', 2, 14.15, 1.04, 15.19 FROM event;
SQL

# CPU of tradingd, of the bench database's PostgreSQL backends and of the load generator over one
# run (bench/cpu.py, from /proc): on a shared machine the rates follow the other load, CPU per
# request much less. cpu_stop COUNT prints "µs of tradingd, of PostgreSQL, of the client" and
# how busy the machine's cores were (percent of one core).
cpu_start() {
    python3 "$root/bench/cpu.py" --json tradingd="^tradingd $tradingd serve" \
        pg="^postgres postgres: \\S+ $bench_database " client='^(wrk|pgbench) ' > "$work/cpu.json" 2> "$work/cpu.err" &
    cpu_pid=$!
    until grep -q ready "$work/cpu.err" 2>/dev/null; do sleep 0.05; done
}
cpu_stop() {
    kill "$cpu_pid"; wait "$cpu_pid" || true
    python3 -c "import json, sys; d = json.load(open(sys.argv[1]))['cpu']; n = max(int(sys.argv[2]), 1)
m = json.load(open(sys.argv[1]))['machine_percent']
print('%.0f %.0f %.0f %.0f' % (d['tradingd'] * 1e6 / n, d['pg'] * 1e6 / n, d['client'] * 1e6 / n, m))" "$work/cpu.json" "$1"
}
run_wrk() {
    wrk -t 2 -c "$connections" -d "${duration}s" -s "$work/post.lua" "http://127.0.0.1:$daemon_port" | grep '^RESULT'
}
run_pgbench() {
    PGPASSWORD=tradingd pgbench -n -h "$bench_pg_host" -p "$bench_pg_port" -U tradingd -c "$connections" -j 2 -T "$duration" \
        -f "$1" "$bench_database" 2>&1 \
        | awk '/latency average/ {latency = $4} /^tps/ {tps = $3} /transactions actually processed/ {split($0, a, ": "); split(a[2], b, "/"); n = b[1]}
               END {printf "%.0f %.2f %d\n", tps, latency, n}'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_start
read -r _ http_rate http_p50 http_p99 http_errors http_requests <<< "$(run_wrk)"
read -r http_cpu http_pg_cpu http_client_cpu http_machine <<< "$(cpu_stop "$http_requests")"
cpu_start
read -r row_rate row_latency row_count <<< "$(run_pgbench "$work/row.sql")"
read -r _ row_pg_cpu row_client_cpu row_machine <<< "$(cpu_stop "$row_count")"
cpu_start
read -r line_rate line_latency line_count <<< "$(run_pgbench "$work/row-and-line.sql")"
read -r _ line_pg_cpu line_client_cpu line_machine <<< "$(cpu_stop "$line_count")"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
stored=$(bench_psql -d "$bench_database" -At -c "SELECT count(*) FROM purchase_customer_events WHERE reference_number LIKE 'RF-%'")

cat <<REPORT
## Purchase customer events (bench/loyalty)

\`${DAEMON_BINS:+DAEMON_BINS=$DAEMON_BINS }bench/loyalty/run.sh $duration\`, $(nproc) cores, load average $load_before before and $load_after after,
$connections connections, each run ${duration} s, one after the other on the same database.

| what | rate | latency | CPU per request: tradingd, PostgreSQL, client (µs) | machine busy |
|---|---|---|---|---|
| tradingd \`POST /customer_events/purchases\` (distinct events, auth token, all references resolved) | $http_rate req/s | p50 $http_p50 ms, p99 $http_p99 ms | $http_cpu, $http_pg_cpu, $http_client_cpu (wrk) | $http_machine% |
| pgbench: bare \`INSERT\` of the same event row | $row_rate tx/s | average $row_latency ms | –, $row_pg_cpu, $row_client_cpu (pgbench) | $row_machine% |
| pgbench: the same row and its product line, one statement | $line_rate tx/s | average $line_latency ms | –, $line_pg_cpu, $line_client_cpu (pgbench) | $line_machine% |

tradingd reached $(awk -v a="$http_rate" -v b="$row_rate" 'BEGIN {printf "%.0f", 100 * a / b}')% of the bare insert's rate
($(awk -v a="$http_rate" -v b="$line_rate" 'BEGIN {printf "%.0f", 100 * a / b}')% of the row-and-line statement's); target 50%.
$http_requests requests, $http_errors non-2xx answers, $stored events stored.
REPORT
