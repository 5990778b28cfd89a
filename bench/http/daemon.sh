# Sourced by bench/http/run.sh and database.sh: prepares a private database for `tradingd serve` (migrated, one
# organisation with an admin token, one plant with a day of telemetry) and starts/stops the daemon.
# Needs the private servers of Deploy/servers.sh (PostgreSQL on 127.0.0.1:55432, RabbitMQ on 55672).
# Expects $root, $work and $daemon_port; sets $bench_token, $bench_plant and $daemon_pid. Also
# starts nginx returning a fixed 200 (nginx_start PORT), the loopback HTTP limit of the machine.

bench_database=${HTTP_BENCH_DATABASE:-tradingd_bench}
bench_pg_host=127.0.0.1 bench_pg_port=55432
daemon_pid="" nginx_pid=""

daemon_environment() {
    export TRADINGD_DATABASE_URL="postgresql://tradingd:tradingd@$bench_pg_host:$bench_pg_port/$bench_database"
    # The local vhost: the test vhost's queues belong to other people's test runs.
    export TRADINGD_AMQP_URL="amqp://tradingd:tradingd@127.0.0.1:55672/%2F"
    export TRADINGD_AMQP_MANAGEMENT_URL="http://tradingd:tradingd@127.0.0.1:55673"
    export TRADINGD_SECRET_KEY
    TRADINGD_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
    export TRADINGD_HTTP_ADDRESS="127.0.0.1:$daemon_port"
    export TRADINGD_MIGRATIONS_DIRECTORY="$root/Migrations"
    export TRADINGD_ESM_SYNC_INTERVAL_SECONDS=0
}

bench_psql() {
    PGPASSWORD=tradingd psql -q -X -v ON_ERROR_STOP=1 -h "$bench_pg_host" -p "$bench_pg_port" -U tradingd "$@"
}

# A fresh database each run, so that every run reads the same rows.
daemon_prepare() {
    local bins=${DAEMON_BINS:-}
    local tradingd=${bins%% *}
    [ -n "$tradingd" ] || tradingd=$root/.build/release/tradingd
    daemon_environment
    bench_psql -d postgres -c "DROP DATABASE IF EXISTS $bench_database WITH (FORCE)" -c "CREATE DATABASE $bench_database"
    "$tradingd" migrate > "$work/migrate.log" 2>&1
    "$tradingd" org create --slug bench --name "HTTP benchmark" > "$work/org.log" 2>&1
    bench_token=$("$tradingd" token create --org bench --role admin 2>&1 | tail -1)
    # One plant with a sample every 10 s over the last 24 h, stored through the ingest function
    # so that the raw rows, the 1-minute aggregates and the latest snapshot are all filled.
    bench_plant=$(bench_psql -d "$bench_database" -At <<'SQL'
WITH plant AS (
    INSERT INTO plants (organization_id, name)
    SELECT id, 'bench plant' FROM organizations WHERE slug = 'bench' RETURNING id
), samples AS (
    SELECT plant.id AS plant_id, t, extract(epoch FROM t) AS x
    FROM plant, generate_series(date_trunc('minute', now()) - interval '24 hours', now(), interval '10 seconds') AS t
), stored AS (
    SELECT ingest_telemetry(array_agg(plant_id), array_agg(t), array_agg(1000 + 300 * sin(x / 3600)),
                            array_agg(2000 + 500 * cos(x / 5400)), array_agg(100.0), array_agg(-500 + (x::bigint % 7) * 10),
                            array_agg(1500 + 200 * sin(x / 900)), array_agg(40 + 20 * sin(x / 7200))) AS count
    FROM samples
)
SELECT plant.id FROM plant, stored WHERE stored.count > 0;
SQL
)
    [ -n "$bench_plant" ] || { echo "no plant created" >&2; return 1; }
}

# daemon_start LEVEL [BINARY]: runs `BINARY serve` (default this checkout's release build) at log
# level LEVEL, its stdout in $work/daemon-LEVEL.log.
daemon_start() {
    local level=$1 binary=${2:-$root/.build/release/tradingd}
    TRADINGD_LOG_LEVEL=$level "$binary" serve > "$work/daemon-$level.log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$daemon_port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "tradingd serve did not answer /healthz:" >&2
    tail -5 "$work/daemon-$level.log" >&2
    return 1
}

daemon_stop() {
    [ -n "$daemon_pid" ] || return 0
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
}

# Waits until http://127.0.0.1:PORT/healthz answers.
await_port() {
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# nginx_start PORT: nginx (worker_processes auto, no access log) answering every path with
# `return 200 "ok"`, in $work/nginx; sets $nginx_pid (the master).
nginx_start() {
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
        listen 127.0.0.1:$1;
        location / { return 200 "ok"; }
    }
}
CONF
    /usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    await_port "$1"
}

nginx_stop() {
    [ -n "$nginx_pid" ] || return 0
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
}
