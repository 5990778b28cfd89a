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

from harness import RESULTS, ROOT, Run, http, log, wait_until
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
        generators = []
        for index, (group, batch) in enumerate([(half[0], 1), (half[1], 50)]):
            plants_file = os.path.join(run.work, f"soak-plants-{index}.txt")
            with open(plants_file, "w") as out:
                out.write("\n".join(group) + "\n")
            rate = SAMPLES_PER_SECOND / 2 / batch
            argv = [os.path.join(run.bin, "telemetry-gen"), "--amqp-url", run.partner_amqp_url, "--exchange", run.exchange,
                    "--prefix", run.prefix, "--plants-file", plants_file, "--step", str(step), "--batch", str(batch),
                    "--rate", str(rate), "--duration", str(seconds), "--meters", "0", "--seed", str(50 + index), "--quiet"]
            from harness import Process
            process = Process(argv, run.env, os.path.join(run.work, f"soak-gen-{index}.log")).start()
            run.processes.append(process)
            generators.append(process)
        commands = CommandPublisher(run.partner_amqp_url, run.exchange, run.prefix, run.plants, int(COMMANDS_PER_SECOND * seconds),
                                    COMMANDS_PER_SECOND)
        commands.start()
        started = time.monotonic()
        dashboard = Dashboard(run, started + seconds)
        dashboard.start()
        pid = run.replicas[0].popen.pid
        curve = []
        previous_stored, previous_at = 0, started
        while time.monotonic() - started < seconds + 5:
            time.sleep(10)
            now = time.monotonic()
            # Rows inserted, from the statistics collector: a count(*) over millions of rows every
            # 10 s would be a load of its own.
            stored = run.query("SELECT coalesce(sum(n_tup_ins), 0)::bigint FROM pg_stat_user_tables "
                               "WHERE relname LIKE 'telemetry\\_samples%'")[0][0]
            newest = run.query("SELECT extract(epoch FROM now() - max(time)) FROM telemetry_latest")[0][0]
            relayed = run.query("SELECT count(*) FROM command_log WHERE status = 'RELAYED'")[0][0]
            point = {"t_s": round(now - started), "rss_mib": round(rss_mib(pid), 1),
                     "lag_s": round(float(newest), 2) if newest is not None else None,
                     "stored_per_s": round((stored - previous_stored) / (now - previous_at)),
                     "telemetry_queue": run.queue_depth(f"{run.prefix}.telemetry"),
                     "commands_relayed": relayed, "dashboard_requests": dashboard.requests,
                     "dashboard_errors": len(dashboard.errors), "load1": float(open("/proc/loadavg").read().split()[0])}
            previous_stored, previous_at = stored, now
            curve.append(point)
            log("soak " + json.dumps(point))
        for process in generators:
            process.popen.wait(60)
        commands.join(120)
        dashboard.join(60)
        wait_until("the backlog to drain", lambda: run.queue_depth(f"{run.prefix}.telemetry") == 0, 300)
        figures = summarize(curve, dashboard, commands, run)
        with open(os.path.join(RESULTS, "soak.json"), "w") as out:
            json.dump({"figures": figures, "curve": curve}, out, indent=1)
        plot(curve, os.path.join(ROOT, "docs", "reliability-soak.png"), minutes)
        assert figures["generator_failures"] == 0 and commands.error is None, figures
        assert figures["dashboard_errors"] == 0, dashboard.errors[:5]
        assert figures["rss_growth_mib_per_10min_second_half"] < 5, f"resident memory grows: {figures}"
        assert figures["lag_max_s"] < 30, f"ingest lag not bounded: {figures}"
        return figures
    finally:
        run.close()


def summarize(curve, dashboard, commands, run):
    """Memory trend: a least-squares slope over the second half (after warm-up)."""
    second = curve[len(curve) // 2:]
    xs, ys = [p["t_s"] for p in second], [p["rss_mib"] for p in second]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / max(1e-9, sum((x - mean_x) ** 2 for x in xs))
    lags = [p["lag_s"] for p in curve if p["lag_s"] is not None]
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
            "generator_failures": 0, "load1_mean": round(sum(p["load1"] for p in curve) / len(curve), 1)}


def plot(curve, path, minutes):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [p["t_s"] / 60 for p in curve]
    figure, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(t, [p["rss_mib"] for p in curve], color="tab:blue")
    axes[0].set_ylabel("tradingd RSS (MiB)")
    axes[0].set_ylim(bottom=0)
    axes[1].plot(t, [p["lag_s"] for p in curve], color="tab:red")
    axes[1].set_ylabel("ingest lag (s)")
    axes[1].set_ylim(bottom=0)
    axes[2].plot(t, [p["stored_per_s"] for p in curve], color="tab:green", label="samples stored/s")
    axes[2].axhline(SAMPLES_PER_SECOND, color="grey", linestyle="--", label="published/s")
    axes[2].set_ylabel("samples/s")
    axes[2].set_xlabel("minutes")
    axes[2].legend(loc="lower right")
    figure.suptitle(f"tradingd soak: {SAMPLES_PER_SECOND} samples/s + {COMMANDS_PER_SECOND} commands/s + dashboard, {minutes} min")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
