#!/usr/bin/env bash
# Authenticated, database-backed requests of `tradingd serve` against the database's own limit,
# in the same run (issue 18): wrk at CONNECTIONS connections on
#   - GET …/plants/{id}/telemetry/latest with a bearer token, against pgbench at as many clients
#     running the two statements behind it (the token lookup and the latest sample), and
#   - GET …/plants/{id}/telemetry?from=…&to=…&interval=15 (a day, 97 buckets), against pgbench
#     running the same roll-up statement,
# pgbench in prepared mode with the statements' parameters as variables (ingest-bench
# pgbench-script prints tradingd's own SQL text). For every row: the load, the rate, p50 and p99,
# the CPU per request of tradingd, of the database's backends (those of the bench database only)
# and of the client (wrk or pgbench), from /proc (bench/cpu.py); tradingd's resident memory after
# the row and its own p50 and p99 (its request-duration histogram on /metrics, from parsing the
# request to its answer, to the histogram's bucket bounds: the rest of the client's latency is
# outside tradingd's request handling); and nginx returning a fixed 200 at as many connections, the tail this machine
# gives any loopback HTTP server at the time. Rounds alternate which side runs first; medians and
# the issue's targets (p99 under 10 ms and 1.5x pgbench for latest, 70% of pgbench for the
# roll-up, RSS under 64 MiB idle and flat) at the end.
#
# usage: bench/http/database.sh [SECONDS_PER_ROW (default 10)]
#   ROUNDS       rounds (default 3)
#   CONNECTIONS  wrk connections and pgbench clients (default 64)
#   DAEMON_BINS  tradingd binaries to measure in turn (default: this checkout's release build)
#   BENCH_BIN    folder with a release ingest-bench (default: build it)
#   PATHS        which comparisons: "latest telemetry" (default)
#   NGINX        off: no nginx row
set -euo pipefail
duration=${1:-10}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-64}
paths=${PATHS:-latest telemetry}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
daemon_port=${HTTP_BENCH_DAEMON_PORT:-18093}
nginx_port=${HTTP_BENCH_NGINX_PORT:-18094}
export HTTP_BENCH_DATABASE=${HTTP_BENCH_DATABASE:-tradingd_bench_database}
# shellcheck source=bench/http/daemon.sh
source "$root/bench/http/daemon.sh"
trap 'daemon_stop; nginx_stop; rm -rf "$work"' EXIT
if ! command -v wrk >/dev/null || { [ "${NGINX:-on}" != off ] && [ ! -x /usr/sbin/nginx ]; }; then
    apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi

if [ -z "${DAEMON_BINS:-}" ] || [ -z "${BENCH_BIN:-}" ]; then
    (cd "$root" && swift build -c release --product tradingd 2>&1 | tail -1 \
        && swift build -c release --product ingest-bench 2>&1 | tail -1) >&2
fi
DAEMON_BINS=${DAEMON_BINS:-$root/.build/release/tradingd}
BENCH_BIN=${BENCH_BIN:-$root/.build/release}
daemon_prepare
organization=$(bench_psql -d "$bench_database" -At -c "SELECT organization_id FROM plants WHERE id = '$bench_plant'")
to=$(date -u +%Y-%m-%dT%H:%M:00Z)
from=$(date -u -d "$to - 1 day" +%Y-%m-%dT%H:%M:00Z)
bench_psql -d "$bench_database" -c "VACUUM ANALYZE api_tokens, organizations, plants, telemetry_latest, telemetry_minutes"

mapfile -t latest_variables < <("$BENCH_BIN/ingest-bench" pgbench-script --statement token --statement latest \
    --token "$bench_token" --plant "$bench_plant" --org "$organization" --out "$work/latest.sql")
mapfile -t telemetry_variables < <("$BENCH_BIN/ingest-bench" pgbench-script --statement telemetry \
    --plant "$bench_plant" --org "$organization" --from "$from" --to "$to" --interval 15 --out "$work/telemetry.sql")
trading=http://127.0.0.1:$daemon_port/api/v1/trading/plants/$bench_plant
declare -A urls=([latest]="$trading/telemetry/latest" [telemetry]="$trading/telemetry?from=$from&to=$to&interval=15")
declare -A scripts=([latest]="$work/latest.sql" [telemetry]="$work/telemetry.sql")

