#!/usr/bin/env bash
# A three-node RabbitMQ cluster on loopback, for the cluster tests (docs/RELIABILITY.md): separate
# node names, ports and data under .local/rabbitmq-cluster/ (TRADINGD_CLUSTER_DIR), one shared
# Erlang cookie and one private epmd. Never touches the servers of Deploy/servers.sh.
#
#   Deploy/rabbitmq-cluster.sh start          start the three nodes (idempotent), join them, add the user
#   Deploy/rabbitmq-cluster.sh stop           stop every node and the private epmd
#   Deploy/rabbitmq-cluster.sh stop-node N    stop node N (1-3) only
#   Deploy/rabbitmq-cluster.sh start-node N   start node N again (it rejoins the cluster)
#   Deploy/rabbitmq-cluster.sh status         which nodes run; the cluster's view
#   Deploy/rabbitmq-cluster.sh url            the AMQP URL naming all three nodes
#
# Node N listens for AMQP on BASE+10N, management on BASE+10N+1, distribution on BASE+10N+2;
# epmd on BASE+99 (TRADINGD_CLUSTER_BASE_PORT, default 27000: below the kernel's ephemeral range,
# 32768-60999, so that no client socket of a test can hold a node's port).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${TRADINGD_CLUSTER_DIR:-$ROOT/.local/rabbitmq-cluster}
BASE=${TRADINGD_CLUSTER_BASE_PORT:-27000}
RMQ_BIN=/usr/lib/rabbitmq/bin
EPMD_PORT=$((BASE + 99))

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }
alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
amqp_port() { echo $((BASE + 10 * $1)); }
node_name() { echo "rel-c$1@localhost"; }

node_env() {   # node_env N: the environment of node N (in a subshell)
    local n=$1 base="$DIR/node$1"
    export HOME="$DIR/home"   # one Erlang cookie for the three nodes and rabbitmqctl
    export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$base/mnesia"
    export RABBITMQ_LOG_BASE="$base/log"
    export RABBITMQ_PID_FILE="$base/rabbitmq.pid"
    export ERL_CRASH_DUMP="$base/erl_crash.dump"   # not the caller's working folder
    RABBITMQ_NODENAME=$(node_name "$n")
    export RABBITMQ_NODENAME
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT=$(amqp_port "$n")
    export RABBITMQ_NODE_PORT
    export RABBITMQ_DIST_PORT=$((BASE + 10 * n + 2))
    export ERL_EPMD_PORT=$EPMD_PORT
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ctl() { local n=$1; shift; ( node_env "$n"; "$RMQ_BIN/rabbitmqctl" -n "$(node_name "$n")" "$@" ); }

running() { [ -f "$DIR/node$1/rabbitmq.pid" ] && alive "$(cat "$DIR/node$1/rabbitmq.pid")" && port_open "$(amqp_port "$1")"; }

start_node() {
    local n=$1
    (
        node_env "$n"
        local base="$DIR/node$n"
        mkdir -p "$HOME" "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
        : > "$RABBITMQ_CONF_ENV_FILE"
        echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
        echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
        cat > "$RABBITMQ_CONFIG_FILE" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_NODE_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $((BASE + 10 * n + 1))
log.console = false
log.file.level = warning
collect_statistics_interval = 1000
loopback_users = none
EOF
        if running "$n"; then log "node $n already running on $RABBITMQ_NODE_PORT"; exit 0; fi
        [ -f "$HOME/.erlang.cookie" ] || { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOME/.erlang.cookie"; chmod 400 "$HOME/.erlang.cookie"; }
        log "starting node $n ($RABBITMQ_NODENAME, AMQP $RABBITMQ_NODE_PORT)"
        setsid "$RMQ_BIN/rabbitmq-server" > "$base/server.out" 2>&1 < /dev/null 9>&- &
        echo $! > "$RABBITMQ_PID_FILE"
        for _ in $(seq 1 180); do
            if "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" await_startup >/dev/null 2>&1 && port_open "$RABBITMQ_NODE_PORT"; then exit 0; fi
            alive "$(cat "$RABBITMQ_PID_FILE")" || { tail -30 "$base/server.out" >&2; die "node $n exited"; }
            sleep 1
        done
        tail -30 "$base/server.out" >&2
        die "node $n did not start"
    )
}

stop_node() {
    local n=$1 pid
    [ -f "$DIR/node$n/rabbitmq.pid" ] || return 0
    pid=$(cat "$DIR/node$n/rabbitmq.pid")
    alive "$pid" || { rm -f "$DIR/node$n/rabbitmq.pid"; return 0; }
    ctl "$n" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.5; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    rm -f "$DIR/node$n/rabbitmq.pid"
    log "node $n stopped"
}

join() {   # join N: node N joins node 1's cluster unless it is in it already
    local n=$1
    if ctl 1 cluster_status --formatter json 2>/dev/null | grep -q "\"$(node_name "$n")\""; then return 0; fi
    log "node $n joins the cluster"
    ctl "$n" stop_app >/dev/null
    ctl "$n" join_cluster "$(node_name 1)" >/dev/null
    ctl "$n" start_app >/dev/null
}

bootstrap() {
    ctl 1 list_users -q 2>/dev/null | awk '{print $1}' | grep -qx tradingd || ctl 1 add_user tradingd tradingd >/dev/null
    ctl 1 set_user_tags tradingd administrator >/dev/null
    ctl 1 set_permissions -p / tradingd '.*' '.*' '.*' >/dev/null
}

url() { echo "amqp://tradingd:tradingd@127.0.0.1:$(amqp_port 1),127.0.0.1:$(amqp_port 2),127.0.0.1:$(amqp_port 3)/%2F"; }

case "${1:-}" in
    start)
        [ -x "$RMQ_BIN/rabbitmq-server" ] || die "rabbitmq-server is not installed (bash Deploy/servers.sh start installs it)"
        mkdir -p "$DIR"
        exec 9> "$DIR/.lock"
        flock 9
        for n in 1 2 3; do start_node "$n"; done
        join 2
        join 3
        bootstrap
        log "cluster of 3 ready: $(url | sed 's/tradingd:tradingd@//')"
        ;;
    stop)
        mkdir -p "$DIR"
        for n in 3 2 1; do stop_node "$n"; done
        ( export ERL_EPMD_PORT=$EPMD_PORT; epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -1 || true)
          [ -n "$epmd" ] && "$epmd" -kill >/dev/null 2>&1 || true )
        ;;
    stop-node) [[ "${2:-}" =~ ^[123]$ ]] || die "stop-node takes 1, 2 or 3"; stop_node "$2" ;;
    start-node) [[ "${2:-}" =~ ^[123]$ ]] || die "start-node takes 1, 2 or 3"; start_node "$2" ;;
    status)
        for n in 1 2 3; do if running "$n"; then echo "node $n: running on $(amqp_port "$n")"; else echo "node $n: stopped"; fi; done
        ;;
    url) url ;;
    *) echo "usage: $0 start|stop|stop-node N|start-node N|status|url" >&2; exit 2 ;;
esac
