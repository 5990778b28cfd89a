"""Turns telemetry-gen's --dump file into CSV rows of the raw telemetry table, for COPY (b)."""
import csv
import json
import sys

FIELDS = ["consumption", "fve_power", "fve_reg", "grid_power", "invertor_power", "soc"]
writer = csv.writer(sys.stdout)
for line in open(sys.argv[1]):
    if line.startswith("T "):
        s = json.loads(line[2:])
        writer.writerow([s["plant_id"], s["time"]] + ["" if s.get(f) is None else s[f] for f in FIELDS])
