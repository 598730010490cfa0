"""CPU time and resident memory of server processes, read from /proc (Linux; no psutil needed)."""

from __future__ import annotations

import os
from collections.abc import Iterable

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time of the processes so far (all their threads), in seconds; resolution
    1/SC_CLK_TCK (10 ms on most systems), so time many clicks, not one."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return total / _TICKS


def rss_bytes(pids: Iterable[int]) -> int:
    """Resident memory of the processes now, in bytes (/proc/<pid>/statm, second field)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/statm") as f:
            total += int(f.read().split()[1]) * _PAGE
    return total
