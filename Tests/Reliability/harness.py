"""What every reliability scenario shares: a private PostgreSQL and RabbitMQ (Deploy/servers.sh in
its own folder and on its own ports, so stopping them never touches the servers other tests use),
tradingd processes, the ESM simulator, an organisation enabled against it, and waiting.

Everything runs on loopback. Every process started here is stopped by `Run.close()`.
"""
import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import psycopg2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# RELIABILITY_INSTANCE names a second run's folders, so that it can run beside another (the soak
# beside the suite, say), on other ports (RELIABILITY_BASE_PORT).
INSTANCE = os.environ.get("RELIABILITY_INSTANCE", "reliability")
RUNS = os.path.join(ROOT, ".local", f"{INSTANCE}-runs")
RESULTS = os.path.join(ROOT, ".local", INSTANCE)
# Every secret any run configured, for the scan at the end of the suite (secret name -> value).
ALL_SECRETS = {}


def log(*parts):
    print("[reliability]", *parts, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, predicate, timeout, interval=0.2):
    """Polls `predicate` until it returns a truthy value; raises with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except AssertionError:
            raise
        except Exception as error:  # a server that is coming back answers with errors meanwhile
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def http(method, url, body=None, token=None, headers=None, timeout=10):
    """One HTTP request; returns (status, headers, body bytes) for every status."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Servers:
    """A private PostgreSQL and RabbitMQ under .local/<name>/, ports base..base+4."""

    def __init__(self, name, base_port):
        self.dir = os.path.join(ROOT, ".local", name)
        self.pg_port, self.amqp_port, self.mgmt_port = base_port, base_port + 1, base_port + 2
        self.env = dict(os.environ, TRADINGD_SERVERS_DIR=self.dir, TRADINGD_PG_PORT=str(base_port),
                        TRADINGD_AMQP_PORT=str(base_port + 1), TRADINGD_MGMT_PORT=str(base_port + 2),
                        TRADINGD_DIST_PORT=str(base_port + 3), TRADINGD_EPMD_PORT=str(base_port + 4),
                        TRADINGD_RABBITMQ_NODE=f"{name}@localhost")
        self.admin_url = f"postgresql://tradingd:tradingd@127.0.0.1:{self.pg_port}/postgres"
        self.amqp_url = f"amqp://tradingd:tradingd@127.0.0.1:{self.amqp_port}/%2F"
        self.management_url = f"http://tradingd:tradingd@127.0.0.1:{self.mgmt_port}"

    def app_users(self):
        """A PostgreSQL role and a RabbitMQ administrator with fresh random passwords, which the
        daemons use, so that the secret scan looks for strings that occur nowhere else."""
        self.app_db_password = "pg-" + secrets.token_hex(12)
        self.app_amqp_password = "mq-" + secrets.token_hex(12)
        self.superuser_sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rel_app') THEN "
                           "CREATE ROLE rel_app LOGIN; END IF; END $$")
        self.superuser_sql(f"ALTER ROLE rel_app PASSWORD '{self.app_db_password}'")
        auth = "Basic " + base64.b64encode(b"tradingd:tradingd").decode()
        base = f"http://127.0.0.1:{self.mgmt_port}"
        for path, body in [("/api/users/rel-app", {"password": self.app_amqp_password, "tags": "administrator"}),
                           ("/api/permissions/%2F/rel-app", {"configure": ".*", "write": ".*", "read": ".*"})]:
            request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="PUT")
            request.add_header("Authorization", auth)
            request.add_header("Content-Type", "application/json")
            urllib.request.urlopen(request, timeout=10).close()
        self.app_amqp_url = f"amqp://rel-app:{self.app_amqp_password}@127.0.0.1:{self.amqp_port}/%2F"
        self.app_management_url = f"http://rel-app:{self.app_amqp_password}@127.0.0.1:{self.mgmt_port}"

    def app_database_url(self, database):
        return f"postgresql://rel_app:{self.app_db_password}@127.0.0.1:{self.pg_port}/{database}"

    def _servers(self, *args):
        started = time.monotonic()
        subprocess.run(["bash", os.path.join(ROOT, "Deploy", "servers.sh"), *args], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        return time.monotonic() - started

    def start(self, which=None):
        return self._servers("start", *([which] if which else []))

    def stop(self, which=None):
        return self._servers("stop", *([which] if which else []))

    def database_url(self, database):
        return f"postgresql://tradingd:tradingd@127.0.0.1:{self.pg_port}/{database}"

    def superuser_sql(self, statement):
        """Runs a statement as the postgres superuser (over the server's socket)."""
        socket_dir = os.path.join(os.path.realpath(os.path.join(self.dir, "postgres")), "socket")
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-h", socket_dir, "-p", str(self.pg_port),
                        "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", statement],
                       check=True, stdout=subprocess.DEVNULL)

    def set_read_only(self, read_only):
        """Every new transaction read-only (existing sessions too, after the reload), or back."""
        self.superuser_sql(f"ALTER SYSTEM SET default_transaction_read_only = {'on' if read_only else 'off'}")
        self.superuser_sql("SELECT pg_reload_conf()")


