"""CPU seconds per group of processes, and the machine's idle share, between two snapshots (from
/proc): on two shared cores, what bounds a rate is whoever had the CPU, so the soak and the
throughput runs record it beside their figures."""
import glob
import os
import time

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    """(ppid, utime + stime, cutime + cstime) in seconds, or None once the process is gone. A
    zombie still has its figures: wait for a child with `exited` before reaping it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()  # fields from the state on (the name may hold spaces)
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, (int(fields[13]) + int(fields[14])) / TICKS


def children(pid):
    found = []
    for path in glob.glob("/proc/[0-9]*/stat"):
        pid_text = path.split("/")[2]
        stat = _stat(pid_text)
        if stat and stat[0] == pid:
            found.append(int(pid_text))
    return found


def pid_in(path):
    try:
        with open(path) as file:
            return int(file.readline().strip())
    except (OSError, ValueError):
        return None


def postgres(servers_dir):
    """The postmaster with every backend: its own time, its reaped children's (backends that
    ended) and its live children's."""
    postmaster = pid_in(os.path.join(os.path.realpath(os.path.join(servers_dir, "postgres")), "data", "postmaster.pid"))
    return [(postmaster, True)] + [(child, False) for child in children(postmaster)] if postmaster else []


def beam(pid_file):
    """A RabbitMQ node: the Erlang VM whose pid its pid file holds."""
    pid = pid_in(pid_file)
    return [(pid, True)] if pid else []


def exited(process):
    """Waits for a child to end without reaping it, so that its CPU time can still be read."""
    os.waitid(os.P_PID, process.popen.pid, os.WEXITED | os.WNOWAIT)


def machine():
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return sum(values), values[3] + values[4]   # all ticks, idle + iowait ticks


class CPUMeter:
    """`groups`: name -> a function giving [(pid, with_reaped_children)] at the moment of the
    snapshot, so that processes started between two snapshots count from their start."""

    def __init__(self, groups):
        self.groups = groups

    def snapshot(self):
        seconds = {}
        for name, pids in self.groups.items():
            total = 0.0
            for pid, with_children in pids():
                stat = _stat(pid)
                if stat:
                    total += stat[1] + (stat[2] if with_children else 0)
            seconds[name] = total
        return {"at": time.monotonic(), "cpu": seconds, "machine": machine()}

    @staticmethod
    def between(before, after):
        """CPU seconds per group, their sum over the wall time (cores' worth), the idle share."""
        ticks = after["machine"][0] - before["machine"][0]
        idle = after["machine"][1] - before["machine"][1]
        wall = after["at"] - before["at"]
        cpu = {name: round(after["cpu"][name] - before["cpu"].get(name, 0.0), 1) for name in after["cpu"]}
        return {"wall_s": round(wall, 1), "cpu_s": cpu,
                "cores_used": {name: round(value / wall, 2) for name, value in cpu.items()} if wall > 0 else {},
                "machine_idle_share": round(idle / ticks, 3) if ticks else None,
                "load1": float(open("/proc/loadavg").read().split()[0])}
