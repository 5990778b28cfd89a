#!/usr/bin/env bash
# Private PostgreSQL 15 and RabbitMQ for development, tests and the local run.
#
#   Deploy/servers.sh start [postgres|rabbitmq]   install what is missing, start both or one
#                                                 (idempotent), write .local/servers.env
#   Deploy/servers.sh stop [postgres|rabbitmq]    stop both or one (idempotent)
#   Deploy/servers.sh status   say what runs
#
# Everything lives under the checkout's git-ignored .local/ folder, on loopback and on non-default
# ports, so the distribution's own servers (if any) are never touched.
#
# A second, private set (the fault tests stop and break theirs) takes another folder, other ports
# and another node name: TRADINGD_SERVERS_DIR (default .local), TRADINGD_PG_PORT, TRADINGD_AMQP_PORT,
# TRADINGD_MGMT_PORT, TRADINGD_DIST_PORT, TRADINGD_EPMD_PORT, TRADINGD_RABBITMQ_NODE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL=${TRADINGD_SERVERS_DIR:-$ROOT/.local}
mkdir -p "$LOCAL"
LOCAL=$(cd "$LOCAL" && pwd)

PG_PORT=${TRADINGD_PG_PORT:-55432}
AMQP_PORT=${TRADINGD_AMQP_PORT:-55672}
MGMT_PORT=${TRADINGD_MGMT_PORT:-55673}
DIST_PORT=${TRADINGD_DIST_PORT:-55674}
EPMD_PORT=${TRADINGD_EPMD_PORT:-55675}
PG_BIN=/usr/lib/postgresql/15/bin
RMQ_BIN=/usr/lib/rabbitmq/bin
NODE=${TRADINGD_RABBITMQ_NODE:-tradingd@localhost}

log() { printf '[servers] %s\n' "$*" >&2; }
die() { printf '[servers] error: %s\n' "$*" >&2; exit 1; }

