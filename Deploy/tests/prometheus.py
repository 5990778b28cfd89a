"""Prometheus and the Grafana dashboard against the local run (Deploy/run-local.sh start).

1. `promtool check metrics` passes on the live /metrics text, and docs/OBSERVABILITY.md's table
   names every metric family in it.
2. A real Prometheus, configured from Deploy/prometheus/prometheus.yml (target and interval
   adjusted, the alert rules loaded), scrapes the daemon while this script makes traffic: a plant
   sync and commands (ESM calls, relay), malformed telemetry (dead letters).
3. Every PromQL expression of Deploy/grafana/tradingd.json returns at least one finite value, and
   every alert rule evaluates without error.
4. Every JSON query of the dashboard (telemetry, meters, the plant variable) answers with data.

usage: python3 Deploy/tests/prometheus.py   (reads .local/env; needs the prometheus package)
"""
import base64
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from checks import ROOT, Checks, local_env  # noqa: E402

SCRAPE_SECONDS = 15
RATE_INTERVAL = "30s"


def http(url, data=None, headers=None, timeout=10):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.status, answer.read()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def publish_malformed(env, count):
    """Publishes bodies that can never be stored, through the management API's publish call."""
    parts = urllib.parse.urlsplit(env["TRADINGD_AMQP_MANAGEMENT_URL"])
    base = f"{parts.scheme}://{parts.hostname}:{parts.port}"
    auth = base64.b64encode(f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password)}".encode()).decode()
    vhost = urllib.parse.quote(urllib.parse.unquote(urllib.parse.urlsplit(env["TRADINGD_AMQP_URL"]).path[1:] or "/"), safe="")
    routed = 0
    for index in range(count):
        body = json.dumps({"properties": {}, "routing_key": env["TRADINGD_QUEUE_PREFIX"] + ".telemetry",
                           "payload": "not json %d" % index, "payload_encoding": "string"}).encode()
        _, answer = http(f"{base}/api/exchanges/{vhost}/{urllib.parse.quote(env['TRADINGD_EXCHANGE'], safe='')}/publish", body,
                         {"Authorization": "Basic " + auth, "Content-Type": "application/json"})
        routed += 1 if json.loads(answer).get("routed") else 0
    return routed