backends="^postgres postgres: \\S+ $bench_database "
# Starts the CPU sampler for the groups given (LABEL=REGEX ...); waits until it has its baseline.
cpu_start() {
    python3 "$root/bench/cpu.py" --json "$@" > "$work/cpu.json" 2> "$work/cpu.err" &
    cpu_pid=$!
    until grep -q ready "$work/cpu.err" 2>/dev/null; do sleep 0.05; done
}
cpu_stop() { kill "$cpu_pid"; wait "$cpu_pid" || true; }
# CPU µs per request of group LABEL in the last sample, for REQUESTS requests.
per_request() {
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.1f' % (d['cpu'][sys.argv[2]] * 1e6 / int(sys.argv[3])))" \
        "$work/cpu.json" "$1" "$2"
}
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$daemon_pid/status"; }
declare -A routes=([latest]="/api/v1/trading/plants/{plantId}/telemetry/latest" [telemetry]="/api/v1/trading/plants/{plantId}/telemetry")
# tradingd's own latency histogram of ROUTE (from parsing the request to its answer), "le count" lines.
server_histogram() {
    curl -sf "http://127.0.0.1:$daemon_port/metrics" | awk -v route="route=\"$1\"" \
        'index($0, "tradingd_http_request_duration_seconds_bucket{" route ",") == 1 {split($0, a, "le=\""); split(a[2], b, "\""); print b[1], $NF}'
}
# "p50 ≤ X ms, p99 ≤ Y ms" between two histogram readings (bucket bounds: the histogram's resolution).
server_percentiles() {
    python3 -c "
import sys
before = dict(line.split() for line in open(sys.argv[1]))
after = [line.split() for line in open(sys.argv[2])]
counts = [(float(le), float(n) - float(before.get(le, 0))) for le, n in after]
total = counts[-1][1]
pick = lambda q: next(le for le, n in counts if n >= q * total)
fmt = lambda v: 'inf' if v == float('inf') else '%g' % (v * 1000)
print('≤ %s ms / ≤ %s ms' % (fmt(pick(0.5)), fmt(pick(0.99))))" "$1" "$2"
}

RESULTS=()
# One wrk row against the running daemon: "| label | load | req/s | p50 | p99 | tradingd | PG | client | RSS |".
measure_daemon() {
    local path=$1 label=$2 load out requests
    load=$(cut -d' ' -f1 /proc/loadavg)
    server_histogram "${routes[$path]}" > "$work/histogram.before"
    cpu_start tradingd="^tradingd " pg="$backends" client="^wrk "
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "Authorization: Bearer $bench_token" "${urls[$path]}")
    cpu_stop
    server_histogram "${routes[$path]}" > "$work/histogram.after"
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "wrk reported errors: $out" >&2; exit 1; fi
    RESULTS+=("| $label | $load | $(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out") | $(awk '$1 == "50%" {print $2}' <<<"$out") | $(awk '$1 == "99%" {print $2}' <<<"$out") | $(per_request tradingd "$requests") | $(per_request pg "$requests") | $(per_request client "$requests") | $(rss) | $(server_percentiles "$work/histogram.before" "$work/histogram.after") |")
}

# One pgbench row: the same columns, no tradingd.
measure_pgbench() {
    local path=$1 label=$2 load transactions
    local -n variables=${path}_variables
    load=$(cut -d' ' -f1 /proc/loadavg)
    rm -f "$work"/pgbench_log.*
    cpu_start pg="$backends" client="^pgbench "
    PGPASSWORD=tradingd pgbench -n -h "$bench_pg_host" -p "$bench_pg_port" -U tradingd -c "$connections" -j 2 -T "$duration" \
        -M prepared "${variables[@]}" -f "${scripts[$path]}" -l --log-prefix="$work/pgbench_log" "$bench_database" > "$work/pgbench.txt" 2>&1
    cpu_stop
    grep -q "number of failed transactions: 0 " "$work/pgbench.txt" || { cat "$work/pgbench.txt" >&2; exit 1; }
    transactions=$(awk '/actually processed/ {print $NF}' "$work/pgbench.txt")
    # Latencies from the per-transaction logs (third column, µs).
    local percentiles
    percentiles=$(cat "$work"/pgbench_log.* | python3 -c "
import sys
values = sorted(int(line.split()[2]) for line in sys.stdin)
pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] / 1000
print('%.2fms | %.2fms' % (pick(0.50), pick(0.99)))")
    RESULTS+=("| $label | $load | $(awk '/^tps/ {printf "%d", $3}' "$work/pgbench.txt") | $percentiles | - | $(per_request pg "$transactions") | $(per_request client "$transactions") | - | - |")
}

# One wrk row against nginx's fixed 200: its CPU in the server column.
measure_nginx() {
    local label=$1 load out requests
    nginx_start "$nginx_port"
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu_start server="^nginx " client="^wrk "
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$nginx_port/")
    cpu_stop
    nginx_stop
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    RESULTS+=("| $label | $load | $(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out") | $(awk '$1 == "50%" {print $2}' <<<"$out") | $(awk '$1 == "99%" {print $2}' <<<"$out") | $(per_request server "$requests") | - | $(per_request client "$requests") | - | - |")
}

describe() {
    case $1 in
    latest) echo "\`…/telemetry/latest\` (bearer token)" ;;
    telemetry) echo "\`…/telemetry?interval=15\`, a day (bearer token)" ;;
    esac
}
describe_pgbench() {
    case $1 in
    latest) echo "pgbench: token lookup + latest statement" ;;
    telemetry) echo "pgbench: the roll-up statement" ;;
    esac
}

