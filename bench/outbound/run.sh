#!/usr/bin/env bash
# Outbound client benchmark (issue 16 items 5-7): sequential ESM calls against esm-sim over plain
# HTTP (latency and the client's CPU per call), compared in the same run with wrk on one
# connection (the simulator's own limit) and, when BEFORE_BIN names an outbound-bench built from
# the code before the OutboundHTTP client, with that; then a fresh TLS handshake + GET per call
# against `openssl s_server`, compared with `openssl s_time -new` (libssl's own client) on the
# same server. Everything on loopback. Figures to stdout and .local/bench-outbound/results.txt.
#
# usage: bench/outbound/run.sh [CALLS (default 5000)] [TLS_CALLS (default 1000)]
set -euo pipefail
cd "$(dirname "$0")/../.."
CALLS=${1:-5000}
TLS_CALLS=${2:-1000}
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"
WORK=.local/bench-outbound
mkdir -p "$WORK"
RESULTS=$WORK/results.txt

echo "bench/outbound: building (release)" >&2
swift build -c release --product outbound-bench >&2
swift build -c release --product esm-sim >&2
BIN=$(swift build -c release --show-bin-path)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
# Results to the terminal and the file, without a subshell (the servers' pids must stay visible
# to the cleanup above).
exec > >(tee "$RESULTS")

echo "# $(date -u +%FT%TZ) $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Plain HTTP against the simulator.
"$BIN/esm-sim" --port 0 --client-id bench --client-secret bench-secret > "$WORK/esm-sim.out" 2>"$WORK/esm-sim.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^port=' "$WORK/esm-sim.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/^port=//p' "$WORK/esm-sim.out")
URL="http://127.0.0.1:$PORT"
"$BIN/outbound-bench" --mode esm --url "$URL" --calls "$CALLS" --client-id bench --secret bench-secret | sed 's/^/after:  /'
if [ -n "${BEFORE_BIN:-}" ]; then
    "$BEFORE_BIN" --mode esm --url "$URL" --calls "$CALLS" --client-id bench --secret bench-secret | sed 's/^/before: /'
    "$BIN/outbound-bench" --mode esm --url "$URL" --calls "$CALLS" --client-id bench --secret bench-secret | sed 's/^/after:  /'
fi
TOKEN=$(curl -s -u bench:bench-secret -d grant_type=client_credentials "$URL/oauth/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
echo "limit:  wrk -t1 -c1 -d10s GET /plants (one keep-alive connection, the simulator alone)"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $TOKEN" "$URL/plants" | grep -E "Requests/sec|50%|90%|99%" | sed 's/^/        /'

# TLS: a fresh handshake per call.
CERTS=$WORK/certs
mkdir -p "$CERTS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CERTS/ca.key" -out "$CERTS/ca.pem" \
    -days 1 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$CERTS/server.key" -out "$CERTS/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$CERTS/server.ext"
openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" -CAcreateserial -out "$CERTS/server.pem" \
    -days 1 -extfile "$CERTS/server.ext" 2>/dev/null
TLS_PORT=$((40000 + RANDOM % 20000))
openssl s_server -accept "127.0.0.1:$TLS_PORT" -cert "$CERTS/server.pem" -key "$CERTS/server.key" -www -quiet -naccept 1000000 \
    > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$TLS_PORT) 2>/dev/null && break; sleep 0.1; done
"$BIN/outbound-bench" --mode tls --url "https://127.0.0.1:$TLS_PORT/" --calls "$TLS_CALLS" --ca-file "$CERTS/ca.pem" \
    --allow "127.0.0.1:$TLS_PORT" | sed 's/^/after:  /'
echo "limit:  openssl s_time -new -www / -time 10 (libssl's own client, same server, TLS 1.3 full handshakes)"
openssl s_time -connect "127.0.0.1:$TLS_PORT" -new -www / -time 10 -CAfile "$CERTS/ca.pem" 2>&1 \
    | grep -E "connections in|connections/user" | sed 's/^/        /'
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
