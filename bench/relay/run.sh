#!/usr/bin/env bash
# Command relay benchmark (issue 7) on the private servers: command-in (publish to P.commands) to
# the ESM's 202 latency at a steady rate, and commands/s relayed from a backlog, against the
# in-process ESM simulator with zero latency (its acks flow back through P.command-acks).
# Figures go to stdout and .local/bench-relay/results.txt.
#
# usage: bench/relay/run.sh [RATE (default 500)] [SECONDS (default 20)] [BACKLOG (default 5000)]
#   WORKERS relay workers (default 4), BATCH commands claimed per round (default 4),
#   ACKS=off to run without the simulator's acknowledgements, BIN_DIR a folder with a prebuilt
#   release relay-bench
set -euo pipefail
cd "$(dirname "$0")/../.."
RATE=${1:-500}
SECONDS_=${2:-20}
BACKLOG=${3:-5000}

# The servers of this checkout, or (in a git worktree) those its main checkout started.
ENV_FILE=.local/servers.env
if [ ! -f "$ENV_FILE" ]; then
    MAIN=$(dirname "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .git)")
    if [ -f "$MAIN/.local/servers.env" ]; then ENV_FILE=$MAIN/.local/servers.env; else Deploy/servers.sh start >/dev/null; fi
fi
[ -f "$ENV_FILE" ] || { echo "bench/relay: no .local/servers.env: run Deploy/servers.sh start" >&2; exit 1; }
# shellcheck disable=SC1091
source "$ENV_FILE"
DB=${TRADINGD_TEST_DATABASE_URL%/*}/tradingd_bench_relay
ADMIN_DB=${TRADINGD_TEST_DATABASE_URL%/*}/postgres
WORK=$(dirname "$ENV_FILE")/bench-relay
mkdir -p "$WORK"

if [ -n "${BIN_DIR:-}" ]; then
    BIN=$BIN_DIR  # a prebuilt relay-bench
else
    echo "bench/relay: building (release)" >&2
    swift build -c release --product relay-bench >&2
    BIN=$(swift build -c release --show-bin-path)
fi

# An autovacuum worker still on the last run's database cannot be ended by this role (FORCE
# refuses): wait for it.
for attempt in $(seq 30); do
    psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS tradingd_bench_relay WITH (FORCE)" >/dev/null 2>"$WORK/drop.err" && break
    [ "$attempt" -lt 30 ] || { cat "$WORK/drop.err" >&2; exit 1; }
    sleep 2
done
psql -q "$ADMIN_DB" -c "CREATE DATABASE tradingd_bench_relay" >/dev/null
for migration in Migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$DB" -f "$migration" >/dev/null; done

# CPU of the relay process (relay and simulator), the broker and the bench database's backends
# over the whole run (steady part and backlog), per command: what the machine's load disturbs
# far less than latency.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rm -f "$WORK/cpu.err"
# The broker of these servers only (its HOME is in its command line): other RabbitMQ nodes on the
# machine (a reliability run's, say) are not this benchmark's.
BROKER_HOME=$(dirname "$(readlink -f "$ENV_FILE")")/rabbitmq/home
python3 bench/cpu.py --json relay='^relay-bench ' broker="^beam\.smp .*$BROKER_HOME" \
    PostgreSQL='^postgres postgres: \S+ tradingd_bench_relay ' > "$WORK/cpu.json" 2> "$WORK/cpu.err" &
CPU_PID=$!
trap 'kill "$CPU_PID" 2>/dev/null || true' EXIT
until grep -q ready "$WORK/cpu.err" 2>/dev/null; do sleep 0.05; done
"$BIN/relay-bench" --amqp "$TRADINGD_TEST_AMQP_URL" --database "$DB" --rate "$RATE" --seconds "$SECONDS_" \
    --backlog "$BACKLOG" --workers "${WORKERS:-4}" --batch "${BATCH:-4}" --acks "${ACKS:-on}" | tee "$WORK/results.txt"
kill "$CPU_PID"; wait "$CPU_PID" || true
python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
print('CPU over the run (%d commands, load %s -> %s): ' % (n, sys.argv[3], sys.argv[4])
      + ', '.join('%s %.1f s (%.0f µs/command)' % (k, v, v * 1e6 / n) for k, v in d['cpu'].items())
      + ', machine %d%%' % d['machine_percent'])" "$WORK/cpu.json" "$((RATE * SECONDS_ + BACKLOG))" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    | tee -a "$WORK/results.txt"
