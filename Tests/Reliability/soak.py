"""The soak: a steady 5,000 samples/s (half one per message, half in arrays of 50), 50 commands/s
and dashboard queries for `minutes`, into one tradingd on the private servers. Every 10 s it
records tradingd's resident memory, the ingest lag (now minus the newest stored sample), queue
depths, rates and errors; at the end it checks memory is flat, nothing failed, the lag stayed
bounded, and draws the curves (docs/reliability-soak.png).

Figures: .local/reliability/soak.json and the table printed at the end."""
import json
import os
import threading
import time
import urllib.parse

import cpu
from harness import RESULTS, ROOT, Process, Run, http, log, stored_rows, wait_until
from traffic import CommandPublisher

SAMPLES_PER_SECOND = 5_000
COMMANDS_PER_SECOND = 50


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


class Dashboard(threading.Thread):
    """A dashboard's queries: latest values, a day of 15-minute buckets, the command log."""

    def __init__(self, run, until):
        super().__init__(daemon=True)
        self.run_, self.until = run, until
        self.requests, self.errors, self.latencies = 0, [], []

    def run(self):
        plants = self.run_.plants
        replica = self.run_.replicas[0]
        index = 0
        while time.monotonic() < self.until:
            plant = plants[index % len(plants)]
            index += 1
            now = time.gmtime()
            end = time.strftime("%Y-%m-%dT%H:%M:%SZ", now)
            start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
            for path in [f"/plants/{plant}/telemetry/latest",
                         f"/plants/{plant}/telemetry?" + urllib.parse.urlencode({"from": start, "to": end, "interval": "15"}),
                         f"/plants/{plant}/command-log?page=1&limit=20"]:
                started = time.monotonic()
                status, _, body = http("GET", f"{replica.url}/api/v1/trading{path}", token=self.run_.token, timeout=30)
                self.latencies.append(time.monotonic() - started)
                self.requests += 1
                if status not in (200, 404):
                    self.errors.append((status, body[:200]))
            time.sleep(0.3)


