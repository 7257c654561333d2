"""Worker heartbeat rows (decision 0015), the worker's render clock (busy ratio and the
gap between renders, issue 16) and the worker's log context. Cheap single-statement
writes; a failure is logged by the caller and never stops a worker."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from django.utils import timezone

from jobs.models import Job, WorkerHeartbeat
from web.context import log_context, request_id_new

if TYPE_CHECKING:
    from datetime import datetime

P = ParamSpec("P")
R = TypeVar("R")

# The busy ratio is over this much recent wall time; the gap quantiles over this many of
# the latest gaps.
BUSY_WINDOW_SECONDS = 300.0
GAPS_KEPT = 200


class RenderClock:
    """This process's renders on its own clock (``time.monotonic()``): the fraction of
    the last ``BUSY_WINDOW_SECONDS`` spent rendering (``busy_ratio``), and the gaps
    between one render's end and the next render's start (``gap_quantile``). A gap is
    counted only when the next job was already queued when the previous render ended
    (a backlog): a worker with nothing to do is idle, not slow. Thread-safe."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._born = clock()
        self._renders: deque[tuple[float, float]] = deque()
        self._rendering_since: float | None = None
        self._last_end: tuple[float, float] | None = None  # (monotonic, wall clock)
        self._gaps: deque[float] = deque(maxlen=GAPS_KEPT)

    def render_started(self, *, queued_at: datetime | None = None) -> None:
        """A render starts; ``queued_at``: when its job was queued (counts the gap)."""
        now = self._clock()
        with self._lock:
            self._rendering_since = now
            if self._last_end is not None and queued_at is not None:
                ended, ended_wall = self._last_end
                if queued_at.timestamp() <= ended_wall:
                    self._gaps.append(max(0.0, now - ended))

    def render_ended(self) -> None:
        now = self._clock()
        with self._lock:
            if self._rendering_since is not None:
                self._renders.append((self._rendering_since, now))
            self._rendering_since = None
            self._last_end = (now, time.time())
            self._forget(now)

    def _forget(self, now: float) -> None:
        while self._renders and self._renders[0][1] < now - BUSY_WINDOW_SECONDS:
            self._renders.popleft()

    def busy_ratio(self) -> float:
        """Rendering time over the recent window (or since this process started)."""
        now = self._clock()
        with self._lock:
            self._forget(now)
            start = max(self._born, now - BUSY_WINDOW_SECONDS)
            spans = list(self._renders)
            if self._rendering_since is not None:
                spans.append((self._rendering_since, now))
        if now <= start:
            return 0.0
        busy = sum(max(0.0, end - max(begin, start)) for begin, end in spans)
        return min(1.0, busy / (now - start))

    def gap_quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0..1, nearest rank) of the recent gaps; None before any."""
        with self._lock:
            ordered = sorted(self._gaps)
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


# This process's renders (one per worker process: the render runs in its Celery task).
render_clock = RenderClock()


def worker_name() -> str:
    """This worker process: host:pid, as in ``Job.worker`` and ``WorkerHeartbeat.name``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_heartbeat_start(*, name: str, queues: list[str]) -> None:
    """The worker is ready: create or refresh its row (one upsert)."""
    now = timezone.now()
    WorkerHeartbeat.objects.bulk_create(
        [
            WorkerHeartbeat(
                name=name, queues=",".join(sorted(queues))[:300], started_at=now, last_seen_at=now
            )
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["queues", "started_at", "last_seen_at", "job_id"],
    )


def worker_heartbeat_beat(*, name: str, clock: RenderClock | None = None) -> bool:
    """Still alive, with the render clock's figures (``render_clock`` by default).
    Returns False when the row is gone (then the caller starts it again)."""
    clock = clock or render_clock
    return (
        WorkerHeartbeat.objects.filter(name=name).update(
            last_seen_at=timezone.now(),
            busy_ratio=clock.busy_ratio(),
            render_gap_p50_seconds=clock.gap_quantile(0.5),
            render_gap_p95_seconds=clock.gap_quantile(0.95),
        )
        == 1
    )


def worker_heartbeat_job(*, job_id: int | None, name: str | None = None) -> None:
    """This process starts (``job_id``) or ends (None) a job."""
    WorkerHeartbeat.objects.filter(name=name or worker_name()).update(
        job_id=job_id, last_seen_at=timezone.now()
    )


def worker_heartbeat_stop(*, name: str) -> None:
    """A clean shutdown: the worker is gone, not silent."""
    WorkerHeartbeat.objects.filter(name=name).delete()


@contextlib.contextmanager
def job_log_context(job: Job) -> Iterator[None]:
    """Log lines written inside carry ``job``'s id and the request id that submitted it
    (for work on a job outside ``job_run``: its post-processing thread)."""
    with log_context(request_id=job.request_id or request_id_new(), job_id=job.pk):
        yield


def with_job_log_context(run: Callable[P, R]) -> Callable[P, R]:
    """For the worker's ``job_run(*, job_id)``: its log lines carry the job id and the
    request id that submitted the job, and the worker's heartbeat row names the job."""

    @functools.wraps(run)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        job_id = kwargs["job_id"]
        assert isinstance(job_id, int)
        claimed = kwargs.get("claimed")
        if isinstance(claimed, Job):  # already read, with the claim
            submitted_by = claimed.request_id
        else:
            submitted_by = (
                Job.objects.filter(pk=job_id).values_list("request_id", flat=True).first() or ""
            )
        with log_context(request_id=submitted_by or request_id_new(), job_id=job_id):
            worker_heartbeat_job(job_id=job_id)
            try:
                return run(*args, **kwargs)
            finally:
                worker_heartbeat_job(job_id=None)

    return wrapper
