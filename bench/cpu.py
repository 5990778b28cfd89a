#!/usr/bin/env python3
"""CPU use during a benchmark, by group of processes: runs until SIGTERM, then prints one line.

usage: bench/cpu.py [--json] [--interval SECONDS] LABEL=REGEX ...
       bench/cpu.py CONSUMER_NAME          (the ingest benchmark's groups, see below)

A process belongs to the first group whose REGEX matches "NAME CMDLINE" (NAME is the kernel's
comm, CMDLINE the arguments joined by spaces); e.g. `pg=postgres:.*tradingd_bench` picks the
PostgreSQL backends of one database (their process titles name it). Processes that start during
the run count from their start; processes that end lose at most one interval of their time.

Default output: "tradingd 38%, pg 52%, machine 160%" (percent of one core; the machine figure is
every core's busy time, so on 2 cores at most 200%). With --json: {"seconds": wall,
"cpu": {label: CPU seconds}, "machine_percent": n}, for CPU per unit of work.
Reads /proc only."""
import json
import os
import re
import signal
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")
args = sys.argv[1:]
as_json = "--json" in args
args = [a for a in args if a != "--json"]
interval = 0.1
if "--interval" in args:
    i = args.index("--interval")
    interval = float(args[i + 1])
    del args[i:i + 2]
if len(args) == 1 and "=" not in args[0]:
    # The ingest benchmark's groups: the consumer by name, the broker, PostgreSQL.
    groups = [("consumer", re.compile("^" + re.escape(args[0]) + " ")), ("broker", re.compile(r"^beam\.smp ")),
              ("PostgreSQL", re.compile(r"^postgres "))]
else:
    groups = [(label, re.compile(pattern)) for label, pattern in (a.split("=", 1) for a in args)]


labels = {}  # pid -> label (None: in no group), decided once a process has its final name


def label_of(pid):
    if pid in labels:
        return labels[pid]
    try:
        name = open(f"/proc/{pid}/comm").read().strip()
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None
    subject = f"{name} {cmdline}"
    label = next((label for label, pattern in groups if pattern.search(subject)), None)
    # A PostgreSQL backend names its database in its title only after it started: decide later.
    if label is not None or name != "postgres" or cmdline.startswith("postgres:"):
        labels[pid] = label
    return label


def processes():
    """pid -> (group label, user + system ticks so far), for the processes of some group."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        label = label_of(pid)
        if label is None:
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[pid] = (label, int(fields[11]) + int(fields[12]))
    return found


def machine():
    values = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(values) - values[3] - values[4], sum(values)


ticks = {label: 0 for label, _ in groups}
previous, started, machine_start = processes(), time.time(), machine()


def sample():
    global previous
    current = processes()
    for pid, (label, used) in current.items():
        before = previous.get(pid)
        ticks[label] += used - before[1] if before else used  # a new process counts from its start
    previous = current


def report(*_):
    sample()
    elapsed = time.time() - started
    busy, total = machine()
    share = (busy - machine_start[0]) / max(total - machine_start[1], 1)
    if as_json:
        print(json.dumps({"seconds": round(elapsed, 3), "cpu": {k: round(v / TICKS, 3) for k, v in ticks.items()},
                          "machine_percent": round(100 * share * os.cpu_count())}), flush=True)
    else:
        parts = [f"{label} {round(100 * value / TICKS / elapsed)}%" for label, value in ticks.items()]
        parts.append(f"machine {round(100 * share * os.cpu_count())}%")
        print(", ".join(parts), flush=True)
    os._exit(0)  # at once: an exit that unwinds through the interrupted sampling can hang


signal.signal(signal.SIGTERM, report)
print("ready", file=sys.stderr, flush=True)
while True:
    time.sleep(interval)
    sample()
