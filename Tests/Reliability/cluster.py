"""A three-node RabbitMQ cluster on loopback (Deploy/rabbitmq-cluster.sh), tradingd's quorum
queues across it, two replicas connected through the URL that names all three nodes.

failover: the node holding the most tradingd connections is stopped mid-stream and started again:
nothing lost, nothing duplicated (checks.py), and every consumer is back, on live nodes only.
throughput: a backlog drained by one replica, then (a fresh backlog) by two; samples/s each."""
import datetime
import os
import subprocess
import time
import urllib.parse

import checks
import cpu
import faults
from harness import ROOT, Run, log, stored_rows, wait_until

SCRIPT = os.path.join(ROOT, "Deploy", "rabbitmq-cluster.sh")
BASE = int(os.environ.get("TRADINGD_CLUSTER_BASE_PORT", "27000"))


def cluster(*args):
    started = time.monotonic()
    subprocess.run(["bash", SCRIPT, *args], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def broker():
    url = subprocess.run(["bash", SCRIPT, "url"], check=True, capture_output=True, text=True).stdout.strip()
    return url, url, f"http://127.0.0.1:{BASE + 11}"


def connections_by_node(run):
    counts = {}
    for connection in run.management("/api/connections"):
        name = (connection.get("client_properties") or {}).get("connection_name", "")
        if name.startswith("tradingd"):
            counts[connection["node"]] = counts.get(connection["node"], 0) + 1
    return counts


def consumers(run, queue):
    return run.management(f"/api/queues/%2F/{urllib.parse.quote(run.prefix + '.' + queue, safe='')}").get("consumers", 0)


def failover(servers, samples, commands, seconds, down_seconds=15):
    started = cluster("start")
    run = Run(servers, "cluster-failover", broker=broker()).setup(replicas=2)
    try:
        members = run.management(f"/api/queues/%2F/{urllib.parse.quote(run.prefix + '.telemetry', safe='')}").get("members", [])
        assert len(members) == 3, f"the quorum queue is not on all three nodes: {members}"
        flow = faults.Flow(run, samples, commands, seconds, "cluster")
        flow.start()
        wait_until("traffic flowing", lambda: run.query("SELECT count(*) FROM telemetry_samples")[0][0] > 0, 60)
        before = wait_until("tradingd's connections listed by the management API",
                            lambda: (lambda c: c if sum(c.values()) >= 8 else None)(connections_by_node(run)), 60, 1.0)
        victim_node = max(before, key=before.get)
        number = int(victim_node.split("@")[0].removeprefix("rel-c"))
        # Node 1 serves the management API the checks read: stop another node when it leads too.
        if number == 1:
            number = 2 if before.get("rel-c2@localhost", 0) >= before.get("rel-c3@localhost", 0) else 3
            victim_node = f"rel-c{number}@localhost"
        log(f"stopping {victim_node}, which holds {before.get(victim_node, 0)} of tradingd's connections {before}")
        stop_s = cluster("stop-node", str(number))
        wait_until("tradingd's consumers back on live nodes",
                   lambda: victim_node not in connections_by_node(run)
                   and all(consumers(run, q) >= 2 for q in ("telemetry", "commands", "command-acks")), 90, 1.0)
        during = connections_by_node(run)
        time.sleep(down_seconds)
        restart_s = cluster("start-node", str(number))
        flow.wait(300)
        figures = faults.verify(run, flow, kills=0, settle_timeout=300, max_reposts=0)
        figures.update({"cluster_start_s": round(started, 1), "stopped_node": victim_node,
                        "connections_before": before, "connections_while_down": during,
                        "node_stop_s": round(stop_s, 1), "node_restart_s": round(restart_s, 1),
                        "quorum_members": len(members)})
        return checks.report("cluster-failover", figures)
    finally:
        run.close()


def cluster_cpu(run, generators=()):
    """Who had the CPU (cpu.py): each replica, PostgreSQL with its backends, each broker node, the
    publishers and this harness."""
    cluster_dir = os.environ.get("TRADINGD_CLUSTER_DIR", os.path.join(ROOT, ".local", "rabbitmq-cluster"))
    groups = {f"tradingd-{i}": (lambda r=replica: [(r.popen.pid, False)] if r.running else [])
              for i, replica in enumerate(run.replicas)}
    groups["postgres"] = lambda: cpu.postgres(run.servers.dir)
    groups.update({f"rabbitmq-{n}": (lambda n=n: cpu.beam(os.path.join(cluster_dir, f"node{n}", "rabbitmq.pid")))
                   for n in (1, 2, 3)})
    groups.update({f"telemetry-gen-{i}": (lambda g=g: [(g.popen.pid, False)]) for i, g in enumerate(generators)})
    groups["harness"] = lambda: [(os.getpid(), False)]
    return cpu.CPUMeter(groups)


def drain_rate(servers, replicas, samples):
    """Samples/s stored while `replicas` replicas drain a backlog of `samples` (arrays of 100 and
    single samples, half each) that was published before they consumed; with the CPU seconds each
    process used while publishing and while draining, and the machine's idle share."""
    run = Run(servers, f"cluster-{replicas}replica", broker=broker()).setup(replicas=replicas)
    try:
        for replica in run.replicas:
            replica.stop()
        plants = len(run.plants)
        half = samples // 2 // plants
        dumps = [os.path.join(run.work, f"backlog-{i}.dump") for i in range(2)]
        # Recent spans of simulated time, one after the other: samples older than the raw retention
        # are refused (too_old), and the two publishers never write the same instant.
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        starts = [faults.iso(now - datetime.timedelta(seconds=2 * half + 600)), faults.iso(now - datetime.timedelta(seconds=half + 300))]
        generators = [run.telemetry(half, 1, starts[0], seed=71, dump=dumps[0]),
                      run.telemetry(half, 100, starts[1], seed=72, dump=dumps[1])]
        publish_meter = cluster_cpu(run, generators)
        publish_before = publish_meter.snapshot()
        for generator in generators:
            cpu.exited(generator)   # its CPU time stays readable until it is reaped
        publishing = cpu.CPUMeter.between(publish_before, publish_meter.snapshot())
        for generator in generators:
            assert generator.popen.wait(900) == 0, "telemetry-gen failed"
        total = half * plants * 2
        wait_until("the backlog on the queue", lambda: run.queue_depth(f"{run.prefix}.telemetry") > 0, 30)
        load = open("/proc/loadavg").read().split()[:3]
        drain_meter = cluster_cpu(run)
        drain_before = drain_meter.snapshot()
        started = time.monotonic()
        for replica in run.replicas:
            replica.start()
        # Progress from the replicas' own counters (no count(*) loading the database meanwhile):
        # the steady rate is taken between 10 % and 90 % of the backlog, without the start.
        progress = []

        def stored():
            count = sum(stored_rows(replica) for replica in run.replicas)
            progress.append((time.monotonic() - started, count))
            return count >= total
        wait_until("the backlog stored", stored, 1200, 0.5)
        elapsed = time.monotonic() - started
        draining = cpu.CPUMeter.between(drain_before, drain_meter.snapshot())
        first = next(p for p in progress if p[1] >= total * 0.1)
        last = next(p for p in progress if p[1] >= total * 0.9)
        figures = checks.aggregates(run, dumps)
        figures.update({"replicas": replicas, "samples": total, "seconds": round(elapsed, 1),
                        "samples_per_s": round(total / elapsed),
                        "steady_samples_per_s": round((last[1] - first[1]) / max(1e-9, last[0] - first[0])),
                        "first_10_percent_s": round(first[0], 1), "load_at_start": load,
                        "cpu_publishing": publishing, "cpu_draining": draining})
        return checks.report(f"cluster-throughput-{replicas}", figures)
    finally:
        run.close()


def throughput(servers, samples):
    cluster("start")
    one = drain_rate(servers, 1, samples)
    two = drain_rate(servers, 2, samples)
    return {"one_replica": one, "two_replicas": two, "ratio": round(two["samples_per_s"] / one["samples_per_s"], 2),
            "steady_ratio": round(two["steady_samples_per_s"] / one["steady_samples_per_s"], 2)}
