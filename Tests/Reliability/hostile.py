"""Hostile clients against a real tradingd while a normal client measures its latency in the same
run: slow-loris, a connection flood, oversized heads and bodies, pipelining floods; then SQL
injection strings in every string parameter and body field of every operation of /openapi.json
(the router's own routes: RouteCoverageTests keeps the two equal)."""
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import selectors
import socket
import subprocess
import threading
import time
import urllib.parse

from harness import Run, log
from harness import http as fetch

SLEEP_S = 5  # what the pg_sleep injection asks for: an answer that slow, every time, means it ran
INJECTIONS = ["' OR '1'='1", "'; DROP TABLE plants; --", "\" OR \"\"=\"", f"1; SELECT pg_sleep({SLEEP_S})--", "') OR ('a'='a",
              "$$; DELETE FROM organizations; $$", "\\'; TRUNCATE command_log; --", "%27%20OR%201%3D1",
              "1 UNION SELECT token_hash FROM api_tokens--", "\u0000' OR 1=1", "x'::uuid OR true--", "🙂' OR ''='"]


def normal_client(host, port, path, token, phase, samples, errors, stop):
    """One keep-alive client reading telemetry/latest in a loop, in a process of its own (the
    attackers' threads share the test's interpreter lock, which would count as server latency)."""
    connection = None
    while not stop.is_set():
        started = time.monotonic()
        current = phase.value
        try:
            if connection is None:
                connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            answer = connection.getresponse()
            answer.read()
            if answer.status not in (200, 404):
                errors.append((current, answer.status))
            samples.append((current, time.monotonic() - started))
        except Exception as error:
            errors.append((current, repr(error)))
            connection = None
        time.sleep(0.02)


class NormalClient:
    PHASES = ["baseline", "attack", "after"]

    def __init__(self, run, replica, plant):
        host, port = urllib.parse.urlsplit(replica.url).netloc.split(":")
        self.manager = multiprocessing.Manager()
        self._samples, self._errors = self.manager.list(), self.manager.list()
        self._phase = self.manager.Value("i", 0)
        self.stop_flag = self.manager.Event()
        self.process = multiprocessing.Process(target=normal_client, daemon=True, args=(
            host, int(port), f"/api/v1/trading/plants/{plant}/telemetry/latest", run.token, self._phase, self._samples,
            self._errors, self.stop_flag))

    def start(self):
        self.process.start()

    def join(self, timeout):
        self.process.join(timeout)
        self.samples = [(self.PHASES[p], latency) for p, latency in self._samples]
        self.errors = [(self.PHASES[p], e) for p, e in self._errors]
        self.manager.shutdown()

    @property
    def phase(self):
        return self.PHASES[self._phase.value]

    @phase.setter
    def phase(self, name):
        self._phase.value = self.PHASES.index(name)

    def p99(self, phase):
        values = sorted(latency for which, latency in self.samples if which == phase)
        return (values[min(len(values) - 1, int(len(values) * 0.99))] if values else None), len(values)


def slow_loris(address, count, interval, until, stats):
    """`count` connections, each sending one byte of a request head every `interval` s; one the
    server closed (header timeout) is opened again."""
    selector = selectors.DefaultSelector()
    head = b"GET /api/v1/trading/config HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000

    def open_one():
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(address)
        selector.register(s, selectors.EVENT_READ, [0, time.monotonic() + random.uniform(0, interval)])
        stats["opened"] += 1

    for _ in range(count):
        open_one()
    while time.monotonic() < until:
        now = time.monotonic()
        for key in list(selector.get_map().values()):
            state = key.data
            if now >= state[1]:
                try:
                    key.fileobj.send(head[state[0]:state[0] + 1])
                    state[0] += 1
                    stats["bytes"] += 1
                except OSError:
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    stats["closed_by_server"] += 1
                    open_one()
                    continue
                state[1] = now + interval
        for key, _ in selector.select(timeout=0.2):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data or data:
                if data:
                    stats["answers"] += 1
                    stats.setdefault("statuses", set()).add(data.split(b" ", 2)[1].decode(errors="replace") if b" " in data else "?")
                selector.unregister(key.fileobj)
                key.fileobj.close()
                stats["closed_by_server"] += 1
                open_one()
    for key in list(selector.get_map().values()):
        key.fileobj.close()


