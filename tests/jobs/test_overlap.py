"""Overlapped post-processing (issue 16 point 4, decision 0031): a worker renders the next
job while the previous output is marked, encoded, signed and stored, with at most
``VERNISSAGE_POST_PROCESSING_SLOTS`` outputs in post; fencing, cancel until the commit and
the success transaction keep their guarantees.

The first tests run the worker's own ``job_run`` in this process (its post-processing
thread is real; the post step is held at a gate the test opens); the last ones run real
worker processes held in post by ``tests.post_hold``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from jobs import worker
from jobs.models import Job, JobStatus, Output
from jobs.services import job_cancel, jobs_reap
from tests.jobs.conftest import wait_for_job
from tests.jobs.test_faults import reap_after_lease_expiry
from tests.post_hold import LAUNCHER as POST_HOLD
from tests.step_hold import StepHold
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = {
    "prompt": "a lantern on a jetty",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}
# Bounds a failing wait; no test measures time with it.
WAIT = 60


def submit(client) -> int:
    response = client.post("/api/v1/generations/", REQUEST, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


class Gate:
    """Holds each output before its post-processing until ``open`` (in this process)."""

    def __init__(self) -> None:
        self.entered: list[int] = []
        self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()


@pytest.fixture
def post_gate(monkeypatch, settings, tiny_model) -> Iterator[Gate]:
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_POST_PROCESSING_SLOTS = 1
    gate = Gate()
    real = worker._encode_and_store

    def held(job, frames):
        gate.entered.append(job.pk)
        assert gate.opened.wait(WAIT), "the test never opened the gate"
        return real(job, frames)

    monkeypatch.setattr(worker, "_encode_and_store", held)
    yield gate
    gate.open()
    worker.post_processing_drain()


def in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def finished(caplog, job_id: int) -> list[str]:
    prefix = f"job {job_id}: finished: "
    return [
        r.getMessage()[len(prefix) :] for r in caplog.records if r.getMessage().startswith(prefix)
    ]


def test_the_next_render_runs_while_the_previous_output_is_in_post(
    client, artist, post_gate, caplog
):
    """The protection: ``job_run(overlap=True)`` hands the output to the post-processing
    thread and returns. Inline, the second render could not start before the first
    output was stored; with one slot, the second output waits for it (bounded memory)."""
    caplog.set_level(logging.INFO, logger="jobs.worker")
    client.force_login(artist)
    first, second = submit(client), submit(client)

    assert worker.job_run(job_id=first, overlap=True) == "rendered"
    wait_until(lambda: post_gate.entered == [first], timeout=WAIT, what="first output in post")
    row = Job.objects.get(pk=first)
    assert (row.status, row.progress) == (JobStatus.RUNNING, 0.95)  # not done until stored
    # The render's end, written with its progress: the queue estimate's occupancy (0024).
    assert row.started_at is not None and row.rendered_at is not None
    assert row.started_at <= row.rendered_at and row.finished_at is None
    post = worker.post_processing()
    assert post is not None and post.in_post() == 1

    results: list[str] = []
    rendering = in_thread(lambda: results.append(worker.job_run(job_id=second, overlap=True)))
    # The second job renders to its end while the first output is still held in post...
    wait_for_job(second, lambda j: j.progress == 0.95, timeout=WAIT)
    assert Job.objects.get(pk=first).status == JobStatus.RUNNING
    # ...and then waits for the one slot: its task has not returned.
    assert rendering.is_alive() and results == []
    assert post_gate.entered == [first]

    post_gate.open()
    rendering.join(WAIT)
    assert results == ["rendered"]
    worker.post_processing_drain()
    for job_id in (first, second):
        job = Job.objects.get(pk=job_id)
        assert (job.status, job.attempt, job.progress) == (JobStatus.SUCCEEDED, 1, 1.0)
        assert Output.objects.filter(job_id=job_id).count() == 1
        assert finished(caplog, job_id) == [f"succeeded:{job.output.pk}"]


def test_a_lease_lost_during_post_stores_nothing(client, artist, post_gate, caplog, settings):
    """The protection: fencing by attempt holds in the post-processing thread (the success
    UPDATE names the attempt). The job was reaped and claimed again while its first
    attempt's output was in post: that output is dropped, its files removed."""
    caplog.set_level(logging.INFO, logger="jobs.worker")
    client.force_login(artist)
    job_id = submit(client)
    assert worker.job_run(job_id=job_id, overlap=True) == "rendered"
    wait_until(lambda: post_gate.entered == [job_id], timeout=WAIT, what="output in post")

    expired = timezone.now() + timedelta(seconds=settings.GENERATION_LEASE_SECONDS + 1)
    assert jobs_reap(now=expired).requeued == [job_id]
    again = worker.job_claim(job_id=job_id)
    assert again is not None and again.attempt == 2
    post_gate.open()
    worker.post_processing_drain()

    assert finished(caplog, job_id) == ["lease_lost"]
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempt) == (JobStatus.RUNNING, 2)
    assert not Output.objects.filter(job_id=job_id).exists()
    assert list((settings.MEDIA_ROOT / "private").rglob(f"job-{job_id}-a1.*")) == []


