#!/usr/bin/env bash
# End-to-end ingest benchmark (issue 5), all scenarios in one run on the private servers:
#   (a) broker limit: a minimal consumer that acks (multiple) without storing, for each message
#       size of (d)
#   (b) database limit: COPY of the same rows into an empty copy of the raw table
#   (c) a conventional Python consumer (pika + psycopg2, a statement per sample, batched commits)
#   (d) tradingd's ingest pipeline, one sample per message and arrays of 100
# Every stored scenario is verified: each 1-minute aggregate must equal an independent computation
# from the published data (verify.py). Figures go to stdout and .local/bench-ingest/results.md.
#
# usage: bench/ingest/run.sh [SAMPLES (default 1000000)] [PLANTS (default 100)]
#   C_SAMPLES  samples for (c), default min(SAMPLES, 100000): it is slow, and its rate is what counts
#   CONSUMERS  consumers per queue for (d), one run of each (default "1 2")
#   BATCHES    samples per message for (d) (default "1 100")
#   SCENARIOS  which to run, default "abcd" (e.g. "d" for tradingd alone)
#   D_BINS     folders holding the ingest-bench binary to measure in (d), default this checkout's
#              fresh release build; with several (e.g. an older build beside this one) (d) runs
#              each in turn, ROUNDS times, alternating, so both see the same machine load
#   ROUNDS     how many times (d) runs each binary (default 1)
#   BIN_DIR    use the ingest-bench and telemetry-gen in this folder instead of building them
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES=${1:-1000000}
PLANTS=${2:-100}
PER_PLANT=$((SAMPLES / PLANTS))
SAMPLES=$((PER_PLANT * PLANTS))
C_SAMPLES=${C_SAMPLES:-$((SAMPLES < 100000 ? SAMPLES : 100000))}
C_PER_PLANT=$((C_SAMPLES / PLANTS))
C_SAMPLES=$((C_PER_PLANT * PLANTS))
CONSUMERS=${CONSUMERS:-1 2}
BATCHES=${BATCHES:-1 100}
SCENARIOS=${SCENARIOS:-abcd}
ROUNDS=${ROUNDS:-1}

