"""What the benchmarks on the real stack share (bench/generation_latency.py, bench/modes.py):
quantiles and their one-line summary, waiting for jobs, the benchmark artist, and the
lines that say where, when and under what load a run happened.

Nothing here starts anything or imports Django at import time: a script puts the project
on sys.path, starts its throwaway servers (``import tests.servers``) and sets Django up
first, then imports from here.
"""

from __future__ import annotations

import os
import platform as stdlib_platform
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from jobs.models import Job


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(name: str, values_ms: Sequence[float]) -> str:
    return (
        f"{name}: n={len(values_ms)} median={statistics.median(values_ms):.1f} ms "
        f"p90={percentile(values_ms, 90):.1f} ms p99={percentile(values_ms, 99):.1f} ms "
        f"min={min(values_ms):.1f} ms max={max(values_ms):.1f} ms"
    )


def wait_terminal(job_id: int, timeout: float = 60) -> Job:
    """Job ``job_id`` once it has ended (succeeded, failed or canceled), read every 10 ms."""
    return wait_all_terminal([job_id], timeout)[0]


def wait_all_terminal(ids: Sequence[int], timeout: float = 60) -> list[Job]:
    """The jobs ``ids`` (in that order) once every one has ended."""
    from jobs.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = Job.objects.in_bulk(list(ids))
        if len(found) == len(ids) and all(job.is_terminal for job in found.values()):
            return [found[pk] for pk in ids]
        time.sleep(0.01)
    raise TimeoutError(list(ids))


def bench_artist(
    *, email: str = "bench@example.com", allowed_modes: list[str] | None = None
) -> User:
    """An artist who may generate: in a cohort of its own (quota 10,000 a day, the default
    rules otherwise, ``allowed_modes`` if given), the NDA published and accepted, and marked
    a benchmark account (``containment.services.benchmark_account_exempt``): a benchmark
    submits at machine pace on purpose, in its throwaway database only."""
    from django.utils import timezone

    from accounts.roles import Role
    from accounts.services import user_create
    from agreements.services import (
        agreement_accept,
        agreement_version_create,
        agreement_version_publish,
    )
    from cohorts.services import cohort_create
    from containment.services import benchmark_account_exempt

    cohort = cohort_create(
        actor=None, name="Bench", capacity=10, daily_generation_quota=10_000,
        allowed_modes=allowed_modes,
    )  # fmt: skip
    nda = agreement_version_create(
        actor=None, title="NDA", body="Terms.", effective_at=timezone.now()
    )
    agreement_version_publish(actor=None, version=nda)
    artist = user_create(email=email, password=None, role=Role.ARTIST, cohort=cohort)
    benchmark_account_exempt(user=artist)
    agreement_accept(user=artist, typed_full_name="Bench Artist", ip_address=None, user_agent="")
    return artist


def machine_line() -> str:
    return (
        f"machine: {stdlib_platform.node()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` shows them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def date_line(started: float, load_at_start: str) -> str:
    """When a run began (``started``: a ``time.time()``) and the machine's load then and now."""
    return (
        f"date: {datetime.fromtimestamp(started, UTC):%Y-%m-%d %H:%M} UTC, "
        f"{(time.time() - started) / 60:.1f} min; load average (1, 5, 15 min) at start "
        f"{load_at_start}, at end {load_average()}"
    )
