"""Total CPU seconds (user + system) used so far by processes whose command line contains
PATTERN: run it before and after a load test to know how many cores the web tier used,
so requests per second can be stated per core. Workers that exited during the run are
counted through their parent.

    .venv/bin/python bench/load/cpu_seconds.py gunicorn
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cpu_seconds(pattern: str) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    me = str(os.getpid())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or proc.name == me:
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if pattern not in command or "cpu_seconds.py" in command:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        # utime and stime, plus cutime and cstime: the CPU of children already reaped
        # (gunicorn recycles a worker after max_requests; its time moves to the master).
        total += sum(int(value) for value in fields[11:15]) / ticks
    return total


if __name__ == "__main__":
    print(f"{cpu_seconds(sys.argv[1] if len(sys.argv) > 1 else 'gunicorn'):.2f}")