def soak(servers, minutes):
    plants = 50
    run = Run(servers, "soak", plants=plants).setup()
    try:
        half = run.plants[: plants // 2], run.plants[plants // 2:]
        per_plant = SAMPLES_PER_SECOND / 2 / len(half[0])
        step = 1 / per_plant
        seconds = minutes * 60
        # The commands' bodies first (90,000 of them take seconds on a loaded machine), so that the
        # three publishers start together and the curve's clock is theirs.
        commands = CommandPublisher(run.partner_amqp_url, run.exchange, run.prefix, run.plants, int(COMMANDS_PER_SECOND * seconds),
                                    COMMANDS_PER_SECOND)
        generators = []
        for index, (group, batch) in enumerate([(half[0], 1), (half[1], 50)]):
            plants_file = os.path.join(run.work, f"soak-plants-{index}.txt")
            with open(plants_file, "w") as out:
                out.write("\n".join(group) + "\n")
            rate = SAMPLES_PER_SECOND / 2 / batch
            argv = [os.path.join(run.bin, "telemetry-gen"), "--amqp-url", run.partner_amqp_url, "--exchange", run.exchange,
                    "--prefix", run.prefix, "--plants-file", plants_file, "--step", str(step), "--batch", str(batch),
                    "--rate", str(rate), "--duration", str(seconds), "--meters", "0", "--seed", str(50 + index), "--quiet"]
            process = Process(argv, run.env, os.path.join(run.work, f"soak-gen-{index}.log")).start()
            run.processes.append(process)
            generators.append(process)
        commands.start()
        started = time.monotonic()
        dashboard = Dashboard(run, started + seconds)
        dashboard.start()
        pid = run.replicas[0].popen.pid
        # Who had the CPU, per 10 s window: the publishers failing to reach the rate on a loaded
        # machine is told apart from tradingd or a server falling behind.
        meter = cpu.CPUMeter({"tradingd": lambda: [(pid, False)],
                              "postgres": lambda: cpu.postgres(servers.dir),
                              "rabbitmq": lambda: cpu.beam(os.path.join(servers.dir, "rabbitmq", "rabbitmq.pid")),
                              **{f"telemetry-gen-{i}": (lambda p=g.popen.pid: [(p, False)]) for i, g in enumerate(generators)},
                              "harness": lambda: [(os.getpid(), False)],  # command publisher, dashboard, sampling
                              "esm-sim": lambda: [(run.esm.popen.pid, False)]})
        first_snapshot = snapshot = meter.snapshot()
        curve = []
        previous_stored, previous_at = 0, started
        while time.monotonic() - started < seconds + 5:
            time.sleep(10)
            now = time.monotonic()
            # tradingd's own count of rows committed: a count(*) over millions of rows every 10 s
            # would be a load of its own, and PostgreSQL's statistics reach n_tup_ins only when a
            # busy backend gets round to flushing them (up to a minute late). The total is checked
            # against count(*) once, at the end.
            stored = stored_rows(run.replicas[0])
            newest = run.query("SELECT extract(epoch FROM now() - max(time)) FROM telemetry_latest")[0][0]
            relayed = run.query("SELECT count(*) FROM command_log WHERE status = 'RELAYED'")[0][0]
            point = {"t_s": round(now - started), "rss_mib": round(rss_mib(pid), 1),
                     "lag_s": round(float(newest), 2) if newest is not None else None,
                     "stored_per_s": round((stored - previous_stored) / (now - previous_at)),
                     "telemetry_queue": run.queue_depth(f"{run.prefix}.telemetry"),
                     "commands_relayed": relayed, "dashboard_requests": dashboard.requests,
                     "dashboard_errors": len(dashboard.errors), "load1": float(open("/proc/loadavg").read().split()[0])}
            previous_stored, previous_at = stored, now
            window = meter.snapshot()
            shares = cpu.CPUMeter.between(snapshot, window)
            snapshot = window
            point.update({"cores": shares["cores_used"], "idle_share": shares["machine_idle_share"],
                          "commands_confirmed": commands.confirmed})
            curve.append(point)
            log("soak " + json.dumps(point))
        for process in generators:
            cpu.exited(process)
        cpu_whole = cpu.CPUMeter.between(first_snapshot, meter.snapshot())
        published = [generator_summary(g) for g in generators]
        for process in generators:
            process.popen.wait(60)
        commands.join(120)
        dashboard.join(60)
        wait_until("the backlog to drain", lambda: run.queue_depth(f"{run.prefix}.telemetry") == 0, 300)
        figures = summarize(curve, dashboard, commands, run, seconds)
        figures.update(publishing(published, commands, cpu_whole))
        figures["generator_failures"] = sum(1 for g in generators if g.popen.returncode != 0)
        # The queue's depth in the management API is a few seconds old: wait for the rows.
        stored = lambda: run.query("SELECT count(*) FROM telemetry_samples")[0][0]
        try:
            wait_until("every published sample stored", lambda: stored() >= figures["published_samples"], 300, 2)
        except AssertionError as error:
            log(str(error))
        figures["samples_stored"] = stored()
        with open(os.path.join(RESULTS, "soak.json"), "w") as out:
            json.dump({"figures": figures, "curve": curve}, out, indent=1)
        plot(curve, os.path.join(ROOT, "docs", "reliability-soak.png"), minutes)
        assert figures["generator_failures"] == 0 and commands.error is None, figures
        assert figures["samples_stored"] == figures["published_samples"], f"stored != published: {figures}"
        assert figures["dashboard_errors"] == 0, dashboard.errors[:5]
        assert figures["rss_growth_mib_per_10min_second_half"] < 5, f"resident memory grows: {figures}"
        assert figures["lag_max_s"] < 30, f"ingest lag not bounded: {figures}"
        return figures
    finally:
        run.close()


def summarize(curve, dashboard, commands, run, seconds):
    """Memory trend: a least-squares slope over the second half (after warm-up). The lag counts
    only while publishing: afterwards the newest sample no longer moves and "lag" is just time."""
    second = curve[len(curve) // 2:]
    xs, ys = [p["t_s"] for p in second], [p["rss_mib"] for p in second]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mean_x) ** 2 for x in xs))
    lags = [p["lag_s"] for p in curve if p["lag_s"] is not None and p["t_s"] <= seconds]
    rates = [p["stored_per_s"] for p in curve[1:-1]]
    latencies = sorted(dashboard.latencies)
    return {"minutes": round(curve[-1]["t_s"] / 60, 1), "rss_start_mib": curve[0]["rss_mib"],
            "rss_end_mib": curve[-1]["rss_mib"], "rss_max_mib": max(p["rss_mib"] for p in curve),
            "rss_growth_mib_per_10min_second_half": round(slope * 600, 2),
            "lag_median_s": sorted(lags)[len(lags) // 2], "lag_max_s": max(lags),
            "stored_per_s_mean": round(sum(rates) / max(1, len(rates))), "stored_per_s_min": min(rates) if rates else 0,
            "commands_published": commands.confirmed,
            "commands_relayed": run.query("SELECT count(*) FROM command_log WHERE status = 'RELAYED'")[0][0],
            "dashboard_requests": dashboard.requests, "dashboard_errors": len(dashboard.errors),
            "dashboard_p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)]) if latencies else None,
            "load1_mean": round(sum(p["load1"] for p in curve) / len(curve), 1)}


def generator_summary(generator):
    """telemetry-gen's last line: {"messages", "samples", "readings", "seconds"} (none when it failed)."""
    with open(generator.log_path) as out:
        lines = out.read().strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"messages": 0, "samples": 0, "readings": 0, "seconds": 0, "failed": lines[-5:]}


