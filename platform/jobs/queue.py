"""Publishing jobs to the broker, one queue per model (jobs.scheduling). The broker only
wakes workers: a job that could not be published stays queued in PostgreSQL and the
reaper publishes it again."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from jobs.models import Job, JobStatus
from jobs.scheduling import model_queue

log = logging.getLogger(__name__)

# Fail fast when the broker is down: the request must not hang; the reaper retries.
_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def job_publish(*, job_id: int, model: str | None = None) -> bool:
    """Send the job's wake-up to its model's queue (``gpu.<model>``, jobs.scheduling).
    Returns False (and logs) if the broker can't be reached; the job stays queued and is
    published again later."""
    # local import: jobs.tasks imports the worker, which imports this module
    from jobs.tasks import run_job

    if model is None:
        model = Job.objects.filter(pk=job_id).values_list("model", flat=True).first()
        if model is None:
            return False
    try:
        run_job.apply_async(
            args=[job_id],
            queue=model_queue(model),
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


def job_publish_on_commit(*, job_id: int, model: str | None = None) -> None:
    transaction.on_commit(lambda: job_publish(job_id=job_id, model=model))