# A PID counts as running only if it exists and is not a zombie (PID 1 here may not reap).
alive() {
    local pid=$1 state
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$state" != Z ]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_packages() {
    local need=()
    [ -x "$PG_BIN/initdb" ] || need+=(postgresql-15)
    [ -x "$RMQ_BIN/rabbitmq-server" ] || need+=(rabbitmq-server)
    dpkg -s libpq-dev >/dev/null 2>&1 || need+=(libpq-dev)
    dpkg -s librabbitmq-dev >/dev/null 2>&1 || need+=(librabbitmq-dev)
    dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
    command -v psql >/dev/null 2>&1 || need+=(postgresql-client-15)
    command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
    command -v curl >/dev/null 2>&1 || need+=(curl)
    command -v openssl >/dev/null 2>&1 || need+=(openssl)   # keys for the local run; TLS tests
    command -v flock >/dev/null 2>&1 || need+=(util-linux)
    [ ${#need[@]} -eq 0 ] && return 0
    log "installing ${need[*]}"
    bash "$ROOT/Deploy/apt-install.sh" "${need[@]}"
}

# ---------------------------------------------------------------- PostgreSQL

# The data folder must be reachable by the postgres user; a checkout under a 0700 home is not,
# so then the data goes to /var/lib/tradingd-dev/<hash> and .local/postgres links to it.
pg_data_dir() {
    local dir="$LOCAL/postgres"
    if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
    mkdir -p "$LOCAL"
    if runuser -u postgres -- test -x "$LOCAL" 2>/dev/null; then
        echo "$dir"
    else
        local alt
        alt="/var/lib/tradingd-dev/$(printf '%s' "$LOCAL" | sed 's|/\.local$||' | sha256sum | cut -c1-12)"
        mkdir -p "$alt"
        ln -sfn "$alt" "$dir"
        echo "$alt"
    fi
}

# One whole test run leaves some hundreds of databases of about 10 MB on this server (dropping
# each costs a checkpoint, so tests leave theirs to a later sweep). A full disk otherwise shows
# only as SQLSTATE 53100 in every database test, so it is said here first.
warn_if_disk_low() {
    local free_mib
    free_mib=$(df -Pm "$1" | awk 'NR == 2 { print $4 }')
    if [ -n "$free_mib" ] && [ "$free_mib" -lt 12288 ]; then
        log "warning: only $free_mib MiB free under $1; a whole test run needs about 12 GiB"
    fi
}

pg_start() {
    local base data sock
    base=$(pg_data_dir)
    data="$base/data"
    sock="$base/socket"
    if [ -f "$data/postmaster.pid" ] && alive "$(head -1 "$data/postmaster.pid")"; then
        log "postgresql already running on 127.0.0.1:$PG_PORT"
        return 0
    fi
    mkdir -p "$base" "$sock"
    chown postgres:postgres "$base" "$sock"
    warn_if_disk_low "$base"   # once the folder exists: df fails on a missing path
    if [ ! -f "$data/PG_VERSION" ]; then
        log "initdb $data"
        local pwfile
        pwfile=$(mktemp)
        echo postgres > "$pwfile"
        chown postgres "$pwfile"
        runuser -u postgres -- "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$pwfile"
        # Tuned for tests and benchmarks on a small machine; durability is kept (fsync on).
        cat >> "$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 200
shared_buffers = 512MB
wal_buffers = 16MB
max_wal_size = 4GB
checkpoint_timeout = 15min
synchronous_commit = on
EOF
    fi
    rm -f "$data/postmaster.pid"
    # The port given now wins over the one written at initdb (a folder reused with other ports).
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$base/postgres.log" -o "-c port=$PG_PORT" -w -t 60 start >/dev/null 9>&- \
        || { tail -20 "$base/postgres.log" >&2; die "postgresql did not start"; }
    for _ in $(seq 1 60); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.5
    done
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || die "postgresql not ready on $PG_PORT"
    pg_bootstrap "$sock"
    log "postgresql ready on 127.0.0.1:$PG_PORT"
}

pg_bootstrap() {
    local sock=$1
    local psql=(runuser -u postgres -- psql -X -q -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1)
    "${psql[@]}" -d postgres <<'EOF'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tradingd') THEN
    CREATE ROLE tradingd LOGIN CREATEDB PASSWORD 'tradingd';
  END IF;
END $$;
EOF
    for db in tradingd tradingd_test; do
        if [ -z "$("${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
            "${psql[@]}" -d postgres -c "CREATE DATABASE $db OWNER tradingd"
        fi
    done
}

pg_stop() {
    local base data
    base=$(pg_data_dir)
    data="$base/data"
    if [ -f "$data/postmaster.pid" ] && alive "$(head -1 "$data/postmaster.pid")"; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
        log "postgresql stopped"
    fi
}

# ---------------------------------------------------------------- RabbitMQ

rmq_env() {
    local base="$LOCAL/rabbitmq"
    export HOME="$base/home"
    export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$base/mnesia"
    export RABBITMQ_LOG_BASE="$base/log"
    export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
    export RABBITMQ_NODENAME="$NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$AMQP_PORT"
    export RABBITMQ_DIST_PORT="$DIST_PORT"
    export ERL_EPMD_PORT="$EPMD_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rmqctl() { "$RMQ_BIN/rabbitmqctl" -n "$NODE" "$@"; }

rmq_running() {
    [ -f "$LOCAL/rabbitmq/rabbitmq.pid" ] && alive "$(cat "$LOCAL/rabbitmq/rabbitmq.pid" 2>/dev/null)" && port_open "$AMQP_PORT"
}

rmq_start() {
    local base="$LOCAL/rabbitmq"
    (
        rmq_env
        mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
        : > "$RABBITMQ_CONF_ENV_FILE"
        echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
        echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
        cat > "$RABBITMQ_CONFIG_FILE" <<EOF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
log.console = false
log.file.level = warning
# Connections and queues show in the management API within a second (tests wait on it).
collect_statistics_interval = 1000
loopback_users = none
EOF
        if rmq_running; then
            log "rabbitmq already running on 127.0.0.1:$AMQP_PORT"
            exit 0
        fi
        log "starting rabbitmq (takes 10-20 s)"
        # The RabbitMQ script records its own PID only with -detached, which also forks epmd;
        # run it in a new session instead and record the PID ourselves.
        setsid "$RMQ_BIN/rabbitmq-server" > "$base/server.out" 2>&1 < /dev/null 9>&- &
        echo $! > "$RABBITMQ_PID_FILE"
        for _ in $(seq 1 120); do
            if rmqctl await_startup >/dev/null 2>&1 && port_open "$AMQP_PORT"; then break; fi
            alive "$(cat "$RABBITMQ_PID_FILE")" || { tail -30 "$base/server.out" >&2; die "rabbitmq exited"; }
            sleep 1
        done
        port_open "$AMQP_PORT" || { tail -30 "$base/server.out" >&2; die "rabbitmq did not open $AMQP_PORT"; }
        rmq_bootstrap
        log "rabbitmq ready on 127.0.0.1:$AMQP_PORT (management 127.0.0.1:$MGMT_PORT)"
    )
}

rmq_bootstrap() {
    if ! rmqctl list_users -q 2>/dev/null | awk '{print $1}' | grep -qx tradingd; then
        rmqctl add_user tradingd tradingd >/dev/null
    fi
    rmqctl set_user_tags tradingd administrator >/dev/null
    for vhost in / tradingd-test; do
        rmqctl list_vhosts -q 2>/dev/null | grep -qx -- "$vhost" || rmqctl add_vhost "$vhost" >/dev/null
        rmqctl set_permissions -p "$vhost" tradingd '.*' '.*' '.*' >/dev/null
    done
}

rmq_stop() {
    (
        rmq_env
        if [ -f "$RABBITMQ_PID_FILE" ] && alive "$(cat "$RABBITMQ_PID_FILE")"; then
            local pid
            pid=$(cat "$RABBITMQ_PID_FILE")
            rmqctl shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
            # The listener port is free only once the node has exited.
            for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
            alive "$pid" && kill -9 "$pid" 2>/dev/null || true
            log "rabbitmq stopped"
        fi
        # The private epmd outlives the node; it reads ERL_EPMD_PORT, so this ends only ours.
        local epmd
        epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -1 || true)
        [ -n "$epmd" ] && "$epmd" -kill >/dev/null 2>&1 || true
        rm -f "$RABBITMQ_PID_FILE"
    )
}

write_env() {
    mkdir -p "$LOCAL"
    cat > "$LOCAL/servers.env" <<EOF
# Written by Deploy/servers.sh: the private servers of this checkout.
TRADINGD_TEST_DATABASE_URL=postgresql://tradingd:tradingd@127.0.0.1:$PG_PORT/tradingd_test
TRADINGD_TEST_AMQP_URL=amqp://tradingd:tradingd@127.0.0.1:$AMQP_PORT/tradingd-test
TRADINGD_TEST_AMQP_MANAGEMENT_URL=http://tradingd:tradingd@127.0.0.1:$MGMT_PORT
TRADINGD_LOCAL_DATABASE_URL=postgresql://tradingd:tradingd@127.0.0.1:$PG_PORT/tradingd
TRADINGD_LOCAL_AMQP_URL=amqp://tradingd:tradingd@127.0.0.1:$AMQP_PORT/%2F
TRADINGD_LOCAL_AMQP_MANAGEMENT_URL=http://tradingd:tradingd@127.0.0.1:$MGMT_PORT
EOF
}

status() {
    local base data
    base=$(pg_data_dir)
    data="$base/data"
    if [ -f "$data/postmaster.pid" ] && alive "$(head -1 "$data/postmaster.pid")"; then
        echo "postgresql: running on 127.0.0.1:$PG_PORT"
    else
        echo "postgresql: stopped"
    fi
    if rmq_running; then echo "rabbitmq: running on 127.0.0.1:$AMQP_PORT"; else echo "rabbitmq: stopped"; fi
}

which=${2:-both}
case "$which" in both|postgres|rabbitmq) ;; *) echo "usage: $0 start|stop [postgres|rabbitmq]" >&2; exit 2 ;; esac
case "${1:-}" in
    start)
        install_packages
        mkdir -p "$LOCAL"
        # One start at a time per checkout (tests, the local run and people may call it together);
        # the servers themselves must not inherit the lock's descriptor (9>&- where they start).
        exec 9> "$LOCAL/.servers.lock"
        flock 9
        [ "$which" = rabbitmq ] || pg_start
        [ "$which" = postgres ] || rmq_start
        write_env
        ;;
    stop)
        mkdir -p "$LOCAL"
        exec 9> "$LOCAL/.servers.lock"
        flock 9
        [ "$which" = postgres ] || rmq_stop
        [ "$which" = rabbitmq ] || pg_stop
        ;;
    status) status ;;
    *) echo "usage: $0 start|stop [postgres|rabbitmq] | status" >&2; exit 2 ;;
esac
