"""Run a command; print its seconds and the peak memory (KiB) of the largest process it started.

The command runs in a session of its own, and every process of that session is watched until
the last one has ended: a build's detached writer of its model (memoria.patch), which outlives
the build, counts too. The seconds are the command's own, until it exits.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time


def members(session: int) -> list[str]:
    """The processes of a session (/proc/PID/stat's sixth field)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session:
                found.append(name)
    return found


def high_water(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("VmHWM")), 0)
    except OSError:
        return 0


def main() -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, start_new_session=True)
    ended: list[float] = []
    waiter = threading.Thread(target=lambda: (proc.wait(), ended.append(time.perf_counter() - start)))
    waiter.start()
    peak = 0
    while True:
        alive = members(proc.pid)
        peak = max([peak, *(high_water(pid) for pid in alive)])
        if ended and not [pid for pid in alive if pid != str(proc.pid)]:
            break
        time.sleep(0.1)
    waiter.join()
    if proc.returncode:
        sys.exit(proc.returncode)
    peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"{ended[0]:.3f} {peak}")


if __name__ == "__main__":
    main()
