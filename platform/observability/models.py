from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A Celery worker process saying it is alive: written when it is ready, every few
    seconds after that by a background thread, and with the job it runs at the start and
    end of each job. Deleted when the worker shuts down cleanly; a killed worker's row
    stays, ageing, which is what the ``vernissage_worker_heartbeat_age_seconds`` alert
    is for. Nothing reads these rows to make a decision about jobs (the lease does that).
    """

    # jobs.worker.worker_name(): host:pid, as in Job.worker.
    name = models.CharField(max_length=200, unique=True)
    queues = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # The job this process is running (no foreign key: a heartbeat never locks a job).
    job_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
