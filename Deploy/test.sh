#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the private PostgreSQL and RabbitMQ
# (Deploy/servers.sh), builds, and runs every test against them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash Deploy/servers.sh start
set -a
# shellcheck disable=SC1091
. .local/servers.env
set +a

# The toolchain lives in /opt/swift on the project's machines.
[ -d /opt/swift/usr/bin ] && PATH="/opt/swift/usr/bin:$PATH"

mkdir -p .local/logs
echo "[test] building (log: .local/logs/build.log)"
if ! swift build --build-tests > .local/logs/build.log 2>&1; then
    grep -E "error:" .local/logs/build.log | head -40 >&2 || tail -40 .local/logs/build.log >&2
    exit 1
fi
# The project's own code must build without warnings.
if grep -E "^/.*/(Sources|Tests|bench)/.*warning:" .local/logs/build.log; then
    echo "[test] warnings in the project's code (above)" >&2
    exit 1
fi

# The forced-close reconnect tests find their connection through the management API, whose
# statistics can lag by more than a minute while the whole suite floods a fresh broker with
# connections and queues: they run alone, first.
isolated="reconnectsAfterForcedCloseAndGetsTheUnackedMessageAgain|publisherReconnectsAfterForcedClose"
if [ $# -eq 0 ]; then
    echo "[test] running the broker-statistics-sensitive tests alone"
    swift test --skip-build --filter "$isolated"
    echo "[test] running the suite"
    swift test --skip-build --skip "$isolated"
    # Bounded libFuzzer runs (fuzz/README.md): the outbound response parser for FUZZ_SECONDS (30),
    # the URL guard and each AMQP decoder and the time-block validator for FUZZ_SECONDS_EACH (10);
    # 0 skips them.
    fuzz() {   # fuzz SECONDS TARGET...
        local seconds=$1 target
        shift
        [ "$seconds" -gt 0 ] || return 0
        for target in "$@"; do
            echo "[test] fuzzing $target for $seconds s (log: .local/logs/fuzz-$target.log)"
            if ! bash fuzz/run.sh "$seconds" "$target" > ".local/logs/fuzz-$target.log" 2>&1; then
                tail -40 ".local/logs/fuzz-$target.log" >&2
                echo "[test] the $target fuzz target found a failure (.build/fuzz/$target/crash-*)" >&2
                exit 1
            fi
        done
    }
    fuzz "${FUZZ_SECONDS:-30}" response-parser
    fuzz "${FUZZ_SECONDS_EACH:-10}" url-guard telemetry-decoder meter-decoder command-decoder ack-decoder time-block-validator
    echo "[test] the API contract (openapi-spec-validator, schemathesis; docs/API-CONTRACT.md)"
    bash Tests/Contract/run.sh
    # Faults, hostile input and a broker cluster, CI-sized, on private servers of its own
    # (docs/RELIABILITY.md); RELIABILITY=0 skips it.
    if [ "${RELIABILITY:-1}" != 0 ]; then
        echo "[test] the reliability suite (log: .local/logs/reliability.log)"
        if ! bash Tests/Reliability/run.sh > .local/logs/reliability.log 2>&1; then
            grep -E "FAILED|Error|assert" .local/logs/reliability.log | tail -30 >&2
            echo "[test] the reliability suite failed (.local/logs/reliability.log, .local/reliability-runs/)" >&2
            exit 1
        fi
        tail -1 .local/logs/reliability.log
    fi
else
    swift test --skip-build "$@"
fi