def connection_flood(address, until, stats):
    """New connections as fast as one thread can open them, each closed at once or after a partial head."""
    while time.monotonic() < until:
        try:
            s = socket.create_connection(address, timeout=2)
            if stats["flood"] % 2:
                s.send(b"GET /he")
            s.close()
            stats["flood"] += 1
        except OSError:
            stats["flood_refused"] += 1


def raw_exchange(address, payload, read_until_close=True, timeout=10):
    s = socket.create_connection(address, timeout=timeout)
    try:
        s.sendall(payload)
    except OSError:
        pass  # the server may answer and close before taking the whole body
    chunks = []
    try:
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
            if not read_until_close:
                break
    except OSError:
        pass
    s.close()
    return b"".join(chunks)


def oversized_and_pipelined(address, until, stats, responses, max_body):
    """Heads over the limit (431), bodies over the daemon's `max_body` (413: declared by
    Content-Length, or reached chunk by chunk), and 500 requests pipelined on one connection
    (each answered, in order)."""
    big_head = b"GET /api/v1/trading/config HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20_000 + b"\r\n\r\n"
    many_headers = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\n"
    big_body = (b"POST /api/v1/trading/config HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (10 * max_body)) + b"{" * 200_000
    chunked_big = b"POST /api/v1/trading/config HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + \
        (b"FFFF\r\n" + b"x" * 0xFFFF + b"\r\n") * (max_body // 0xFFFF + 2)
    pipelined = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 500
    while time.monotonic() < until:
        for name, payload, expect in [("big_head", big_head, b" 431 "), ("many_headers", many_headers, b" 431 "),
                                      ("big_body", big_body, b" 413 "), ("chunked_big", chunked_big, b" 413 ")]:
            answer = raw_exchange(address, payload)
            responses.append(answer)
            stats[name] += 1
            if expect not in answer.split(b"\r\n", 1)[0] + b" ":
                stats["wrong"].append((name, answer[:120]))
        answer = raw_exchange(address, pipelined + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answered = answer.count(b"HTTP/1.1 200")
        stats["pipelined_answers"] += answered
        if answered != 501:
            stats["wrong"].append(("pipelined", f"{answered} of 501 answered"))


ATTACKER_NICENESS = 10


def attackers(address, seconds, loris, max_body, results):
    """The three attacks at once, in a process of its own at a lower CPU priority: on the two shared
    cores of a test machine the attackers would otherwise take the CPU the server needs, which
    remote attackers cannot. Puts (stats, responses) on `results`."""
    os.nice(ATTACKER_NICENESS)
    until = time.monotonic() + seconds
    stats = {"opened": 0, "bytes": 0, "closed_by_server": 0, "answers": 0, "flood": 0, "flood_refused": 0, "big_head": 0,
             "many_headers": 0, "big_body": 0, "chunked_big": 0, "pipelined_answers": 0, "wrong": []}
    responses = []
    threads = [threading.Thread(target=slow_loris, args=(address, loris, 3.0, until, stats), daemon=True),
               threading.Thread(target=connection_flood, args=(address, until, stats), daemon=True),
               threading.Thread(target=oversized_and_pipelined, args=(address, until, stats, responses, max_body), daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    results.put((stats, responses))


def max_body_bytes(run):
    """The request body limit the daemon runs with (`tradingd check-config`)."""
    shown = run.tradingd("check-config")
    return int(re.search(r"TRADINGD_HTTP_MAX_BODY_BYTES = (\d+)", shown).group(1))


def http_attacks(run, seconds=40, baseline_seconds=10, loris=1000, limit_s=None):
    """Returns the figures; raises when the normal client failed or its p99 broke the limit."""
    replica = run.replicas[0]
    host, port = urllib.parse.urlsplit(replica.url).netloc.split(":")
    address = (host, int(port))
    client = NormalClient(run, replica, run.plants[0])
    client.start()
    time.sleep(baseline_seconds)
    client.phase = "attack"
    results = multiprocessing.Queue()
    attack_process = multiprocessing.Process(target=attackers, args=(address, seconds, loris, max_body_bytes(run), results),
                                             daemon=True)
    attack_process.start()
    stats, responses = results.get(timeout=seconds + 120)
    attack_process.join(30)
    client.phase = "after"
    time.sleep(2)
    client.stop_flag.set()
    client.join(15)
    baseline, baseline_n = client.p99("baseline")
    attack, attack_n = client.p99("attack")
    # Generous on purpose (2 shared cores, the attackers on the same ones, if at a lower priority):
    # a correctness bound, saying the normal client was served throughout, not a benchmark.
    limit = limit_s or max(1.0, 20 * (baseline or 0.01))
    figures = {"baseline_p99_ms": round(1000 * (baseline or 0), 1), "baseline_requests": baseline_n,
               "attack_p99_ms": round(1000 * (attack or 0), 1), "attack_requests": attack_n, "limit_ms": round(1000 * limit),
               "normal_client_errors": len(client.errors), "slow_loris_connections": loris,
               "slow_loris_opened": stats["opened"], "slow_loris_bytes": stats["bytes"],
               "slow_loris_closed_by_server": stats["closed_by_server"],
               "slow_loris_answer_statuses": sorted(stats.get("statuses", [])),
               "flood_connections": stats["flood"], "flood_refused": stats["flood_refused"],
               "oversized_heads": stats["big_head"] + stats["many_headers"], "oversized_bodies": stats["big_body"] + stats["chunked_big"],
               "pipelined_answers": stats["pipelined_answers"], "wrong_answers": stats["wrong"][:5]}
    log("hostile http: " + json.dumps(figures, default=repr))
    assert not client.errors, f"the normal client failed: {client.errors[:5]}"
    assert attack_n > 0 and attack is not None and attack <= limit, f"normal client p99 {attack} s over the limit {limit} s"
    assert not stats["wrong"], f"wrong answers to hostile requests: {stats['wrong'][:5]}"
    assert replica.running and fetch("GET", replica.url + "/healthz")[0] == 200
    return figures, responses


def resolve(document, node):
    """`node` with its `$ref` followed (to components/schemas, parameters, requestBodies)."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def fill(document, schema, value):
    """A body for `schema` with `value` in every string field (nested objects and arrays too)."""
    schema = resolve(document, schema) or {}
    body = {}
    for name, prop in schema.get("properties", {}).items():
        prop = resolve(document, prop)
        kinds = prop.get("type", "string")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "object" in kinds and prop.get("properties"):
            body[name] = fill(document, prop, value)
        elif "array" in kinds:
            item = resolve(document, prop.get("items", {}))
            body[name] = [fill(document, item, value)] if item.get("properties") else [value]
        else:
            body[name] = value
    return body


def string_paths(example, prefix=()):
    """Where an example body holds strings: key paths, nested objects and arrays included."""
    if isinstance(example, str):
        yield prefix
    elif isinstance(example, dict):
        for key, item in example.items():
            yield from string_paths(item, prefix + (key,))
    elif isinstance(example, list):
        for index, item in enumerate(example):
            yield from string_paths(item, prefix + (index,))


def replaced(example, path, value):
    copy = json.loads(json.dumps(example))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def bodies(document, operation, value, own_url, current=None):
    """(label, body) to send: every string field at once; then a valid body with one string field
    at a time replaced, so that the others pass validation and the value travels as far as it can.
    The valid body is `current` (what a GET of the same path answered, for a resource whose GET body
    can be posted back) or the operation's example, its URLs pointing at the run's own ESM (a public
    name would be resolved by the URL guard)."""
    content = (resolve(document, operation.get("requestBody")) or {}).get("content", {}).get("application/json")
    if not content:
        return []
    schema = resolve(document, content.get("schema"))
    out = [("every field", fill(document, schema, value))]
    example = current if isinstance(current, dict) else content.get("example", (schema or {}).get("example"))
    if isinstance(example, dict):
        example = {k: (own_url if isinstance(v, str) and v.startswith(("http://", "https://")) else v) for k, v in example.items()}
        out += [(".".join(map(str, path)), replaced(example, path, value)) for path in string_paths(example)]
    return out


def sql_injection(run, victim_snapshot, recorded, vend_token, customer_events):
    """Every operation of /openapi.json × every path and query parameter and every string body
    field × INJECTIONS, each with the credential its security scheme names (an admin token of the
    attacking organisation, `run`, its vend agent's api_token, its customer-events API key or the
    auth token bought with it), against a plant of its own where
    a path names one. No 5xx (bar an ESM answer passed on), nothing of the victim changed, and the
    pg_sleep injection never sleeps."""
    replica = run.replicas[0]
    status, _, body = fetch("GET", replica.url + "/openapi.json")
    document = json.loads(body)
    # Each security scheme of the document: (bearer token, extra headers).
    api_key, customer_events_token = customer_events
    credentials = {"tradingBearer": (run.token, {}), "purchaseBearer": (run.token, {}), "vendApiToken": (vend_token, {}),
                   "statusSession": (None, {"Cookie": f"tradingd_token={run.token}"}), "loyaltyBearer": (run.token, {}),
                   "customerEventApiKey": (None, {"api_key": api_key}), "customerEventToken": (customer_events_token, {})}
    requests = retried = 0
    slow = []
    statuses = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            schemes = [name for requirement in operation.get("security", document.get("security", [])) for name in requirement]
            unknown = [name for name in schemes if name not in credentials]
            assert not unknown, f"{method.upper()} {path}: no credential for the security scheme {unknown} (add one)"
            token, headers = credentials[schemes[0]] if schemes else (None, {})
            parameters = [resolve(document, p) for p in operations.get("parameters", []) + operation.get("parameters", [])]
            current = None
            if method != "get" and "get" in operations:
                got, _, answer = fetch("GET", replica.url + re.sub(r"\{[^}]+\}", run.plants[0], path), token=token,
                                       headers=headers)
                with contextlib.suppress(ValueError):
                    current = json.loads(answer) if got == 200 else None
            for value in INJECTIONS:
                attempts = [(f"path {p['name']}", p["name"], None, None) for p in parameters if p.get("in") == "path"] + \
                           [(f"query {p['name']}", None, p["name"], None) for p in parameters if p.get("in") == "query"] + \
                           [(f"body {label}", None, None, payload) for label, payload in bodies(document, operation, value, run.esm_url, current)]
                if value == INJECTIONS[0]:
                    attempts.append(("nothing", None, None, None))
                for label, path_name, query_name, payload in attempts:
                    url_path = path.replace("{" + path_name + "}", urllib.parse.quote(value, safe="")) if path_name else path
                    url_path = re.sub(r"\{[^}]+\}", run.plants[0], url_path)
                    query = "?" + urllib.parse.urlencode({query_name: value}) if query_name else ""
                    # An answer slower than the injected sleep is tried twice more: a sleep that ran
                    # is slow every time, a loaded machine seldom three times in a row.
                    for attempt in range(3):
                        started = time.monotonic()
                        status, _, answer = fetch(method.upper(), replica.url + url_path + query, payload, token, headers,
                                                  timeout=30)
                        requests += 1
                        if time.monotonic() - started < SLEEP_S:
                            break
                        retried += 1
                    else:
                        slow.append(f"{method.upper()} {path} ({label})")
                    statuses[status] = statuses.get(status, 0) + 1
                    recorded.append(answer)
                    assert status < 500 or status in (502, 503) and b"ESM" in answer, \
                        f"{method.upper()} {url_path}{query} ({label}) answered {status}: {answer[:200]!r}"
    assert victim_snapshot() == victim_snapshot.initial, "an injection changed the other organisation's data"
    assert not slow, f"requests took {SLEEP_S} s or more three times (pg_sleep reached the database?): {slow}"
    return {"injection_requests": requests, "injection_statuses": dict(sorted(statuses.items())),
            "answers_slower_than_the_sleep_tried_again": retried, "slow_every_time": len(slow)}


def vend_agent_token(run):
    """An agent of the attacking organisation logged in to the vend API: its api_token."""
    email, password = f"agent@{run.prefix}.example", "pw-" + secrets.token_hex(12)
    run.extra_tokens.append(password)
    subprocess.run([os.path.join(run.bin, "tradingd"), "vend", "user", "create", "--org", run.prefix, "--email", email,
                    "--name", "Reliability agent"], env=dict(run.env, TRADINGD_VEND_PASSWORD=password), check=True,
                   capture_output=True)
    # Not recorded for the secret scan: the token is the answer's purpose.
    status, _, answer = fetch("POST", run.replicas[0].url + "/api/auth/login", {"email": email, "password": password})
    assert status == 200, (status, answer[:200])
    token = json.loads(answer)["api_token"]
    run.extra_tokens.append(token)
    return token


def customer_events_credentials(run):
    """An API key of the attacking organisation (seed 003) and an auth token bought with it."""
    key = run.tradingd("customer-events", "key", "create", "--org", run.prefix, "--label", "reliability").strip().splitlines()[-1]
    run.extra_tokens.append(key)
    # Not recorded for the secret scan: the token is the answer's purpose.
    status, _, answer = fetch("POST", run.replicas[0].url + "/customer_events/token", headers={"api_key": key})
    assert status == 201, (status, answer[:200])
    token = json.loads(answer)["token"]
    run.extra_tokens.append(token)
    return key, token


def scenario(servers, seconds, loris, baseline_seconds=10):
    """An attacking organisation (the run's own) and a victim organisation with a plant of its own."""
    run = Run(servers, "hostile", plants=3).setup()
    try:
        generator = run.telemetry(30, 1, "2026-01-01T00:00:00Z", seed=5, dump=f"{run.work}/hostile.dump")
        generator.popen.wait(60)
        victim = run.tradingd("org", "create", "--slug", run.prefix + "-victim", "--name", "Victim")
        victim_id = run.query("SELECT id::text FROM organizations WHERE slug = %s", (run.prefix + "-victim",))[0][0]
        run.query("INSERT INTO plants (organization_id, name) VALUES (%s, 'victim plant') RETURNING id", (victim_id,))
        run.extra_tokens.append(run.tradingd("token", "create", "--org", run.prefix + "-victim", "--role", "admin",
                                             "--scopes", "trading").strip().splitlines()[-1])
        tables = run.query("SELECT table_name, string_agg(column_name, ',') FROM information_schema.columns "
                           "WHERE table_schema = 'public' AND column_name IN ('organization_id', 'plant_id') "
                           "AND table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public') "
                           "AND table_name <> 'api_tokens' GROUP BY 1 ORDER BY 1")

        def snapshot():
            digest = []
            for table, columns in tables:
                where = "organization_id = %s" if "organization_id" in columns else \
                    "plant_id IN (SELECT id FROM plants WHERE organization_id = %s)"
                digest.append(run.query(f'SELECT count(*), md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM "{table}" t WHERE {where}',
                                        (victim_id,))[0])
            digest.append(run.query("SELECT count(*) FROM organizations")[0])
            return digest

        snapshot.initial = snapshot()
        assert victim and snapshot.initial
        figures, responses = http_attacks(run, seconds=seconds, baseline_seconds=baseline_seconds, loris=loris)
        run.record(*responses)
        recorded = []
        figures.update(sql_injection(run, snapshot, recorded, vend_agent_token(run), customer_events_credentials(run)))
        run.record(*recorded)
        return figures
    finally:
        run.close()