def publishing(published, commands, cpu_whole):
    """The rates the publishers reached (telemetry-gen's own summaries) and who had the CPU."""
    samples = sum(p["samples"] for p in published)
    seconds = max(1e-9, max(p["seconds"] for p in published))
    return {"published_samples": samples, "published_samples_per_s": round(samples / seconds),
            "published_per_generator": published,
            "commands_confirmed": commands.confirmed, "commands_per_s": round(commands.confirmed / max(1e-9, commands.seconds), 1),
            "command_lanes": commands.lanes, "commands_republished": commands.republished,
            "cpu_seconds": cpu_whole["cpu_s"], "cores_used_mean": cpu_whole["cores_used"],
            "machine_idle_share": cpu_whole["machine_idle_share"]}


def plot(curve, path, minutes):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [p["t_s"] / 60 for p in curve]
    figure, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    axes[0].plot(t, [p["rss_mib"] for p in curve], color="tab:blue")
    axes[0].set_ylabel("tradingd RSS (MiB)")
    axes[0].set_ylim(bottom=0)
    axes[1].plot(t, [p["lag_s"] for p in curve], color="tab:red")
    axes[1].set_ylabel("ingest lag (s)")
    axes[1].set_ylim(bottom=0)
    axes[2].plot(t, [p["stored_per_s"] for p in curve], color="tab:green", label="samples stored/s")
    axes[2].axhline(SAMPLES_PER_SECOND, color="grey", linestyle="--", label="published/s")
    axes[2].set_ylabel("samples/s")
    axes[2].set_ylim(bottom=0)
    axes[2].legend(loc="lower right")
    groups = [("tradingd", ["tradingd"]), ("PostgreSQL", ["postgres"]), ("RabbitMQ", ["rabbitmq"]),
              ("publishers", [k for k in curve[0]["cores"] if k.startswith("telemetry-gen") or k == "harness"])]
    for label, keys in groups:
        axes[3].plot(t, [sum(p["cores"].get(k, 0) for k in keys) for p in curve], label=label)
    axes[3].plot(t, [(os.cpu_count() or 1) * (1 - (p["idle_share"] or 0)) for p in curve], color="grey", linestyle=":", label="machine busy")
    axes[3].set_ylabel("cores used")
    axes[3].set_ylim(bottom=0)
    axes[3].set_xlabel("minutes")
    axes[3].legend(loc="upper right", fontsize="small", ncol=5)
    figure.suptitle(f"tradingd soak: {SAMPLES_PER_SECOND} samples/s + {COMMANDS_PER_SECOND} commands/s + dashboard, {minutes} min")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
