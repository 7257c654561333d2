"""Worker heartbeat rows (decision 0015) and the worker's log context. Cheap
single-statement writes; a failure is logged by the caller and never stops a worker."""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils import timezone

from jobs.models import Job, WorkerHeartbeat
from web.context import log_context, request_id_new

P = ParamSpec("P")
R = TypeVar("R")


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


def worker_heartbeat_beat(*, name: str) -> bool:
    """Still alive. Returns False when the row is gone (then the caller starts it again)."""
    return WorkerHeartbeat.objects.filter(name=name).update(last_seen_at=timezone.now()) == 1


def worker_heartbeat_job(*, job_id: int | None, name: str | None = None) -> None:
    """This process starts (``job_id``) or ends (None) a job."""
    WorkerHeartbeat.objects.filter(name=name or worker_name()).update(
        job_id=job_id, last_seen_at=timezone.now()
    )


def worker_heartbeat_stop(*, name: str) -> None:
    """A clean shutdown: the worker is gone, not silent."""
    WorkerHeartbeat.objects.filter(name=name).delete()


def with_job_log_context(run: Callable[P, R]) -> Callable[P, R]:
    """For the worker's ``job_run(*, job_id)``: its log lines carry the job id and the
    request id that submitted the job, and the worker's heartbeat row names the job."""

    @functools.wraps(run)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        job_id = kwargs["job_id"]
        assert isinstance(job_id, int)
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
