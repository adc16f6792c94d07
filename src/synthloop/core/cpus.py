"""How many CPUs this process may really use.

``os.cpu_count()`` is the machine's count. A container started with ``--cpus=2`` on a
64-core host, or a process pinned to two cores, sees 64 there but gets 2, and llama.cpp's
threads busy-wait at every step: 64 of them on 2 cores crawl. So the embedded engine sizes
its threads from the affinity mask, capped by a cgroup CPU quota.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def cgroup_quota(root: Path = CGROUP) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (``2.5``), or None when unlimited or
    unknown: cgroup v2's ``cpu.max`` ("200000 100000"; "max 100000" is no limit), else v1's
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (a quota of -1 is no limit)."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def usable_cpus(root: Path = CGROUP) -> int:
    """The CPUs this process may run on (its affinity mask, where the OS has one), no more
    than its cgroup's quota rounded up; at least 1."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        n = os.cpu_count() or 1
    quota = cgroup_quota(root)
    if quota is not None:
        n = min(n, math.ceil(quota))
    return max(1, n)
