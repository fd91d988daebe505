"""Latency percentiles and throughput: the figures every scenario prints."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

NAN = float("nan")


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of already sorted values, interpolated linearly between ranks."""
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds used during a measured window, and by whom."""

    server: float = NAN  # gunicorn's master and workers (with SQLite, the database work too)
    database: float = NAN  # the PostgreSQL backends serving the scratch database
    client: float = NAN  # this process: the load generator
    machine: float = NAN  # every core of the machine


@dataclass(frozen=True)
class Summary:
    """What one measured run did: counts, throughput, latencies in milliseconds and CPU used."""

    count: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    max: float
    cpu: CpuUse = field(default_factory=CpuUse)

    @property
    def rps(self) -> float:
        """Completed requests (errors included) per second of wall time."""
        return (self.count + self.errors) / self.seconds if self.seconds else 0.0

    def ms_per_request(self, cpu_seconds: float) -> float:
        """CPU milliseconds per request (errors included)."""
        done = self.count + self.errors
        return cpu_seconds * 1000 / done if done else NAN

    def cores(self, cpu_seconds: float) -> float:
        """Cores kept busy on average."""
        return cpu_seconds / self.seconds if self.seconds else NAN

    @property
    def other_cores(self) -> float:
        """Cores busy with anything but the server, its database and the client: other work."""
        known = sum(x for x in (self.cpu.server, self.cpu.database, self.cpu.client) if not math.isnan(x))
        return self.cores(max(self.cpu.machine - known, 0.0))


def summarise(latencies: Sequence[float], errors: int, seconds: float, cpu: CpuUse | None = None) -> Summary:
    """Summarise latencies given in seconds (successful requests only) as milliseconds."""
    ordered = sorted(x * 1000 for x in latencies)
    return Summary(
        count=len(ordered),
        errors=errors,
        seconds=seconds,
        p50=percentile(ordered, 50),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=ordered[-1] if ordered else NAN,
        cpu=cpu or CpuUse(),
    )


def machine_cpu_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU used by the server, its database, this process and the machine between start and stop."""

    def __init__(self, server: Callable[[], float], database: Callable[[], float]) -> None:
        self.probes = (server, database, time.process_time, machine_cpu_seconds)
        self.began = CpuUse()

    def _read(self) -> CpuUse:
        return CpuUse(*(probe() for probe in self.probes))

    def start(self) -> None:
        """Read the clocks."""
        self.began = self._read()

    def stop(self) -> CpuUse:
        """CPU seconds since `start()`."""
        now, began = self._read(), self.began
        return CpuUse(
            now.server - began.server,
            now.database - began.database,
            now.client - began.client,
            now.machine - began.machine,
        )
