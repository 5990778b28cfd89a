"""The end-of-scenario checks: nothing lost, nothing duplicated, each against an independent
computation from what was published."""
import collections
import json
import os
import subprocess
import sys

from harness import ROOT, log, wait_until
from traffic import drain


class Failure(AssertionError):
    """A check that failed for good (wait_until stops at once)."""


def settle(run, samples, commands, timeout):
    """Waits until every published sample is stored and every command is relayed, acknowledged as
    EXECUTED and its events published; returns seconds waited."""
    import time
    started = time.monotonic()

    def done():
        stored = run.query("SELECT count(*) FROM telemetry_samples")[0][0]
        states = dict(run.query("SELECT status || '/' || coalesce(ack_status, '-'), count(*) FROM command_log GROUP BY 1"))
        unpublished = run.query("SELECT count(*) FROM command_events WHERE published_at IS NULL")[0][0]
        settle.progress = (stored, states, unpublished)
        letters = {q: run.queue_depth(f"{run.prefix}.{q}.dlq") for q in ("telemetry", "commands", "command-acks")}
        if any(letters.values()):  # valid data was refused: waiting longer cannot bring it back
            raise Failure(f"valid messages were dead-lettered: {letters}; last seen {settle.progress}")
        return stored >= samples and states.get("RELAYED/EXECUTED", 0) == commands and unpublished == 0

    try:
        wait_until("every sample stored and every command relayed, executed and its events published", done, timeout, 1.0)
    except AssertionError as error:
        raise AssertionError(f"{error}; last seen (samples, commands, unpublished events): {getattr(settle, 'progress', None)}")
    return time.monotonic() - started


def aggregates(run, dumps):
    """Every 1-minute aggregate against bench/ingest/verify.py's computation from the dumps."""
    combined = os.path.join(run.work, "published.dump")
    with open(combined, "w") as out:
        for path in dumps:
            with open(path) as dump:
                out.write(dump.read())
    answer = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "ingest", "verify.py"), "--database",
                             run.env["TRADINGD_DATABASE_URL"], "--dump", combined], capture_output=True, text=True)
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    stored = run.query("SELECT count(*) FROM telemetry_samples")[0][0]
    result["samples_stored"] = stored
    assert answer.returncode == 0 and result["mismatches"] == 0, f"aggregates differ: {result}"
    assert stored == result["samples_unique"], f"raw samples stored {stored} != published {result['samples_unique']}"
    return result


def commands(run, message_ids, max_reposts):
    """Each published command recorded once, relayed and acknowledged; the ESM saw each command's
    idempotency key (the command's own id), under its messageId, executed it once, and at most
    `max_reposts` keys arrived more than once (a call in flight when its relay died, or whose
    answer could not be recorded)."""
    rows = run.query("SELECT id::text, message_id, status, ack_status FROM command_log")
    recorded = collections.Counter(row[1] for row in rows)
    assert set(recorded) == set(message_ids), \
        f"commands recorded {len(recorded)}, published {len(message_ids)}, missing {len(set(message_ids) - set(recorded))}"
    twice = [message for message, count in recorded.items() if count > 1]
    assert not twice, f"{len(twice)} messageIds recorded more than once"
    assert all(row[2] == "RELAYED" and row[3] == "EXECUTED" for row in rows), "a command is not RELAYED/EXECUTED"
    seen = run.esm_commands()  # idempotency key -> what the ESM received
    keys = {row[0]: row[1] for row in rows}
    missing = set(keys) - set(seen)
    unexpected = set(seen) - set(keys)
    assert not missing and not unexpected, f"ESM keys: {len(missing)} missing, {len(unexpected)} unexpected"
    assert all(seen[key]["messageId"] == message for key, message in keys.items()), "a key arrived with another messageId"
    executed = collections.Counter(entry["executed"] for entry in seen.values())
    assert set(executed) == {1}, f"executions per key: {dict(executed)}"
    received = collections.Counter(entry["received"] for entry in seen.values())
    reposted = sum(count for times, count in received.items() if times > 1)
    assert reposted <= max_reposts, f"{reposted} commands reached the ESM more than once (bound {max_reposts}): {dict(received)}"
    return {"commands": len(message_ids), "esm_received_per_key": dict(sorted(received.items())),
            "esm_executed_per_key": dict(executed), "reposted": reposted}


def events(run, max_redelivered):
    """Per command: revisions 1..n once each, no status recorded twice in a row, the last one
    RELAYED/EXECUTED, each published; the partner's P.events queue got every (command, revision),
    a few more than once at most (an event published just before a crash, then again)."""
    rows = run.query("SELECT command_id::text, (body->>'revision')::int, body->>'status', body->>'ackStatus', "
                     "published_at IS NOT NULL FROM command_events ORDER BY command_id, id")
    by_command = collections.defaultdict(list)
    for command, revision, status, ack, published in rows:
        by_command[command].append((revision, status, ack, published))
    for command, history in by_command.items():
        revisions = [entry[0] for entry in history]
        assert revisions == list(range(1, len(history) + 1)), f"command {command}: revisions {revisions}"
        states = [(entry[1], entry[2]) for entry in history]
        assert all(a != b for a, b in zip(states, states[1:])), f"command {command}: a state recorded twice: {states}"
        assert states[-1] == ("RELAYED", "EXECUTED"), f"command {command}: ends in {states[-1]}"
        assert all(entry[3] for entry in history), f"command {command}: an event not published"
    received = collections.Counter()
    for body in drain(run.partner_amqp_url, f"{run.prefix}.events"):
        event = json.loads(body)
        received[(event["commandId"], event["revision"])] += 1
    recorded = {(command, entry[0]) for command, history in by_command.items() for entry in history}
    missing = recorded - set(received)
    assert not missing, f"{len(missing)} recorded events never reached {run.prefix}.events"
    assert set(received) <= recorded, "events on the queue that were never recorded"
    redelivered = sum(count - 1 for count in received.values())
    assert redelivered <= max_redelivered, f"{redelivered} events published more than once (bound {max_redelivered})"
    return {"events": len(rows), "events_delivered_twice": redelivered}


def dead_letters(run):
    """Nothing valid may end in a dead-letter queue."""
    depths = {queue: run.queue_depth(f"{run.prefix}.{queue}.dlq") for queue in ("telemetry", "commands", "command-acks")}
    assert not any(depths.values()), f"dead letters: {depths}"
    return depths


def report(name, figures):
    log(f"{name}: " + json.dumps(figures, default=repr))
    return figures