def test_a_cancel_during_post_is_honoured(client, artist, post_gate, caplog, settings):
    """The protection: a cancel is honoured until the success commit, also when that
    commit happens in the post-processing thread: canceled, no output, no files."""
    caplog.set_level(logging.INFO, logger="jobs.worker")
    client.force_login(artist)
    job_id = submit(client)
    assert worker.job_run(job_id=job_id, overlap=True) == "rendered"
    wait_until(lambda: post_gate.entered == [job_id], timeout=WAIT, what="output in post")

    job_cancel(job=Job.objects.get(pk=job_id), actor=artist)
    post_gate.open()
    worker.post_processing_drain()

    assert finished(caplog, job_id) == ["canceled"]
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.CANCELED and job.finished_at is not None
    assert not Output.objects.filter(job_id=job_id).exists()
    assert list((settings.MEDIA_ROOT / "private").rglob(f"job-{job_id}-*")) == []


def test_with_no_slots_post_processing_is_inline(client, artist, settings, tiny_model):
    """``VERNISSAGE_POST_PROCESSING_SLOTS=0``: the task returns the job's outcome, as
    before overlap (the sequential side of bench/overlap.py)."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    settings.GENERATION_POST_PROCESSING_SLOTS = 0
    client.force_login(artist)
    job_id = submit(client)
    outcome = worker.job_run(job_id=job_id, overlap=True)
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.SUCCEEDED
    assert outcome == f"succeeded:{job.output.pk}"
    assert worker.post_processing() is None


# Real worker processes, overlapped by default (VERNISSAGE_POST_PROCESSING_SLOTS=1).


def test_a_real_worker_renders_the_next_job_beside_the_held_output(client, artist, start_worker):
    client.force_login(artist)
    with StepHold() as hold:
        process = start_worker(launcher=POST_HOLD)
        first = submit(client)
        hold.wait_until_held()
        second = submit(client)
        # The second render reaches its end while the first output is held in post.
        wait_for_job(second, lambda j: j.first_step_at is not None and j.progress >= 0.9)
        assert Job.objects.get(pk=first).status == JobStatus.RUNNING
    for job_id in (first, second):
        job = wait_for_job(job_id, lambda j: j.is_terminal)
        assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 1), process.log()
        assert Output.objects.filter(job_id=job_id).count() == 1
    # Each job's own outcome is logged when its post-processing ends.
    process.wait_for(
        lambda: sum(" finished: succeeded:" in line for line in process.lines) == 2,
        WAIT,
        "both jobs finished",
    )


def test_a_worker_killed_mid_post_loses_nothing(client, artist, start_worker):
    """SIGKILL while an output is in post: nothing was committed, the lease lapses, the
    reaper re-queues and another worker makes the video once."""
    client.force_login(artist)
    with StepHold() as hold:
        killed = start_worker(launcher=POST_HOLD)
        job_id = submit(client)
        hold.wait_until_held()
        assert Job.objects.get(pk=job_id).progress == 0.95
        killed.kill()
    second = start_worker()
    reap_after_lease_expiry(job_id)
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=120)
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 2), second.log()
    assert Output.objects.filter(job_id=job_id).count() == 1
    assert not job.quota_refunded


def test_a_warm_shutdown_finishes_the_output_in_post(client, artist, start_worker):
    """SIGTERM (a deploy, systemd stop) while an output is in post: the worker finishes
    it before it exits, on its first attempt."""
    client.force_login(artist)
    with StepHold() as hold:
        process = start_worker(launcher=POST_HOLD)
        job_id = submit(client)
        hold.wait_until_held()
        assert process.process is not None
        process.process.terminate()
        process.wait_for(
            lambda: any("output(s) in post before exit" in line for line in process.lines),
            WAIT, "the shutdown to wait for post-processing",
        )  # fmt: skip
    assert process.process.wait(timeout=WAIT) == 0, process.log()
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempt) == (JobStatus.SUCCEEDED, 1), process.log()
    assert Output.objects.filter(job_id=job_id).count() == 1
