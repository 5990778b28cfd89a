#!/usr/bin/env bash
# HTTP benchmark, all in one run on one machine: nginx returning a fixed 200 on loopback (the
# practical limit), the bare listener (httpserver-bench: /healthz on the event loop, a JSON
# endpoint on the worker pool) and the real daemon `tradingd serve` (release build) on /healthz
# and on authenticated trading endpoints backed by PostgreSQL (bench/http/daemon.sh prepares a
# private database). Prints a Markdown section for docs/BENCHMARKS.md.
# Usage: bench/http/run.sh [SECONDS_PER_RUN]   (default 10). Needs the Debian packages wrk and
# nginx-light (installed when missing) and the private servers (Deploy/servers.sh start).
# Comparing builds: DAEMON_BINS="/old/tradingd /new/tradingd" ROUNDS=3 bench/http/run.sh 10 runs
# only the daemon rows at 64 connections, for each binary in turn, ROUNDS times (alternating, so
# both see the same machine load), on the same database.
set -euo pipefail
duration=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_port=${HTTP_BENCH_PORT:-18089}
nginx_port=${HTTP_BENCH_NGINX_PORT:-18090}
daemon_port=${HTTP_BENCH_DAEMON_PORT:-18091}
server_pid="" idle_pid=""
# shellcheck source=bench/http/daemon.sh
source "$root/bench/http/daemon.sh"
cleanup() {
    [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    nginx_stop
    daemon_stop
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null || [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi

# With DAEMON_BINS nothing is built: the first binary also prepares the database.
if [ -z "${DAEMON_BINS:-}" ]; then
    (cd "$root" && swift build -c release --product httpserver-bench 2>&1 | tail -1 \
        && swift build -c release --product tradingd 2>&1 | tail -1) >&2
fi
daemon_prepare

# CPU seconds (user + system) used so far by the processes in $server_pids.
server_cpu_seconds() {
    local pid ticks=0
    for pid in $server_pids; do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", t / hz}'
}

# One wrk run; prints "load | req/s | p50 | p99 | server CPU µs/request | errors". Extra
# arguments go to wrk (-H ...). The CPU per request, read from /proc for $server_pids, is far
# less disturbed by other work on the machine than req/s.
measure() {
    local url=$1 connections=$2 threads=2
    shift 2
    [ "$connections" -lt 2 ] && threads=1
    local load out rps p50 p99 errors cpu_before cpu_after requests cpu
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu_before=$(server_cpu_seconds)
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$@" "$url")
    cpu_after=$(server_cpu_seconds)
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    cpu=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$requests" 'BEGIN {printf "%.1f", (b - a) * 1e6 / n}')
    rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")
    echo "$load | $rps | $p50 | $p99 | $cpu | ${errors:-none}"
}

# Opens 1,000 idle keep-alive connections to PORT (one request each) and waits until they are up.
open_idle_connections() {
    python3 "$root/bench/http/idle_connections.py" "$1" 1000 > "$work/idle.out" &
    idle_pid=$!
    for _ in $(seq 300); do grep -q ready "$work/idle.out" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

close_idle_connections() {
    kill "$idle_pid" 2>/dev/null || true
    wait "$idle_pid" 2>/dev/null || true
    idle_pid=""
}

# "VmHWM MiB, threads N" of a process.
memory_of() {
    awk '/VmHWM/ {printf "%.1f MiB", $2/1024} /Threads/ {threads=$2} END {printf ", threads: %d", threads}' "/proc/$1/status"
}

daemon_url=http://127.0.0.1:$daemon_port
trading=$daemon_url/api/v1/trading/plants/$bench_plant
auth=(-H "Authorization: Bearer $bench_token")

if [ -n "${DAEMON_BINS:-}" ]; then
    echo "## HTTP: tradingd builds compared"
    echo
    echo "Machine: $(nproc) cores, load before the run: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`DAEMON_BINS=\"$DAEMON_BINS\" ROUNDS=${ROUNDS:-3} bench/http/run.sh $duration\` (wrk -t2 -c64, ${duration} s per row)."
    echo
    echo "| round | binary | endpoint | load | req/s | p50 | p99 | server CPU µs/req | errors |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for round in $(seq "${ROUNDS:-3}"); do
        for binary in $DAEMON_BINS; do
            daemon_start warning "$binary"
            server_pids=$daemon_pid
            echo "| $round | $binary | \`/healthz\` | $(measure "$daemon_url/healthz" 64) |"
            echo "| $round | $binary | \`…/telemetry/latest\` | $(measure "$trading/telemetry/latest" 64 "${auth[@]}") |"
            echo "| $round | $binary | \`…/telemetry?interval=15\` | $(measure "$trading/telemetry?interval=15" 64 "${auth[@]}") |"
            daemon_stop
        done
    done
    exit 0
fi

echo "## HTTP listener"
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "wrk and the servers share the machine. Command: \`bench/http/run.sh $duration\` (wrk -t2, ${duration} s per row, keep-alive; the load column is the 1-minute load average when the row started)."
echo
echo "| target | connections | load | req/s | p50 | p99 | server CPU µs/req | errors |"
echo "|---|---|---|---|---|---|---|---|"

nginx_start "$nginx_port"
server_pids="$nginx_pid $(cat /proc/"$nginx_pid"/task/*/children)"
for connections in 1 64 256; do
    echo "| nginx \`return 200 \"ok\"\` (limit of this machine) | $connections | $(measure "http://127.0.0.1:$nginx_port/" "$connections") |"
done
nginx_stop

"$root/.build/release/httpserver-bench" "127.0.0.1:$server_port" > "$work/server.log" 2>&1 &
server_pid=$!
await_port "$server_port"
server_pids=$server_pid
for connections in 1 64 256; do
    echo "| listener \`GET /healthz\` (event loop) | $connections | $(measure "http://127.0.0.1:$server_port/healthz" "$connections") |"
done
for connections in 1 64 256; do
    echo "| listener \`GET /api/v1/plants/{id}/telemetry\` (static JSON, worker pool) | $connections | $(measure "http://127.0.0.1:$server_port/api/v1/plants/p1/telemetry" "$connections") |"
done
open_idle_connections "$server_port"
echo "| listener \`GET /healthz\`, 1,000 idle keep-alive connections open | 64 | $(measure "http://127.0.0.1:$server_port/healthz" 64) |"
close_idle_connections
listener_memory=$(memory_of "$server_pid")
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

daemon_start warning
server_pids=$daemon_pid
for connections in 1 64 256; do
    echo "| tradingd \`GET /healthz\` (event loop) | $connections | $(measure "$daemon_url/healthz" "$connections") |"
done
for connections in 1 64 256; do
    echo "| tradingd \`GET …/plants/{id}/telemetry/latest\` (bearer token, 1 query) | $connections | $(measure "$trading/telemetry/latest" "$connections" "${auth[@]}") |"
done
for connections in 1 64 256; do
    echo "| tradingd \`GET …/plants/{id}/telemetry?interval=15\` (bearer token, 97 buckets of 15 min, 24 KiB) | $connections | $(measure "$trading/telemetry?interval=15" "$connections" "${auth[@]}") |"
done
open_idle_connections "$daemon_port"
echo "| tradingd \`GET /healthz\`, 1,000 idle keep-alive connections open | 64 | $(measure "$daemon_url/healthz" 64) |"
close_idle_connections
daemon_memory=$(memory_of "$daemon_pid")
daemon_stop

daemon_start info
server_pids=$daemon_pid
echo "| tradingd at log level info (access log on) \`GET /healthz\` | 64 | $(measure "$daemon_url/healthz" 64) |"
echo "| tradingd at log level info (access log on) \`GET …/telemetry/latest\` | 64 | $(measure "$trading/telemetry/latest" 64 "${auth[@]}") |"
info_memory=$(memory_of "$daemon_pid")
access_log_bytes=$(stat -c %s "$work/daemon-info.log")
daemon_stop

echo
echo "Peak RSS (VmHWM): listener $listener_memory; tradingd serve at warning $daemon_memory (after all its rows, 1,000 idle connections included); at info $info_memory."
echo "Access log written at info: $(awk -v b="$access_log_bytes" 'BEGIN {printf "%.0f MiB", b/1048576}') in $((2 * duration)) s, to a file. Load after the run: $(cut -d' ' -f1-3 /proc/loadavg)."
