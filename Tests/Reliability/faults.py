"""Fault scenarios on a private PostgreSQL and RabbitMQ: tradingd killed with SIGKILL at random
moments (one replica, then two), the broker and the database stopped mid-stream, the database
read-only for a while, the ESM failing then hanging. After each: every aggregate equals the
independent computation from the published samples, every command reached the ESM and was
recorded once, every ack and event once (checks.py)."""
import datetime
import os
import random
import time

import checks
from harness import Run, log, wait_until
from traffic import CommandPublisher

RELAY_IN_FLIGHT = 4  # relay workers, each sending one claimed command at a time: calls one crash can cut short
# The relay's claim lease (TRADINGD_RELAY_CLAIM_LEASE_SECONDS) in the scenarios whose ESM answers
# at once: a claim still lasts the ESM call's deadline plus a margin (25 s), after which a command
# whose claimer died mid-call, or whose outcome could not be recorded, is sent again, instead of
# after the default minute.
SHORT_LEASE = {"TRADINGD_RELAY_CLAIM_LEASE_SECONDS": "5"}


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Flow:
    """200,000 samples (a quarter one per message, the rest in arrays of 100) and 2,000 commands,
    paced over `seconds`, into `run`."""

    def __init__(self, run, samples, commands, seconds, tag):
        self.run, self.seconds = run, seconds
        plants = len(run.plants)
        self.single_per_plant = samples // 4 // plants
        self.array_per_plant = (samples - self.single_per_plant * plants) // plants
        self.samples = (self.single_per_plant + self.array_per_plant) * plants
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        # Two separate spans of simulated time, so the two publishers never write the same instant.
        self.starts = [iso(now - datetime.timedelta(seconds=2 * self.array_per_plant + self.single_per_plant + 600)),
                       iso(now - datetime.timedelta(seconds=self.array_per_plant + 300))]
        self.dumps = []
        self.tag = tag
        self.commands = CommandPublisher(run.partner_amqp_url, run.exchange, run.prefix, run.plants, commands,
                                         commands / seconds)
        self.generators = []

    def _generator(self, which, attempt):
        per_plant, batch = (self.single_per_plant, 1) if which == 0 else (self.array_per_plant, 100)
        rate = max(1, round(per_plant * len(self.run.plants) / batch / self.seconds))
        dump = os.path.join(self.run.work, f"{self.tag}-{which}-{attempt}.dump")
        self.dumps.append(dump)
        return self.run.telemetry(per_plant, batch, self.starts[which], seed=31 + which, dump=dump, rate=rate)

    def start(self):
        self.generators = [[self._generator(0, 0), 0], [self._generator(1, 0), 0]]
        self.commands.start()

    def running(self):
        """Whether traffic is still being published. A generator that lost its broker is started
        again from the beginning once the broker is back: the same seed gives the same samples,
        which tradingd must store once."""
        busy = False
        for which, entry in enumerate(self.generators):
            process, attempt = entry
            if process.running:
                busy = True
            elif process.popen.returncode != 0:
                log(f"telemetry-gen {which} exited {process.popen.returncode}: publishing it again")
                entry[0], entry[1] = self._generator(which, attempt + 1), attempt + 1
                busy = True
        return busy or self.commands.is_alive()

    def wait(self, timeout):
        wait_until("the publishers to finish", lambda: not self.running(), timeout, 0.5)
        assert self.commands.error is None, self.commands.error


def verify(run, flow, kills, settle_timeout, max_reposts=None):
    settled = checks.settle(run, flow.samples, len(flow.commands.bodies), settle_timeout)
    figures = {"samples": flow.samples, "commands": len(flow.commands.bodies), "kills": kills,
               "settled_after_publishing_s": round(settled, 1)}
    figures.update(checks.aggregates(run, flow.dumps))
    figures.update(checks.commands(run, flow.commands.message_ids, max_reposts=kills * RELAY_IN_FLIGHT if max_reposts is None else max_reposts))
    figures.update(checks.events(run, max_redelivered=max(kills, 1) * 200))
    checks.dead_letters(run)
    return figures


