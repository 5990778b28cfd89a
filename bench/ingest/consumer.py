"""(c) A conventional Python consumer: pika + psycopg2, one statement per sample, one commit and one
multiple-ack per batch of up to 1,000 deliveries. It does the same database work as tradingd (the
same ingest function: raw row, minute aggregates, latest snapshot), one row per round trip.

usage: consumer.py --amqp URL --database URL --org UUID --queue Q --count SAMPLES
Prints one JSON line: samples, seconds (first delivery to last commit), per_second, peak_rss_mib.
"""
import argparse
import json
import resource
import time

import pika
import psycopg2

FIELDS = ["consumption", "fve_power", "fve_reg", "grid_power", "invertor_power", "soc"]
SQL = ("SELECT ingest_telemetry(%s::uuid[], %s::timestamptz[], %s::float8[], %s::float8[], "
       "%s::float8[], %s::float8[], %s::float8[], %s::float8[])")


def main():
    parser = argparse.ArgumentParser()
    for name in ["--amqp", "--database", "--org", "--queue"]:
        parser.add_argument(name, required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()

    db = psycopg2.connect(args.database)
    cur = db.cursor()
    cur.execute("SELECT id::text FROM plants WHERE organization_id = %s", (args.org,))
    plants = {row[0] for row in cur.fetchall()}
    db.commit()

    channel = pika.BlockingConnection(pika.URLParameters(args.amqp)).channel()
    channel.basic_qos(prefetch_count=1000)
    done = stored = 0
    first = last_commit = None
    batch = []

    def flush():
        nonlocal done, stored, last_commit
        for body in batch:
            decoded = json.loads(body)
            for sample in decoded if isinstance(decoded, list) else [decoded]:
                done += 1
                if sample.get("plant_id") not in plants:
                    continue
                cur.execute(SQL, ([sample["plant_id"]], [sample["time"]], *[[sample.get(f)] for f in FIELDS]))
                stored += cur.fetchone()[0]
        db.commit()
        last_commit = time.monotonic()

    for method, _, body in channel.consume(args.queue, inactivity_timeout=0.02):
        if method is not None:
            if first is None:
                first = time.monotonic()
            batch.append(body)
            last_tag = method.delivery_tag
            if len(batch) < 1000:
                continue
        if batch:
            flush()
            channel.basic_ack(last_tag, multiple=True)
            batch = []
        if done >= args.count:
            break
    seconds = last_commit - first
    print(json.dumps({"samples": stored, "seen": done, "seconds": seconds, "per_second": stored / seconds,
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
