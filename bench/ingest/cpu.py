#!/usr/bin/env python3
"""CPU use during a bench scenario, by process: runs until SIGTERM, then prints one line,
e.g. "consumer 38%, broker 52%, PostgreSQL 57%, machine 160%" (percent of one core; the machine
figure is every core's busy time, so on 2 cores at most 200%). Reads /proc only."""
import os
import signal
import sys
import time

CONSUMER = sys.argv[1] if len(sys.argv) > 1 else "ingest-bench"
GROUPS = {CONSUMER: "consumer", "beam.smp": "broker", "postgres": "PostgreSQL"}
TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """pid -> (name, user + system ticks so far)."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        found[pid] = (name, int(fields[11]) + int(fields[12]))
    return found


def machine():
    values = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(values) - values[3] - values[4], sum(values)


ticks = {group: 0 for group in GROUPS.values()}
previous, started, machine_start = processes(), time.time(), machine()


def report(*_):
    elapsed = time.time() - started
    busy, total = machine()
    parts = [f"{group} {round(100 * value / TICKS / elapsed)}%" for group, value in ticks.items()]
    share = (busy - machine_start[0]) / max(total - machine_start[1], 1)
    parts.append(f"machine {round(100 * share * os.cpu_count())}%")
    print(", ".join(parts), flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
while True:
    time.sleep(0.25)
    current = processes()
    for pid, (name, used) in current.items():
        group = GROUPS.get(name)
        if group:
            before = previous.get(pid)
            ticks[group] += used - before[1] if before else used  # a new process counts from its start
    previous = current
