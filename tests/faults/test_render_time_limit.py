"""A render that blocks for ever inside a step (issue 16, time limits).

The render never calls back, so only the watchdog can stop it: past the model's limit plus
the grace period the worker marks the attempt failed (fenced by attempt) and its process
ends, as systemd's ``Restart=always`` or ``manage.py serve`` then starts a new one (here
the test starts it). The job is not lost: it is retried on the next attempt, which
succeeds once the block is gone, or fails visibly with the quota refunded after the last.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from jobs.models import Job, JobStatus, Output
from jobs.watchdog import WATCHDOG_EXIT_CODE
from tests.faults.conftest import SMALL_REQUEST, protection_params
from tests.faults.stuck_render import LAUNCHER, STUCK_ATTEMPTS
from tests.jobs.conftest import wait_for_job
from tests.waiting import wait_until
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

# Small limits, in the workers' environment: a normal tiny render fits well within
# LIMIT; a stuck one ends its worker at LIMIT + GRACE.
LIMIT, GRACE = 8, 1


@pytest.fixture
def limited(monkeypatch):
    """Workers started from now on run tiny-wan under the small limit."""
    monkeypatch.setenv("VERNISSAGE_MAX_RENDER_SECONDS", f"tiny-wan={LIMIT}")
    monkeypatch.setenv("VERNISSAGE_RENDER_KILL_GRACE_SECONDS", str(GRACE))


def submit(client) -> int:
    response = client.post("/api/v1/generations/", SMALL_REQUEST, "application/json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def wait_for_exit(worker: WorkerProcess, *, limits: int = 1) -> int:
    """The worker process's exit status, once it has ended by itself (within ``limits``
    stuck attempts' time)."""
    process = worker.process
    assert process is not None
    wait_until(
        lambda: process.poll() is not None,
        timeout=limits * (LIMIT + GRACE) + 15,
        what="the stuck worker to end",
        interval=0.1,
        detail=worker.log,
    )
    return int(process.returncode)


@pytest.mark.parametrize(
    "protection", protection_params(reason="no watchdog: the stuck worker never ends")
)
def test_a_stuck_render_ends_its_worker_and_the_job_succeeds_on_the_next_attempt(
    client, artist, start_worker, limited, monkeypatch, protection
):
    """The protection: the render watchdog (``jobs.watchdog.RenderWatchdog``). Switched
    off in the worker, the stuck render holds the worker (and renews the job's lease) for
    ever and the job never runs again."""
    monkeypatch.setenv(STUCK_ATTEMPTS, "1")
    client.force_login(artist)
    launcher = (*LAUNCHER, "render_watchdog" if protection == "off" else "none")
    stuck = start_worker(launcher=launcher)
    job_id = submit(client)
    stuck.wait_for(lambda: any("stuck render" in line for line in stuck.lines), 60, "stuck")
    try:
        assert wait_for_exit(stuck) == WATCHDOG_EXIT_CODE, stuck.log()
    finally:
        if stuck.process is not None and stuck.process.poll() is None:
            stuck.kill()  # stuck for good (protection off): Celery's warm stop would wait
    assert any("ending this worker" in line for line in stuck.lines), stuck.log()
    # The watchdog wrote the failed attempt itself (no reaper runs here): re-queued for
    # the next attempt, nothing stored, nothing charged twice.
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempt, job.worker) == (JobStatus.QUEUED, 1, ""), stuck.log()

    # What Restart=always does. Its limit is generous: the render it runs is a normal one,
    # which must not time out on a loaded test machine.
    monkeypatch.setenv("VERNISSAGE_MAX_RENDER_SECONDS", "tiny-wan=120")
    replacement = start_worker(launcher=launcher)
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=90)
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 2), replacement.log()
    assert not job.quota_refunded
    assert Output.objects.filter(job_id=job_id).count() == 1


def test_a_render_stuck_on_every_attempt_fails_visibly_with_the_quota_refunded(
    client, artist, start_worker, limited, monkeypatch, settings
):
    settings.GENERATION_MAX_ATTEMPTS = 2
    monkeypatch.setenv(STUCK_ATTEMPTS, "2")
    client.force_login(artist)
    launcher = (*LAUNCHER, "none")
    # Two workers on the queue (started at once: starting takes a while): the first to
    # take the job ends at its limit, the other takes the retry and ends too.
    second = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="stuck-second",
        launcher=launcher,
    )
    try:
        with ThreadPoolExecutor(1) as pool:
            starting = pool.submit(second.start)
            first = start_worker(launcher=launcher)
            starting.result()
        job_id = submit(client)
        for worker in (first, second):
            assert wait_for_exit(worker, limits=2) == WATCHDOG_EXIT_CODE, worker.log()
    finally:
        second.stop()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.error_code, job.quota_refunded) == (
        JobStatus.FAILED,
        "render_timeout",
        True,
    )
    assert not Output.objects.filter(job_id=job_id).exists()
    body = client.get(f"/api/v1/generations/{job_id}/").json()
    assert body["error"]["code"] == "render_timeout"
    assert "didn't count against your daily quota" in body["error"]["message"]
    assert (
        client.get("/api/v1/me/").json()["quota_remaining_today"]
        == artist.cohort.daily_generation_quota
    )