def kill9(servers, samples, commands, seconds, min_kills, replicas=1, seed=None):
    """SIGKILL of a tradingd (a random replica) every 2-6 s, restarted at once, while the flow runs."""
    rng = random.Random(seed)
    name = "kill9" if replicas == 1 else f"kill9-{replicas}replicas"
    run = Run(servers, name, extra_env=SHORT_LEASE).setup(replicas=replicas)
    try:
        flow = Flow(run, samples, commands, seconds, name)
        flow.start()
        kills, moments = 0, []
        started = time.monotonic()
        while flow.running() or kills < min_kills:
            time.sleep(rng.uniform(2, 6) if kills < min_kills or flow.running() else 0)
            victim = rng.randrange(replicas)
            run.replicas[victim].kill9()
            moments.append(round(time.monotonic() - started, 1))
            kills += 1
            run.replicas[victim].start()
        flow.wait(120)
        for replica in run.replicas:
            run.wait_healthy(replica)
        figures = verify(run, flow, kills, settle_timeout=300)
        figures.update({"replicas": replicas, "kill_moments_s": moments})
        return checks.report(name, figures)
    finally:
        run.close()


def outage(run, flow, stop, start, what, down_seconds):
    """Stops a server mid-stream, checks /readyz says so, starts it again, checks tradingd recovers
    by itself (/readyz 200 again) with no restart."""
    replica = run.replicas[0]
    wait_until("traffic flowing", lambda: run.query("SELECT count(*) FROM telemetry_samples")[0][0] > 0, 60)
    stopped_at = time.monotonic()
    stop()
    status, body = wait_until(f"/readyz to report {what} down",
                              lambda: (lambda s: s if s[0] == 503 else None)(run.ready(replica)), 30)
    assert body.get(what) == "unreachable", body
    remaining = down_seconds - (time.monotonic() - stopped_at)
    if remaining > 0:
        time.sleep(remaining)
    start()
    restarted_at = time.monotonic()
    wait_until("/readyz 200 after the restart", lambda: run.ready(replica)[0] == 200, 120)
    assert replica.running, "tradingd exited during the outage"
    return {f"{what}_down_s": round(restarted_at - stopped_at, 1),
            f"{what}_ready_again_after_restart_s": round(time.monotonic() - restarted_at, 1)}


def broker_restart(servers, samples, commands, seconds, down_seconds=10):
    run = Run(servers, "broker-restart").setup()
    try:
        flow = Flow(run, samples, commands, seconds, "broker-restart")
        flow.start()
        figures = outage(run, flow, lambda: servers.stop("rabbitmq"), lambda: servers.start("rabbitmq"), "rabbitmq", down_seconds)
        flow.wait(300)
        figures.update(verify(run, flow, kills=0, settle_timeout=300))
        return checks.report("broker-restart", figures)
    finally:
        run.close()


def database_restart(servers, samples, commands, seconds, down_seconds=10, read_only_seconds=8):
    run = Run(servers, "database-restart", extra_env=SHORT_LEASE).setup()
    try:
        flow = Flow(run, samples, commands, seconds, "database-restart")
        flow.start()
        figures = outage(run, flow, lambda: servers.stop("postgres"), lambda: servers.start("postgres"), "postgres", down_seconds)
        # Then read-only for a while: writes fail with SQLSTATE 25006, nothing may be lost.
        servers.set_read_only(True)
        time.sleep(1)  # a transaction begun before the reload may still commit
        before = run.query("SELECT count(*) FROM telemetry_samples")[0][0]
        time.sleep(read_only_seconds)
        during = run.query("SELECT count(*) FROM telemetry_samples")[0][0]
        servers.set_read_only(False)
        figures.update({"read_only_s": read_only_seconds, "samples_stored_while_read_only": during - before,
                        "ready_while_read_only": run.ready(run.replicas[0])[0]})
        flow.wait(300)
        # A call whose outcome could not be recorded while the database was away is made again.
        figures.update(verify(run, flow, kills=0, settle_timeout=300, max_reposts=2 * RELAY_IN_FLIGHT))
        return checks.report("database-restart", figures)
    finally:
        servers.set_read_only(False)
        run.close()


