"""Guards in ``jobs.worker`` that the worker flow tests don't defend (issue 13, point 2;
docs/mutation.md). These call the worker's own functions in this process (the worker
flow tests run it in child processes, where a missing guard would take minutes to show).
Each test's docstring names its guard; taking the guard away (tools/guard_mutants.py)
makes it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.models import Job, JobStatus
from jobs.services import jobs_reap
from jobs.worker import Heartbeat, StepReporter, job_claim

# A heartbeat that notices a lost lease sets its event at once: this is how long the
# test waits for that event before calling it never set (not a timing of the worker).
NOTICE_TIMEOUT = 30


def queued_job(artist, **fields) -> Job:
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a quiet harbour at dawn",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan",
        num_frames=9, width=80, height=48, fps=8, steps=4, guidance=5.0,
        status=JobStatus.QUEUED, **fields,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_job_that_used_every_attempt_is_not_claimed_again(artist):
    """The guard: ``job_claim``'s ``attempt__lt=F("max_attempts")``. A queued job whose
    attempts are spent (a message for it delivered again) is not started a fourth time:
    the claim answers None and the row is untouched; one attempt short, it is claimed."""
    spent = queued_job(artist, attempt=3, max_attempts=3)
    last_try = queued_job(artist, attempt=2, max_attempts=3)

    assert job_claim(job_id=spent.pk) is None
    row = Job.objects.get(pk=spent.pk)
    assert (row.status, row.attempt, row.started_at) == (JobStatus.QUEUED, 3, None)
    claimed = job_claim(job_id=last_try.pk)
    assert claimed is not None
    assert (claimed.status, claimed.attempt) == (JobStatus.RUNNING, 3)
    assert claimed.started_at is not None and claimed.started_at <= timezone.now()


@pytest.mark.django_db
def test_a_render_whose_job_went_back_to_the_queue_stops_at_its_next_write(artist, settings):
    """The guard: the progress UPDATE's ``status=RUNNING`` (``_mine``) and its miss read as
    LeaseLost (``_stop_reason``). The lease ran out and the reaper put the job back in the
    queue (same attempt number, not yet claimed again): the old render stops at its next
    progress write (LeaseLost) and leaves the row as the reaper left it."""
    settings.GENERATION_PROGRESS_WRITE_SECONDS = 0  # every step writes
    job = job_claim(job_id=queued_job(artist).pk)
    assert job is not None
    reporter = StepReporter(job, Heartbeat(job))  # its heartbeat has not noticed yet
    reporter(1, 8)
    expired = timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    assert jobs_reap(now=expired).requeued == [job.pk]

    with pytest.raises(LeaseLost):
        reporter(2, 8)
    row = Job.objects.get(pk=job.pk)
    assert (row.status, row.attempt, row.progress) == (JobStatus.QUEUED, 1, 0.0)


@pytest.mark.django_db
def test_a_render_whose_job_was_deleted_stops_with_lease_lost(artist):
    """The guard: ``StepReporter``'s ``state is None``. The job row is gone (its account
    deleted mid-render): the render stops with LeaseLost, not a TypeError from reading
    ``None["status"]``."""
    job = job_claim(job_id=queued_job(artist).pk)
    assert job is not None
    reporter = StepReporter(job, Heartbeat(job))
    Job.objects.filter(pk=job.pk).delete()

    with pytest.raises(LeaseLost):
        reporter(1, 8)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_notices_when_the_job_is_no_longer_this_workers(artist, settings):
    """The guard: ``Heartbeat._run``'s fenced renewal ``_mine(job).update(…) != 1``. The
    job was reaped and claimed again by another worker (attempt 2): the old worker's
    heartbeat renews nothing, sets ``lost`` (which stops its render at the next step)
    and leaves the new attempt's lease alone."""
    settings.GENERATION_LEASE_SECONDS = 1.5  # the heartbeat beats every 0.5 s
    stale = job_claim(job_id=queued_job(artist).pk)
    assert stale is not None
    expired = timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    assert jobs_reap(now=expired).requeued == [stale.pk]
    current = job_claim(job_id=stale.pk)
    assert current is not None and current.attempt == 2
    lease = Job.objects.get(pk=stale.pk).lease_expires_at

    with Heartbeat(stale) as heartbeat:
        noticed = heartbeat.lost.wait(timeout=NOTICE_TIMEOUT)

    assert noticed, "the heartbeat never noticed that the job is no longer its own"
    assert Job.objects.get(pk=stale.pk).lease_expires_at == lease
