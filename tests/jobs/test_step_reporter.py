"""The worker's per-step callback (``jobs.worker.StepReporter``) stops a render that is no
longer this worker's, even at a step where no progress is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.models import Job, JobStatus
from jobs.services import jobs_reap
from jobs.worker import Heartbeat, StepReporter, job_claim

pytestmark = pytest.mark.django_db


def test_a_stale_render_stops_at_its_next_step_after_the_job_was_claimed_again(artist, settings):
    """The protection: the reporter compares the row's attempt with the attempt it runs.

    A partitioned worker's lease ran out and the job was re-queued and claimed by another
    worker (attempt 2, running again). The stale worker's heartbeat has not noticed yet,
    and its next step writes no progress (the throttle), so no fenced write can stop it:
    only the attempt comparison does. Without it the stale render runs to the end,
    taking a GPU from the job's real attempt."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_PROGRESS_WRITE_SECONDS = 3600  # only the first step writes
    assert artist.cohort is not None
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a slow river at night",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan",
        num_frames=9, width=80, height=48, fps=8, steps=8, guidance=5.0,
    )  # fmt: skip
    stale = job_claim(job_id=job.pk)
    assert stale is not None and stale.attempt == 1
    reporter = StepReporter(stale, Heartbeat(stale))  # its heartbeat has not noticed yet
    reporter(1, 8)

    expired = timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    assert jobs_reap(now=expired).requeued == [job.pk]
    current = job_claim(job_id=job.pk)
    assert current is not None and current.attempt == 2

    with pytest.raises(LeaseLost):
        reporter(2, 8)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.RUNNING, 2, 0.0)