def esm_faults(servers, samples, commands, seconds, failing_seconds=15, hanging_seconds=60):
    """The ESM answers 503 to everything, then takes a minute to answer anything, then recovers."""
    run = Run(servers, "esm-faults").setup()
    try:
        flow = Flow(run, samples, commands, seconds, "esm-faults")
        flow.start()
        wait_until("commands flowing", lambda: run.query("SELECT count(*) FROM command_log")[0][0] > 0, 60)
        run.esm_knobs(failureRate=1.0)
        time.sleep(failing_seconds)
        ready_failing = run.ready(run.replicas[0])[0]
        run.esm_knobs(failureRate=0.0, latencyMs=hanging_seconds * 1000)
        time.sleep(hanging_seconds)
        ready_hanging = run.ready(run.replicas[0])[0]
        run.esm_knobs(latencyMs=0)
        assert ready_failing == 200 and ready_hanging == 200, "a partner outage is not tradingd's unreadiness"
        flow.wait(300)
        # Calls the relay gave up on while the ESM hung reach it later anyway, and the retries again:
        # the idempotency key is what keeps those to one execution, so they are counted, not bounded.
        figures = verify(run, flow, kills=0, settle_timeout=300, max_reposts=len(flow.commands.bodies))
        figures.update({"esm_failing_s": failing_seconds, "esm_hanging_s": hanging_seconds,
                        "ready_while_esm_down": ready_failing})
        return checks.report("esm-faults", figures)
    finally:
        run.close()


def disable_under_reconnects(servers, cycles=5, bound_s=5.0):
    """`POST /config/disable` while the organisation's consumers are in their reconnect loop (their
    connections closed by the broker just before): each disable ends within `bound_s` (it once took
    over 20 s), and no consumer of the disabled prefix is heard of afterwards (it once kept retrying
    against the deleted queues)."""
    run = Run(servers, "disable", plants=3, extra_env={"TRADINGD_ESM_SYNC_INTERVAL_SECONDS": "2",
                                                        "TRADINGD_SHUTDOWN_GRACE_SECONDS": "20"}).setup()
    try:
        generator = run.telemetry(3000, 1, "2026-01-01T00:00:00Z", seed=9, dump=f"{run.work}/disable.dump", rate=300)
        durations, after = [], []
        for cycle in range(cycles):
            wait_until("the consumers connected", lambda: len(run.tradingd_connections()) >= 4, 30)
            run.close_connections(run.tradingd_connections())
            time.sleep([0, 0.05, 0.3, 1.0, 0.01][cycle % 5])
            started = time.monotonic()
            run.api("POST", "/config/disable")
            durations.append(round(time.monotonic() - started, 2))
            mark = os.path.getsize(run.replicas[0].log_path)
            time.sleep(3)  # two reconcile rounds of the scheduler
            with open(run.replicas[0].log_path) as log_file:
                log_file.seek(mark)
                heard = [line for line in log_file if run.prefix in line and ("consumer" in line or "reconnect" in line)]
            after.append(len(heard))
            assert not run.tradingd_connections(), "tradingd still holds broker connections after disable"
            run.api("POST", "/config/enable")
        generator.stop()
        figures = {"cycles": cycles, "disable_s": durations, "consumer_lines_after_disable": after, "bound_s": bound_s}
        assert max(durations) < bound_s, f"a disable took {max(durations)} s: {figures}"
        assert not any(after), f"consumers of the disabled prefix went on: {figures}"
        return checks.report("disable", figures)
    finally:
        run.close()