def make_traffic(env):
    token = {"Authorization": "Bearer " + env["TRADINGD_TOKEN"]}
    http(env["TRADINGD_URL"] + "/api/v1/trading/plants/sync", b"", token)
    subprocess.run([os.path.join(env["TRADINGD_BIN"], "telemetry-gen"), "command", "--amqp-url", env["TRADINGD_AMQP_URL"],
                    "--exchange", env["TRADINGD_EXCHANGE"], "--prefix", env["TRADINGD_QUEUE_PREFIX"],
                    "--plant", env["TRADINGD_DEMO_PLANT"], "--type", "SITE_SETPOINT", "--active-power-kw", "5"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    return publish_malformed(env, 3)


def start_prometheus(env, work):
    port = free_port()
    target = urllib.parse.urlsplit(env["TRADINGD_URL"]).netloc
    with open(os.path.join(ROOT, "Deploy/prometheus/prometheus.yml")) as shipped:
        config = shipped.read()
    config = config.replace('targets: ["127.0.0.1:8080"]', f'targets: ["{target}"]')
    config = config.replace("scrape_interval: 15s", "scrape_interval: 1s").replace("evaluation_interval: 15s", "evaluation_interval: 1s")
    config = config.replace("- alerts.yml", "- " + os.path.join(ROOT, "Deploy/prometheus/alerts.yml"))
    path = os.path.join(work, "prometheus.yml")
    with open(path, "w") as out:
        out.write(config)
    log = open(os.path.join(work, "prometheus.log"), "w")
    process = subprocess.Popen(["prometheus", "--config.file=" + path, "--storage.tsdb.path=" + os.path.join(work, "data"),
                                f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if http(base + "/-/ready", timeout=2)[0] == 200:
                return process, base
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("prometheus did not become ready; see " + log.name)


def query(base, expression):
    _, body = http(base + "/api/v1/query?" + urllib.parse.urlencode({"query": expression}))
    answer = json.loads(body)
    if answer.get("status") != "success":
        return None
    return answer["data"]["result"]


def dashboard_targets():
    with open(os.path.join(ROOT, "Deploy/grafana/tradingd.json")) as source:
        dashboard = json.load(source)
    panels = [p for p in dashboard["panels"] if p.get("type") != "row"]
    expressions = [(p["title"], t["expr"]) for p in panels for t in p["targets"] if "expr" in t]
    json_queries = [(p["title"], t) for p in panels for t in p["targets"] if t.get("source") == "url"]
    variables = [v["query"]["infinityQuery"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return expressions, json_queries, variables


def check_json_queries(checks, env, json_queries, variables):
    token = {"Authorization": "Bearer " + env["TRADINGD_TOKEN"]}
    now = time.time()
    values = {"${__from:date:iso}": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 6 * 3600)),
              "${__to:date:iso}": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "$interval": "5"}
    for title, target in json_queries:
        path = target["url"].replace("$plant", env["TRADINGD_DEMO_PLANT"])
        params = {p["key"]: values.get(p["value"], p["value"]) for p in target["url_options"].get("params", [])}
        status, body = http(env["TRADINGD_URL"] + path + "?" + urllib.parse.urlencode(params), headers=token)
        rows = json.loads(body)
        fields = {c["selector"] for c in target["columns"]}
        complete = bool(rows) and all(field in rows[0] for field in fields)
        checks.expect(status == 200 and complete, f"JSON query of '{title}' returns rows with {sorted(fields)}",
                      f"status {status}, {len(rows)} rows")
    for variable in variables:
        status, body = http(env["TRADINGD_URL"] + variable["url"], headers=token)
        rows = json.loads(body).get(variable["root_selector"], [])
        checks.expect(status == 200 and any(r.get("id") == env["TRADINGD_DEMO_PLANT"] for r in rows),
                      "the plant variable's query lists the demo plant")


def check_documented(checks, metrics):
    """Every family of the live output is in docs/OBSERVABILITY.md's metrics table (in backticks)."""
    with open(os.path.join(ROOT, "docs", "OBSERVABILITY.md")) as doc:
        table = " ".join(line for line in doc if line.startswith("| `"))
    families = sorted({line.split()[2] for line in metrics.splitlines() if line.startswith("# TYPE ")})
    missing = [family for family in families if f"`{family}`" not in table]
    checks.expect(families and not missing, f"docs/OBSERVABILITY.md documents all {len(families)} metric families",
                  "missing: " + ", ".join(missing))


def main():
    env = local_env()
    checks = Checks("prometheus")
    _, metrics = http(env["TRADINGD_URL"] + "/metrics")
    lint = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True, timeout=30)
    checks.expect(lint.returncode == 0 and not lint.stdout.strip(), "promtool check metrics passes on the live output",
                  (lint.stdout + lint.stderr).decode()[:500])
    check_documented(checks, metrics.decode())
    expressions, json_queries, variables = dashboard_targets()
    check_json_queries(checks, env, json_queries, variables)

    work = tempfile.mkdtemp(prefix="tradingd-prometheus-")
    process = None
    try:
        process, base = start_prometheus(env, work)
        routed = make_traffic(env)
        checks.expect(routed == 3, "malformed telemetry reached the telemetry queue", f"{routed} routed")
        deadline = time.monotonic() + SCRAPE_SECONDS
        second_round = False
        while time.monotonic() < deadline:
            if not second_round and deadline - time.monotonic() < SCRAPE_SECONDS / 2:
                make_traffic(env)  # so the last rate window holds ESM calls, relays and dead letters too
                second_round = True
            time.sleep(0.5)
        up = query(base, 'up{job="tradingd"}')
        checks.expect(bool(up) and up[0]["value"][1] == "1", "Prometheus scrapes the daemon", str(up))
        for title, expression in expressions:
            concrete = expression.replace("$__rate_interval", RATE_INTERVAL)
            result = query(base, concrete)
            finite = [r for r in (result or []) if not math.isnan(float(r["value"][1]))]
            checks.expect(bool(finite), f"'{title}': {concrete}", "no data" if result is not None else "query refused")
        # The traffic shows up, not only zero series: dead letters, relayed commands, ESM calls.
        for what, expression in [
            ("malformed telemetry is counted as dead letters", f'sum(rate(tradingd_ingest_dead_lettered_total{{reason="malformed"}}[{RATE_INTERVAL}]))'),
            ("relayed commands are counted", f'sum(rate(tradingd_relay_commands_total{{outcome="relayed"}}[{RATE_INTERVAL}]))'),
            ("ESM calls are timed", f"sum(rate(tradingd_esm_request_duration_seconds_count[{RATE_INTERVAL}]))"),
        ]:
            result = query(base, expression)
            checks.expect(bool(result) and float(result[0]["value"][1]) > 0, what, str(result))
        _, body = http(base + "/api/v1/rules")
        rules = [rule for group in json.loads(body)["data"]["groups"] for rule in group["rules"]]
        checks.expect(len(rules) == 6, "the six alert rules are loaded", f"{len(rules)}")
        for rule in rules:
            checks.expect(rule.get("health") == "ok", f"alert {rule['name']} evaluates", rule.get("lastError", ""))
    finally:
        if process:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
