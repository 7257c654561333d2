"""Faults lose no job and no output: killed workers, crashing jobs, duplicate messages,
stale workers."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from jobs.errors import LeaseLost
from jobs.models import Job, JobStatus, Output
from jobs.queue import job_publish
from jobs.services import jobs_reap
from jobs.worker import Heartbeat, StepReporter, _encode_and_store, job_claim
from tests.jobs.conftest import wait_for_job
from tests.step_hold import LAUNCHER as HOLD_LAUNCHER
from tests.step_hold import StepHold
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = {
    "prompt": "a slow river at night",
    "duration_seconds": 10,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def submit(client) -> int:
    response = client.post("/api/v1/generations/", REQUEST, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def reap_after_lease_expiry(job_id: int) -> None:
    """Run the reaper as soon as the job's lease has run out (nobody renews it now)."""

    def lease_expired() -> bool:
        lease = Job.objects.values_list("lease_expires_at", flat=True).get(pk=job_id)
        assert lease is not None
        return timezone.now() > lease

    # Leases are 3 s in the tests (tests/servers.py); the deadline bounds a failing run.
    wait_until(lease_expired, timeout=60, what=f"job {job_id}'s lease to run out", interval=0.05)
    jobs_reap()


def test_worker_killed_mid_job_then_the_job_completes_exactly_once(client, artist, start_worker):
    client.force_login(artist)
    with StepHold() as hold:  # the job is caught mid-job, however fast it renders
        first = start_worker(launcher=HOLD_LAUNCHER)
        job_id = submit(client)
        hold.wait_until_held()
        job = Job.objects.get(pk=job_id)
        assert (job.status, job.attempt) == (JobStatus.RUNNING, 1) and job.progress > 0
        first.kill()

    # The lease stops being renewed; nothing else happens until it expires.
    assert Job.objects.get(pk=job_id).status == JobStatus.RUNNING
    second = start_worker()
    reap_after_lease_expiry(job_id)
    assert Job.objects.get(pk=job_id).status in (
        JobStatus.QUEUED,
        JobStatus.RUNNING,
        JobStatus.SUCCEEDED,
    )

    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=120)
    assert job.status == JobStatus.SUCCEEDED, second.log()
    assert job.attempt == 2
    assert Output.objects.filter(job_id=job_id).count() == 1
    assert not job.quota_refunded


def test_a_job_that_always_crashes_fails_visibly_after_the_last_attempt(
    client, artist, start_worker, settings
):
    settings.GENERATION_MAX_ATTEMPTS = 2
    client.force_login(artist)
    for attempt in (1, 2):
        with StepHold() as hold:  # each attempt is caught mid-job, then its worker dies
            worker = start_worker(launcher=HOLD_LAUNCHER)
            if attempt == 1:
                job_id = submit(client)
            hold.wait_until_held()
            job = Job.objects.get(pk=job_id)
            assert (job.status, job.attempt) == (JobStatus.RUNNING, attempt) and job.progress > 0
            worker.kill()
        reap_after_lease_expiry(job_id)

    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.FAILED
    assert job.error_code == "worker_lost"
    assert job.quota_refunded
    assert not Output.objects.filter(job_id=job_id).exists()
    body = client.get(f"/api/v1/generations/{job_id}/").json()
    assert body["error"]["code"] == "worker_lost"
    assert "didn't count against your daily quota" in body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]
    assert (
        client.get("/api/v1/me/").json()["quota_remaining_today"]
        == artist.cohort.daily_generation_quota
    )


def test_a_message_delivered_twice_runs_the_job_once(client, artist, start_worker):
    client.force_login(artist)
    worker = start_worker()
    job_id = submit(client)
    assert job_publish(job_id=job_id)  # a second delivery of the same job
    job = wait_for_job(job_id, lambda j: j.is_terminal)
    worker.wait_for(lambda: sum("not claimable" in line for line in worker.lines) == 1, 30, "skip")
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempt == 1
    assert Output.objects.filter(job_id=job_id).count() == 1


def test_a_stale_worker_cannot_overwrite_a_requeued_job(client, artist, settings, tmp_path):
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    client.force_login(artist)
    job_id = submit(client)
    stale = job_claim(job_id=job_id)
    assert stale is not None and stale.attempt == 1

    # Its lease runs out (machine partitioned); the reaper hands the job to someone else.
    report = jobs_reap(
        now=timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    )
    assert report.requeued == [job_id]
    current = job_claim(job_id=job_id)
    assert current is not None and current.attempt == 2

    heartbeat = Heartbeat(stale)
    with pytest.raises(LeaseLost):
        StepReporter(stale, heartbeat)(1, 4)
    frames = np.zeros((9, 48, 80, 3), dtype=np.uint8)
    with pytest.raises(LeaseLost):
        _encode_and_store(stale, frames)
    assert not Output.objects.exists()
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempt) == (JobStatus.RUNNING, 2)
    # The stale attempt's files (video, poster, filmstrip) were removed, not left orphaned.
    leftovers = list((settings.MEDIA_ROOT / "private").rglob(f"job-{job_id}-a1[.-]*"))
    assert leftovers == []


def test_reaper_publishes_jobs_whose_message_was_lost(client, artist, settings):
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    client.force_login(artist)
    job_id = submit(client)
    Job.objects.filter(pk=job_id).update(
        published_to_queue_at=None, created_at=timezone.now() - timedelta(minutes=5)
    )
    report = jobs_reap()
    assert report.republished == [job_id]
    assert Job.objects.get(pk=job_id).published_to_queue_at is not None
    assert jobs_reap().republished == []
