#!/usr/bin/env bash
# HTTP listener benchmark: wrk against httpserver-bench (/healthz on the event loop, a JSON
# endpoint on the worker pool) and, in the same run, nginx returning a fixed 200 on loopback as
# this machine's practical limit. Prints a Markdown section for docs/BENCHMARKS.md.
# Usage: bench/http/run.sh [SECONDS_PER_RUN]   (default 10). Needs the Debian packages wrk and
# nginx-light (installed when missing).
set -euo pipefail
duration=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_port=${HTTP_BENCH_PORT:-18089}
nginx_port=${HTTP_BENCH_NGINX_PORT:-18090}
server_pid="" nginx_pid="" idle_pid=""
cleanup() {
    [ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null || [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null
fi

(cd "$root" && swift build -c release --product httpserver-bench 2>&1 | tail -1) >&2
"$root/.build/release/httpserver-bench" "127.0.0.1:$server_port" > "$work/server.log" 2>&1 &
server_pid=$!

mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { return 200 "ok"; }
    }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!

for port in "$server_port" "$nginx_port"; do
    for _ in $(seq 50); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
done

# One wrk run; prints "req/s | p50 | p99 | errors".
measure() {
    local url=$1 connections=$2 threads=2
    [ "$connections" -lt 2 ] && threads=1
    local out
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url")
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); printf "%s; ", $0}' <<<"$out")
    echo "$rps | $p50 | $p99 | ${errors:-none}"
}

echo "## HTTP listener"
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); load before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "wrk and the servers share the machine. Command: \`bench/http/run.sh $duration\` (wrk -t2, ${duration} s per row, keep-alive)."
echo
echo "| target | connections | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
for connections in 1 64 256; do
    echo "| tradingd listener \`GET /healthz\` (event loop) | $connections | $(measure "http://127.0.0.1:$server_port/healthz" "$connections") |"
done
for connections in 1 64 256; do
    echo "| tradingd listener \`GET /api/v1/plants/{id}/telemetry\` (JSON, worker pool) | $connections | $(measure "http://127.0.0.1:$server_port/api/v1/plants/p1/telemetry" "$connections") |"
done
# The same load while 1,000 other keep-alive connections sit idle on the listener.
python3 "$root/bench/http/idle_connections.py" "$server_port" 1000 > "$work/idle.out" &
idle_pid=$!
for _ in $(seq 300); do grep -q ready "$work/idle.out" 2>/dev/null && break; sleep 0.1; done
echo "| tradingd listener \`GET /healthz\`, 1,000 idle keep-alive connections open | 64 | $(measure "http://127.0.0.1:$server_port/healthz" 64) |"
kill "$idle_pid" 2>/dev/null || true
idle_pid=""
for connections in 1 64 256; do
    echo "| nginx \`return 200 \"ok\"\` (limit of this machine) | $connections | $(measure "http://127.0.0.1:$nginx_port/" "$connections") |"
done
echo
echo "Peak RSS of the listener (VmHWM): $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' "/proc/$server_pid/status"); threads: $(awk '/Threads/ {print $2}' "/proc/$server_pid/status")."