daemon_rows() {
    local round=$1 binary
    for binary in $DAEMON_BINS; do
        daemon_start warning "$binary"
        sleep 1
        local idle
        idle=$(rss)
        for path in $paths; do
            measure_daemon "$path" "$round: tradingd $(describe "$path")$( [ "$DAEMON_BINS" = "${DAEMON_BINS%% *}" ] || echo ", $binary")"
        done
        RESULTS+=("| $round: tradingd idle after start$( [ "$DAEMON_BINS" = "${DAEMON_BINS%% *}" ] || echo ", $binary") | | | | | | | | $idle | |")
        daemon_stop
    done
}
pgbench_rows() {
    local round=$1
    for path in $paths; do measure_pgbench "$path" "$round: $(describe_pgbench "$path")"; done
    [ "${NGINX:-on}" = off ] || measure_nginx "$round: nginx \`return 200\` (the machine's loopback limit)"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then daemon_rows "$round"; pgbench_rows "$round"; else pgbench_rows "$round"; daemon_rows "$round"; fi
done

echo "## Authenticated requests against the database's limit"
echo
echo "Machine: $(nproc) cores, load before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bench/http/database.sh $duration\` (ROUNDS=$rounds, CONNECTIONS=$connections; wrk -t2 and pgbench -j2 -M prepared, ${duration} s per row)."
echo
echo "| round: what | load | req/s (tps) | p50 | p99 | tradingd (nginx) CPU µs/req | PostgreSQL CPU µs/req | client CPU µs/req | tradingd RSS MiB | tradingd's own p50 / p99 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
echo
# Medians of each row kind over the rounds.
printf '%s\n' "${RESULTS[@]}" | python3 -c "
import re, statistics, sys
rows, medians = {}, {}
for line in sys.stdin:
    cells = [c.strip() for c in line.strip().strip('|').split('|')]
    what = cells[0].split(': ', 1)[1]
    if not cells[2]:
        continue
    rows.setdefault(what, []).append(cells)
def ms(text):
    value = float(re.sub('[a-z]+', '', text))
    return value / 1000 if text.endswith('us') else value * 1000 if text.endswith('s') and not text.endswith('ms') else value
print('| what (median of rounds) | req/s (tps) | p99 | tradingd (nginx) CPU µs/req | PostgreSQL CPU µs/req | client CPU µs/req |')
print('|---|---|---|---|---|---|')
for what, cells in rows.items():
    med = lambda i: statistics.median(float(c[i]) for c in cells if c[i] not in ('', '-')) if any(c[i] not in ('', '-') for c in cells) else None
    fmt = lambda v: '-' if v is None else ('%.1f' % v)
    p99 = statistics.median(ms(c[4]) for c in cells)
    print('| %s | %d | %.2fms | %s | %s | %s |' % (what, med(2), p99, fmt(med(5)), fmt(med(6)), fmt(med(7))))
    medians[what] = (med(2), p99)
# The issue's targets, on the medians (one daemon binary only: with several, the labels name them).
def find(prefix):
    return next((value for what, value in medians.items() if what.startswith(prefix)), None)
verdict = lambda ok: 'met' if ok else '**not met**'
print()
latest, latest_db = find('tradingd \\u0060…/telemetry/latest'), find('pgbench: token lookup')
if latest and latest_db:
    print('- latest: p99 %.2f ms (target < 10 ms: %s); %d req/s = %.2f× pgbench %d tps (target ≥ 1.5×: %s)'
          % (latest[1], verdict(latest[1] < 10), latest[0], latest[0] / latest_db[0], latest_db[0], verdict(latest[0] >= 1.5 * latest_db[0])))
rollup, rollup_db = find('tradingd \\u0060…/telemetry?interval=15'), find('pgbench: the roll-up')
if rollup and rollup_db:
    print('- interval=15: %d req/s = %.0f%% of pgbench %d tps (target ≥ 70%%: %s); p99 %.2f ms'
          % (rollup[0], 100 * rollup[0] / rollup_db[0], rollup_db[0], verdict(rollup[0] >= 0.7 * rollup_db[0]), rollup[1]))
nginx = find('nginx')
if nginx:
    print('- nginx at the same connections: %d req/s, p99 %.2f ms' % nginx)
"
rss_values=$(printf '%s\n' "${RESULTS[@]}" | awk -F'|' '$2 ~ /tradingd/ && $10 ~ /[0-9]/ {gsub(/ /, "", $10); print $10}')
if [ -n "$rss_values" ]; then
    idle=$(printf '%s\n' "${RESULTS[@]}" | awk -F'|' '$2 ~ /idle after start/ {gsub(/ /, "", $10); print $10}' | sort -n | tail -1)
    highest=$(sort -n <<<"$rss_values" | tail -1)
    echo "- tradingd RSS: idle after start at most $idle MiB (target < 64 MiB: $(awk -v v="$idle" 'BEGIN {print (v < 64) ? "met" : "**not met**"}')), highest after any row $highest MiB"
fi
