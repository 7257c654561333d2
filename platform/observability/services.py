"""Worker heartbeat rows (decision 0015). Cheap single-statement writes; a failure is
logged by the caller and never stops a worker."""

from __future__ import annotations

from django.utils import timezone

from observability.models import WorkerHeartbeat


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
    from jobs.worker import worker_name

    WorkerHeartbeat.objects.filter(name=name or worker_name()).update(
        job_id=job_id, last_seen_at=timezone.now()
    )


def worker_heartbeat_stop(*, name: str) -> None:
    """A clean shutdown: the worker is gone, not silent."""
    WorkerHeartbeat.objects.filter(name=name).delete()
