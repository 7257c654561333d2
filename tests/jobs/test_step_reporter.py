"""The worker's per-step callback (``jobs.worker.StepReporter``) stops a render that is no
longer this worker's: at its next progress write (every ``GENERATION_PROGRESS_WRITE_SECONDS``),
or, between writes, at its first step after the heartbeat's next beat noticed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.models import Job, JobStatus
from jobs.services import job_cancel, jobs_reap
from jobs.worker import Heartbeat, StepReporter, job_claim

pytestmark = pytest.mark.django_db


def _claimed_job(artist) -> Job:
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a slow river at night",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan",
        num_frames=9, width=80, height=48, fps=8, steps=8, guidance=5.0,
    )  # fmt: skip


def _claimed_again_elsewhere(job: Job, settings) -> Job:
    """The stale worker's lease ran out; the reaper re-queued the job and another worker
    claimed it (attempt 2)."""
    expired = timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    assert jobs_reap(now=expired).requeued == [job.pk]
    current = job_claim(job_id=job.pk)
    assert current is not None and current.attempt == 2
    return current


def test_a_stale_render_stops_at_its_next_progress_write(artist, settings):
    """The protection: the progress UPDATE is fenced by attempt, and its miss is read as
    LeaseLost. A partitioned worker's job was claimed again by another worker: the stale
    render's next write (a quarter of a second after the last one by default) touches no
    row and stops it. Without the fence it would run to the end, taking a GPU from the
    job's real attempt and writing its progress over the new attempt's."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_PROGRESS_WRITE_SECONDS = 0  # every step writes
    job = _claimed_job(artist)
    stale = job_claim(job_id=job.pk)
    assert stale is not None and stale.attempt == 1
    reporter = StepReporter(stale, Heartbeat(stale))  # its heartbeat has not noticed yet
    reporter(1, 8)
    _claimed_again_elsewhere(job, settings)

    with pytest.raises(LeaseLost):
        reporter(2, 8)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.RUNNING, 2, 0.0)


def test_between_writes_a_stale_render_stops_once_its_heartbeat_noticed(artist, settings):
    """The protection: the step reads the heartbeat's ``lost`` event, which the lease
    renewal (fenced by attempt) sets. Steps between two progress writes ask the database
    nothing; a stale render is stopped there by its heartbeat's next beat."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_PROGRESS_WRITE_SECONDS = 3600  # only the first and last step write
    job = _claimed_job(artist)
    stale = job_claim(job_id=job.pk)
    assert stale is not None
    heartbeat = Heartbeat(stale)
    reporter = StepReporter(stale, heartbeat)
    reporter(1, 8)
    _claimed_again_elsewhere(job, settings)
    reporter(2, 8)  # no write, no beat yet: nothing tells it

    assert heartbeat.beat() is False  # the heartbeat's next beat renews nothing
    assert heartbeat.lost.is_set() and not heartbeat.canceled.is_set()
    with pytest.raises(LeaseLost):
        reporter(3, 8)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress) == (JobStatus.RUNNING, 2, 0.0)


def test_a_cancel_stops_the_render_at_the_next_write_or_beat(artist, settings):
    """The protection: the progress UPDATE requires no cancel, and the heartbeat's renewal
    notices one (renewing the lease still, so the attempt ends itself, canceled)."""
    from generation.runner import RenderCanceled

    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_PROGRESS_WRITE_SECONDS = 3600
    claimed = job_claim(job_id=_claimed_job(artist).pk)
    assert claimed is not None
    heartbeat = Heartbeat(claimed)
    reporter = StepReporter(claimed, heartbeat)
    reporter(1, 8)
    job_cancel(job=Job.objects.get(pk=claimed.pk), actor=artist)
    reporter(2, 8)  # between writes, before the next beat

    lease = Job.objects.get(pk=claimed.pk).lease_expires_at
    assert heartbeat.beat() is True  # the lease is still renewed
    assert heartbeat.canceled.is_set() and not heartbeat.lost.is_set()
    renewed = Job.objects.get(pk=claimed.pk).lease_expires_at
    assert lease is not None and renewed is not None and renewed > lease
    with pytest.raises(RenderCanceled):
        reporter(3, 8)
    # The write itself says so too, without the heartbeat.
    with pytest.raises(RenderCanceled):
        StepReporter(claimed, Heartbeat(claimed))(8, 8)
    assert Job.objects.get(pk=claimed.pk).status == JobStatus.RUNNING  # job_run ends it
