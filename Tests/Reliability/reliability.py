"""Runs the reliability scenarios and records their figures (.local/reliability/results.json).

usage: reliability.py [--scale ci|full] [--only NAME[,NAME...]] [--keep-servers]
Scenarios: kill9, replicas, broker, database, esm, disable, hostile, cluster (full scale only),
then the secret scan; soak and throughput only when named (see docs/RELIABILITY.md).
Exits 1 when any scenario fails; the others still run.
"""
import argparse
import resource
import shutil
import json
import os
import time
import traceback

import cluster
import faults
import hostile
import soak
import secret_scan
from harness import INSTANCE, RESULTS, RUNS, Servers, log

SCALES = {
    # CI: every scenario, small enough for the CI budget (about 5 minutes on 2 cores); the cluster
    # scenario needs three more broker nodes and runs only at the full scale.
    "ci": dict(samples=40_000, commands=400, seconds=20, kills=5, small_samples=20_000, small_commands=200,
               small_seconds=15, replica_kills=2, down=5, read_only=5, failing=5, hang=15, disable_cycles=3,
               hostile_seconds=15, baseline=5, loris=1000, cluster=False),
    # The figures: 200,000 samples and 2,000 commands through at least 5 kills, the ESM
    # hanging for a minute, two minutes of attacks, the broker cluster.
    "full": dict(samples=200_000, commands=2_000, seconds=120, kills=12, small_samples=200_000, small_commands=2_000,
                 small_seconds=90, replica_kills=6, down=10, read_only=8, failing=15, hang=60, disable_cycles=5,
                 hostile_seconds=120, baseline=10, loris=1000, cluster=True),
}


def scenarios(servers, scale):
    s = SCALES[scale]
    return {
        "kill9": lambda: faults.kill9(servers, s["samples"], s["commands"], s["seconds"], s["kills"]),
        "replicas": lambda: faults.kill9(servers, s["small_samples"], s["small_commands"], s["small_seconds"],
                                         s["replica_kills"], replicas=2),
        "broker": lambda: faults.broker_restart(servers, s["small_samples"], s["small_commands"], s["small_seconds"],
                                                s["down"]),
        "database": lambda: faults.database_restart(servers, s["small_samples"], s["small_commands"], s["small_seconds"],
                                                    s["down"], s["read_only"]),
        "esm": lambda: faults.esm_faults(servers, s["small_samples"] // 4, s["small_commands"] // 2, s["small_seconds"],
                                         failing_seconds=s["failing"], hanging_seconds=s["hang"]),
        "disable": lambda: faults.disable_under_reconnects(servers, cycles=s["disable_cycles"]),
        "hostile": lambda: hostile.scenario(servers, s["hostile_seconds"], s["loris"], s["baseline"]),
        "cluster": lambda: cluster.failover(servers, s["small_samples"], s["small_commands"], s["small_seconds"]),
        # Only when named (--only soak / --only throughput): 30 minutes (SOAK_MINUTES); a backlog
        # of THROUGHPUT_SAMPLES (default 400,000) drained by one replica, then by two.
        "soak": lambda: soak.soak(servers, float(os.environ.get("SOAK_MINUTES", "30"))),
        "throughput": lambda: cluster.throughput(servers, int(os.environ.get("THROUGHPUT_SAMPLES", "400000"))),
    }
EXPLICIT = {"soak", "throughput"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="ci", choices=sorted(SCALES))
    parser.add_argument("--only", default="")
    parser.add_argument("--keep-servers", action="store_true")
    args = parser.parse_args()
    out_dir = RESULTS
    os.makedirs(out_dir, exist_ok=True)
    servers = Servers(f"{INSTANCE}-servers", int(os.environ.get("RELIABILITY_BASE_PORT", "26400")))
    log(f"private servers under {servers.dir} (PostgreSQL {servers.pg_port}, RabbitMQ {servers.amqp_port})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))  # 1,000 slow-loris sockets, and the daemons inherit it
    shutil.rmtree(RUNS, ignore_errors=True)
    servers.start()
    servers.app_users()
    explicit = EXPLICIT | (set() if SCALES[args.scale]["cluster"] else {"cluster"})
    chosen = [name for name in args.only.split(",") if name] or [n for n in scenarios(servers, args.scale) if n not in explicit]
    results, failed = {"scale": args.scale, "load_before": open("/proc/loadavg").read().split()[:3]}, []
    try:
        for name in chosen:
            started = time.monotonic()
            log(f"scenario {name} ({args.scale})")
            try:
                results[name] = scenarios(servers, args.scale)[name]()
                results[name]["wall_s"] = round(time.monotonic() - started, 1)
                log(f"scenario {name}: passed in {results[name]['wall_s']} s")
            except Exception as error:
                failed.append(name)
                results[name] = {"failed": str(error)}
                log(f"scenario {name}: FAILED: {error}")
                traceback.print_exc()
                servers.start()  # a scenario that failed with a server stopped leaves it for the next
        started = time.monotonic()
        try:
            results["secrets"] = secret_scan.scan(RUNS)
            log(f"secret scan: {results['secrets']}")
        except Exception as error:
            failed.append("secrets")
            results["secrets"] = {"failed": str(error)}
            log(f"secret scan: FAILED: {error}")
        chosen = chosen + ["secrets"]
    finally:
        results["load_after"] = open("/proc/loadavg").read().split()[:3]
        with open(os.path.join(out_dir, f"results-{args.scale}.json"), "w") as out:
            json.dump(results, out, indent=1, default=repr)
        if not args.keep_servers:
            servers.stop()
            if any(name in chosen for name in ("cluster", "throughput")):
                cluster.cluster("stop")
    passed = len(chosen) - len(failed)
    print(f"reliability: {passed} passed, {len(failed)} failed")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