servers_up() { # shellcheck disable=SC1091
    [ -f .local/servers.env ] && source .local/servers.env && psql -qAt "$TRADINGD_TEST_DATABASE_URL" -c "SELECT 1" >/dev/null 2>&1
}
# A worktree may point its .local/servers.env at servers another checkout runs: use them as they are.
if ! servers_up && [ -x Deploy/servers.sh ]; then Deploy/servers.sh start >/dev/null; fi
[ -f .local/servers.env ] || { echo "bench/ingest: no .local/servers.env: run Deploy/servers.sh start" >&2; exit 1; }
# shellcheck disable=SC1091
source .local/servers.env
AMQP=$TRADINGD_TEST_AMQP_URL
DB=${TRADINGD_TEST_DATABASE_URL%/*}/tradingd_bench_ingest
ADMIN_DB=${TRADINGD_TEST_DATABASE_URL%/*}/postgres
WORK=.local/bench-ingest
mkdir -p "$WORK"
log() { echo "bench/ingest: $*" >&2; }

if [ ! -x .local/bench-venv/bin/python ] || ! .local/bench-venv/bin/python -c 'import pika, psycopg2' 2>/dev/null; then
    log "installing pika and psycopg2 into .local/bench-venv"
    python3 -m venv .local/bench-venv
    .local/bench-venv/bin/pip install -q pika psycopg2-binary
fi
PY=.local/bench-venv/bin/python

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "${BIN_DIR:-}" ]; then
    BIN=$BIN_DIR  # prebuilt ingest-bench and telemetry-gen (comparisons: the tree may have moved on)
else
    log "building (release)"
    swift build -c release --product ingest-bench >&2
    swift build -c release --product telemetry-gen >&2
    BIN=$(swift build -c release --show-bin-path)
fi
D_BINS=${D_BINS:-$BIN}

log "database tradingd_bench_ingest: migrate, one organisation with $PLANTS plants"
psql -q "$ADMIN_DB" -c "DROP DATABASE IF EXISTS tradingd_bench_ingest WITH (FORCE)" -c "CREATE DATABASE tradingd_bench_ingest" >/dev/null
for migration in Migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 "$DB" -f "$migration" >/dev/null; done
ORG=$(psql -qAt "$DB" -c "INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id")
psql -qAt "$DB" -c "INSERT INTO plants (organization_id, name) SELECT '$ORG', 'bench ' || g FROM generate_series(1, $PLANTS) g RETURNING id" \
    | grep -E '^[0-9a-f-]{36}$' > "$WORK/plants.txt"
psql -q "$DB" -c "SELECT telemetry_ensure_partitions(current_date - 1, 3)" >/dev/null
START=$(date -u -d "@$(($(date +%s) - PER_PLANT - 600))" +%Y-%m-%dT%H:%M:%SZ)

publish() { # prefix samples-per-plant batch [dump]; starts from empty queues (an aborted run may leave some)
    "$BIN/ingest-bench" delete --amqp "$AMQP" --prefix "$1"
    "$BIN/ingest-bench" declare --amqp "$AMQP" --prefix "$1"
    local dump=()
    [ $# -ge 4 ] && dump=(--dump "$4")
    "$BIN/telemetry-gen" --amqp-url "$AMQP" --direct --prefix "$1" --plants-file "$WORK/plants.txt" --count "$2" \
        --start "$START" --meters 0 --batch "$3" --seed 7 --quiet "${dump[@]}" >/dev/null
}
reset_tables() {
    psql -q "$DB" -c "TRUNCATE telemetry_samples, telemetry_minutes, telemetry_latest, meter_readings, meter_minutes" >/dev/null
}
field() { "$PY" -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
RESULTS=()
record() { # label samples seconds rss verified [cpu]
    local rate
    rate=$("$PY" -c "print(round($2 / $3))")
    RESULTS+=("| $1 | $2 | $(printf %.2f "$3") | $rate | $4 | $5 | ${6:--} |")
    log "$1: $rate samples/s"
}

CPU_PID=
# The broker of these servers only (its HOME is in its command line): other RabbitMQ nodes on the
# machine (a reliability run's, say) are not this benchmark's.
BROKER_HOME=$(dirname "$(readlink -f .local/servers.env)")/rabbitmq/home
# CPU of the consumer (ingest-bench), the broker and the bench database's PostgreSQL backends
# (not the other databases of the shared server), per sample: what the machine's load disturbs
# far less than the rate.
cpu_start() {
    rm -f "$WORK/cpu.err"
    "$PY" bench/cpu.py --json consumer='^ingest-bench ' broker="^beam\.smp .*$BROKER_HOME" \
        PostgreSQL='^postgres postgres: \S+ tradingd_bench_ingest ' > "$WORK/cpu.json" 2> "$WORK/cpu.err" & CPU_PID=$!
    until grep -q ready "$WORK/cpu.err" 2>/dev/null; do sleep 0.05; done
}
# Not in $( ): a subshell cannot wait for the sampler, and would read its file before it is written.
cpu_stop() { # samples
    kill "$CPU_PID"; wait "$CPU_PID" || true
    CPU=$("$PY" -c "
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
parts = ['%s %d%% (%.1f µs/sample)' % (k, round(100 * v / d['seconds']), v * 1e6 / n) for k, v in d['cpu'].items() if v > 0]
print(', '.join(parts + ['machine %d%%' % d['machine_percent']]))" "$WORK/cpu.json" "$1")
}
cleanup() { for p in bench-gen bench-a bench-c bench-d1 bench-d100; do "$BIN/ingest-bench" delete --amqp "$AMQP" --prefix "$p" || true; done; }
trap cleanup EXIT

# The published data of every scenario, dumped once for the COPY and the verifications.
publish bench-gen "$PER_PLANT" 1000 "$WORK/dump.txt"
"$BIN/ingest-bench" delete --amqp "$AMQP" --prefix bench-gen
if [[ $SCENARIOS == *b* ]]; then
log "(b) COPY of $SAMPLES rows into an empty copy of the raw table"
"$PY" bench/ingest/dump2csv.py "$WORK/dump.txt" > "$WORK/rows.csv"
psql -q "$DB" -c "CREATE TABLE telemetry_copy (LIKE telemetry_samples INCLUDING DEFAULTS); ALTER TABLE telemetry_copy ADD PRIMARY KEY (plant_id, time)" >/dev/null
cpu_start
t0=$(date +%s.%N)
psql -q "$DB" -c "\\copy telemetry_copy FROM '$WORK/rows.csv' CSV" >/dev/null
t1=$(date +%s.%N)
cpu_stop "$SAMPLES"
record "(b) PostgreSQL COPY into an empty raw table" "$SAMPLES" "$("$PY" -c "print($t1 - $t0)")" "-" "-" "$CPU"
psql -q "$DB" -c "DROP TABLE telemetry_copy" >/dev/null
fi

if [[ $SCENARIOS == *a* ]]; then
# The broker's limit for each message size (d) runs: arrays cost the broker a delivery per array.
for BATCH in $BATCHES; do
    log "(a) broker limit: $SAMPLES samples in messages of $BATCH, consume + ack without storing"
    publish bench-a "$PER_PLANT" "$BATCH"
    messages=$(((SAMPLES + BATCH - 1) / BATCH))
    cpu_start
    OUT=$("$BIN/ingest-bench" broker --amqp "$AMQP" --queue bench-a.telemetry --count "$messages")
    cpu_stop "$SAMPLES"
    record "(a) RabbitMQ consume + ack, no storing ($BATCH sample(s)/message)" "$(($(field "$OUT" messages) * SAMPLES / messages))" \
        "$(field "$OUT" seconds)" "$(field "$OUT" peak_rss_mib) MiB" "-" "$CPU"
    "$BIN/ingest-bench" delete --amqp "$AMQP" --prefix bench-a
done
fi

if [[ $SCENARIOS == *c* ]]; then
log "(c) conventional Python consumer: $C_SAMPLES samples"
reset_tables
publish bench-c "$C_PER_PLANT" 1 "$WORK/dump-c.txt"
OUT=$("$PY" bench/ingest/consumer.py --amqp "$AMQP" --database "$DB" --org "$ORG" --queue bench-c.telemetry --count "$C_SAMPLES")
VERIFIED=$("$PY" bench/ingest/verify.py --database "$DB" --dump "$WORK/dump-c.txt" >"$WORK/verify-c.json" && echo yes || echo NO)
record "(c) Python pika + psycopg2, statement per sample, commit per batch" "$(field "$OUT" samples)" "$(field "$OUT" seconds)" "$(field "$OUT" peak_rss_mib) MiB" "$VERIFIED"
"$BIN/ingest-bench" delete --amqp "$AMQP" --prefix bench-c
fi

if [[ $SCENARIOS == *d* ]]; then
for ROUND in $(seq "$ROUNDS"); do for BATCH in $BATCHES; do for CONSUMER_COUNT in $CONSUMERS; do for D_BIN in $D_BINS; do
    label="(d) tradingd, $BATCH sample(s)/message, $CONSUMER_COUNT consumer(s)"
    [ "$D_BINS" = "$BIN" ] || label="$label, $D_BIN, round $ROUND"
    log "$label (load $(cut -d' ' -f1 /proc/loadavg))"
    reset_tables
    publish "bench-d$BATCH" "$PER_PLANT" "$BATCH"
    cpu_start
    OUT=$("$D_BIN/ingest-bench" tradingd --amqp "$AMQP" --database "$DB" --org "$ORG" --prefix "bench-d$BATCH" \
        --expect "$SAMPLES" --consumers "$CONSUMER_COUNT")
    cpu_stop "$SAMPLES"
    VERIFIED=$("$PY" bench/ingest/verify.py --database "$DB" --dump "$WORK/dump.txt" >"$WORK/verify-d$BATCH.json" && echo yes || echo NO)
    record "$label" "$(field "$OUT" samples)" "$(field "$OUT" seconds)" "$(field "$OUT" peak_rss_mib) MiB" "$VERIFIED" "$CPU, load $(cut -d' ' -f1 /proc/loadavg)"
    "$BIN/ingest-bench" delete --amqp "$AMQP" --prefix "bench-d$BATCH"
done; done; done; done
fi

{
    echo "Ingest benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $SAMPLES samples for $PLANTS plants ((c): $C_SAMPLES), $(nproc) cores, load at start: $LOAD"
    echo
    echo "| scenario | samples | seconds | samples/s | peak RSS | aggregates verified | CPU during the run (% of one core) |"
    echo "|---|---:|---:|---:|---:|---|---|"
    printf '%s\n' "${RESULTS[@]}"
} | tee "$WORK/results.md"
