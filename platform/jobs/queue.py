"""Publishing jobs to the broker. The broker only wakes workers: a job that could not be
published stays queued in PostgreSQL and the reaper publishes it again."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

# Fail fast when the broker is down: the request must not hang; the reaper retries.
_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def job_publish(*, job_id: int) -> bool:
    """Send the job's message to the ``gpu`` queue. Returns False (and logs) if the broker
    can't be reached; the job stays queued and is published again later."""
    from django.conf import settings

    # local import: jobs.tasks imports the worker, which imports this module
    from jobs.tasks import run_job

    try:
        run_job.apply_async(
            args=[job_id],
            queue=settings.GENERATION_QUEUE,
            retry=True,
            retry_policy=_RETRY_POLICY,
        )
    except Exception:  # any broker/transport failure
        log.exception("could not publish job %s; the reaper will publish it again", job_id)
        return False
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        published_to_queue_at=timezone.now()
    )
    return True


def job_publish_on_commit(*, job_id: int) -> None:
    transaction.on_commit(lambda: job_publish(job_id=job_id))