def build_dir():
    """The debug build's binaries, or the release build's with RELIABILITY_CONFIGURATION=release
    (the soak and the throughput runs, whose figures are about speed and memory)."""
    configuration = os.environ.get("RELIABILITY_CONFIGURATION", "debug")
    return subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


class Process:
    """A child process with its output appended to a log file; stop() sends SIGTERM, kill9() SIGKILL."""

    def __init__(self, argv, env, log_path):
        self.argv, self.env, self.log_path, self.popen = argv, env, log_path, None

    def start(self):
        out = open(self.log_path, "ab")
        self.popen = subprocess.Popen(self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL)
        out.close()
        return self

    @property
    def running(self):
        return self.popen is not None and self.popen.poll() is None

    def kill9(self):
        if self.running:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait()

    def stop(self, timeout=30):
        if self.running:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                return None
        return self.popen.returncode if self.popen else None


class Run:
    """One scenario's world: a database, an exchange and an organisation on `servers`, the ESM
    simulator, and any number of tradingd replicas sharing them."""

    def __init__(self, servers, name, plants=20, work=None, extra_env=None, broker=None):
        """`broker`: (the daemons' AMQP URL, the partner's AMQP URL, the management base URL) of
        another broker than `servers`' (the cluster scenario)."""
        self.servers, self.name = servers, name
        self.partner_amqp_url = broker[1] if broker else servers.amqp_url
        self.management_base = broker[2] if broker else f"http://127.0.0.1:{servers.mgmt_port}"
        self.work = work or os.path.join(RUNS, name)
        os.makedirs(self.work, exist_ok=True)
        self.bin = build_dir()
        run_id = f"{int(time.time())}{os.getpid()}"
        self.database = f"rel_{name.replace('-', '_')}_{run_id}"
        self.prefix = f"rel-{name}-{secrets.token_hex(3)}"
        self.exchange = f"rel-{name}-{run_id}"
        self.esm_port = free_port()
        self.esm_url = f"http://127.0.0.1:{self.esm_port}"
        self.esm_secret = "esm-secret-" + secrets.token_hex(12)
        self.secret_key = base64.b64encode(os.urandom(32)).decode()
        self.replicas = []
        self.processes = []
        self.env = dict(os.environ,
                        TRADINGD_DATABASE_URL=servers.app_database_url(self.database),
                        TRADINGD_AMQP_URL=broker[0] if broker else servers.app_amqp_url,
                        TRADINGD_AMQP_MANAGEMENT_URL=broker[2].replace("http://", "http://tradingd:tradingd@") if broker
                        else servers.app_management_url,
                        TRADINGD_EXCHANGE=self.exchange,
                        TRADINGD_SECRET_KEY=self.secret_key,
                        TRADINGD_MIGRATIONS_DIRECTORY=os.path.join(ROOT, "Migrations"),
                        TRADINGD_ESM_PRIVATE_ALLOW=f"127.0.0.1:{self.esm_port}",
                        TRADINGD_LOG_LEVEL="info",
                        TRADINGD_SHUTDOWN_GRACE_SECONDS="5",
                        TRADINGD_ESM_SYNC_INTERVAL_SECONDS="5")  # the scheduler reconciles replicas
        self.env.update(extra_env or {})
        self.plant_count = plants
        self.token = None
        self.extra_tokens = []

    # -------------------------------------------------------------- set-up

    def tradingd(self, *args):
        return subprocess.run([os.path.join(self.bin, "tradingd"), *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def setup(self, replicas=1):
        self.servers.superuser_sql(f"CREATE DATABASE {self.database} OWNER rel_app")
        self.tradingd("migrate")
        self.tradingd("org", "create", "--slug", self.prefix, "--name", f"Reliability {self.name}")
        self.token = self.tradingd("token", "create", "--org", self.prefix, "--role", "admin", "--scopes",
                                   "trading,purchase,vend,loyalty").strip().splitlines()[-1]
        self.esm = Process([os.path.join(self.bin, "esm-sim"), "--port", str(self.esm_port), "--plants",
                            str(self.plant_count), "--amqp-url", self.partner_amqp_url, "--exchange", self.exchange,
                            "--queue-prefix", self.prefix, "--client-id", "rel-client", "--client-secret",
                            self.esm_secret], self.env, os.path.join(self.work, "esm-sim.log")).start()
        self.processes.append(self.esm)
        ALL_SECRETS.update({f"{self.name} {key}": value for key, value in self.configured_secrets().items()})
        wait_until("the ESM simulator", lambda: http("GET", self.esm_url + "/_sim/stats")[0] == 200, 30)
        for index in range(replicas):
            self.add_replica()
        self.wait_healthy(self.replicas[0])
        self.api("POST", "/config", {"esmApiUrl": self.esm_url, "esmClientId": "rel-client",
                                     "esmClientSecret": self.esm_secret, "queuePrefix": self.prefix})
        self.api("POST", "/config/enable")
        self.api("POST", "/plants/sync")
        self.plants = [row[0] for row in self.query("SELECT id::text FROM plants ORDER BY id")]
        ALL_SECRETS.update({f"{self.name} {key}": value for key, value in self.configured_secrets().items()})
        assert len(self.plants) == self.plant_count, self.plants
        for replica in self.replicas[1:]:
            self.wait_healthy(replica)
        return self

    def add_replica(self):
        port = free_port()
        env = dict(self.env, TRADINGD_HTTP_ADDRESS=f"127.0.0.1:{port}")
        replica = Process([os.path.join(self.bin, "tradingd"), "serve"], env,
                          os.path.join(self.work, f"tradingd-{len(self.replicas)}.log"))
        replica.url = f"http://127.0.0.1:{port}"
        replica.start()
        self.replicas.append(replica)
        self.processes.append(replica)
        return replica

    def wait_healthy(self, replica, timeout=60):
        wait_until(f"tradingd at {replica.url}/healthz", lambda: http("GET", replica.url + "/healthz", timeout=2)[0] == 200,
                   timeout)

    def ready(self, replica):
        """`/readyz`: (status, body as JSON or text)."""
        status, _, body = http("GET", replica.url + "/readyz", timeout=5)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode(errors="replace")

    def api(self, method, path, body=None, replica=None, expect=(200, 201, 202, 204)):
        replica = replica or next(r for r in self.replicas if r.running)
        status, _, answer = http(method, f"{replica.url}/api/v1/trading{path}", body, self.token, timeout=30)
        self.record(answer)
        if expect and status not in expect:
            raise AssertionError(f"{method} {path} answered {status}: {answer[:300]!r}")
        return json.loads(answer) if answer else None

    def configured_secrets(self):
        """Every secret this run configured: what no log line or response may contain."""
        return {"database password": self.servers.app_db_password, "broker password": self.servers.app_amqp_password,
                "secret key": self.secret_key, "ESM client secret": self.esm_secret, "API token": self.token,
                **{f"token {i}": t for i, t in enumerate(self.extra_tokens)}}

    def record(self, *answers):
        """Keeps response bodies for the secret scan."""
        with open(os.path.join(self.work, "responses.txt"), "ab") as out:
            for answer in answers:
                out.write(answer + b"\n")

    # -------------------------------------------------------------- data

    def query(self, sql, params=None):
        with contextlib.closing(psycopg2.connect(self.env["TRADINGD_DATABASE_URL"])) as db:
            db.autocommit = True
            cursor = db.cursor()
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def management(self, path):
        base = self.management_base
        request = urllib.request.Request(base + path)
        request.add_header("Authorization", "Basic " + base64.b64encode(b"tradingd:tradingd").decode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def tradingd_connections(self):
        """The broker's names of the connections tradingd's consumers of this run's queues opened."""
        return [c["name"] for c in self.management("/api/connections")
                if (c.get("client_properties") or {}).get("connection_name", "").startswith("tradingd")
                and self.prefix + "." in (c.get("client_properties") or {}).get("connection_name", "")]

    def close_connections(self, names):
        auth = "Basic " + base64.b64encode(b"tradingd:tradingd").decode()
        for name in names:
            request = urllib.request.Request(f"{self.management_base}/api/connections/{urllib.request.quote(name, safe='')}",
                                             method="DELETE")
            request.add_header("Authorization", auth)
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=10).close()

    def queue_depth(self, name):
        queue = self.management(f"/api/queues/%2F/{urllib.request.quote(name, safe='')}")
        return queue.get("messages", 0) or 0

    def esm_commands(self):
        return json.loads(http("GET", self.esm_url + "/_sim/commands")[2])["commands"]

    def esm_knobs(self, **knobs):
        status, _, body = http("POST", self.esm_url + "/_sim/knobs", knobs)
        assert status in (200, 204), (status, body)

    # -------------------------------------------------------------- traffic

    def telemetry(self, count_per_plant, batch, start, seed, dump, rate=None, plants=None):
        """Starts telemetry-gen (a child process); its --dump lists every sample it published."""
        plants_file = os.path.join(self.work, f"plants-{seed}.txt")
        with open(plants_file, "w") as out:
            out.write("\n".join(plants or self.plants) + "\n")
        argv = [os.path.join(self.bin, "telemetry-gen"), "--amqp-url", self.partner_amqp_url, "--exchange",
                self.exchange, "--prefix", self.prefix, "--plants-file", plants_file, "--count", str(count_per_plant),
                "--start", start, "--meters", "0", "--batch", str(batch), "--seed", str(seed), "--quiet", "--dump", dump]
        if rate:
            argv += ["--rate", str(rate)]
        process = Process(argv, self.env, os.path.join(self.work, f"telemetry-gen-{seed}.log")).start()
        self.processes.append(process)
        return process

    def close(self, keep_database=False):
        # Tokens and passwords made during the scenario are scanned for too.
        ALL_SECRETS.update({f"{self.name} {key}": value for key, value in self.configured_secrets().items()})
        for process in reversed(self.processes):
            process.stop(timeout=15)
        if not keep_database:
            try:
                self.delete_broker_objects()
                self.servers.superuser_sql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            except Exception as error:  # the servers may be the ones a scenario left stopped
                log(f"clean-up of {self.name} incomplete: {error}")

    def delete_broker_objects(self):
        base = self.management_base
        auth = "Basic " + base64.b64encode(b"tradingd:tradingd").decode()
        names = [q["name"] for q in self.management("/api/queues/%2F") if q["name"].startswith(self.prefix + ".")]
        for path in [f"/api/queues/%2F/{urllib.request.quote(n, safe='')}" for n in names] + [f"/api/exchanges/%2F/{self.exchange}"]:
            request = urllib.request.Request(base + path, method="DELETE")
            request.add_header("Authorization", auth)
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(request, timeout=10).close()


def stored_rows(replica):
    """`tradingd_ingest_rows_stored_total{queue="telemetry"}` from a replica's /metrics: the rows it
    committed since it started (no count(*) over millions of rows, which would load the database
    it measures)."""
    _, _, body = http("GET", replica.url + "/metrics", timeout=10)
    for line in body.decode().splitlines():
        if line.startswith("tradingd_ingest_rows_stored_total{") and 'queue="telemetry"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    raise AssertionError("tradingd_ingest_rows_stored_total{queue=\"telemetry\"} is not on /metrics")


def command_body(plant, message_id=None):
    message_id = message_id or str(uuid.uuid4())
    return {"messageId": message_id, "correlationId": str(uuid.uuid4()), "plantId": plant,
            "commandType": "SITE_SETPOINT", "payload": {"activePowerKw": 5}}
