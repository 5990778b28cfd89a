"""Checks every 1-minute aggregate in the database against an independent computation from the
data telemetry-gen published (its --dump file): the first occurrence of each (plant, time) counts.

usage: verify.py --database URL --dump FILE
Prints one JSON line (minutes compared, mismatches) and exits 1 on any mismatch.
"""
import argparse
import datetime
import json
import sys

import psycopg2

FIELDS = ["consumption", "fve_power", "fve_reg", "grid_power", "invertor_power", "soc"]


def micros(text):
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    delta = moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--dump", required=True)
    args = parser.parse_args()

    seen = set()
    expected = {}
    with open(args.dump) as dump:
        for line in dump:
            if not line.startswith("T "):
                continue
            sample = json.loads(line[2:])
            t = micros(sample["time"])
            key = (sample["plant_id"], t)
            if key in seen:
                continue
            seen.add(key)
            minute = t - t % 60_000_000
            row = expected.setdefault((sample["plant_id"], minute), {"n": 0, **{f: [0, 0.0, None, None, None, None] for f in FIELDS}})
            row["n"] += 1
            for f in FIELDS:
                v = sample.get(f)
                if v is None:
                    continue
                agg = row[f]
                agg[0] += 1
                agg[1] += v
                agg[2] = v if agg[2] is None else min(agg[2], v)
                agg[3] = v if agg[3] is None else max(agg[3], v)
                if agg[5] is None or t > agg[5]:
                    agg[4], agg[5] = v, t

    db = psycopg2.connect(args.database)
    cur = db.cursor()
    columns = ["plant_id::text", "(extract(epoch FROM minute) * 1000000)::bigint", "sample_count"]
    for f in FIELDS:
        columns += [f"{f}_count", f"{f}_sum", f"{f}_min", f"{f}_max", f"{f}_last",
                    f"(extract(epoch FROM {f}_last_time) * 1000000)::bigint"]
    cur.execute(f"SELECT {', '.join(columns)} FROM telemetry_minutes")
    mismatches = 0
    stored = 0
    for row in cur:
        stored += 1
        want = expected.get((row[0], row[1]))
        if want is None or want["n"] != row[2]:
            mismatches += 1
            continue
        for i, f in enumerate(FIELDS):
            got = row[3 + 6 * i: 9 + 6 * i]
            agg = want[f]
            if got[0] != agg[0] or not close(got[1], agg[1]) or not close(got[2], agg[2]) or not close(got[3], agg[3]) \
                    or not close(got[4], agg[4]) or got[5] != agg[5]:
                mismatches += 1
                break
    mismatches += abs(len(expected) - stored) if stored != len(expected) else 0
    print(json.dumps({"minutes_expected": len(expected), "minutes_stored": stored, "samples_unique": len(seen),
                      "mismatches": mismatches}))
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
