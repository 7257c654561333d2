"""Render time limits (issue 16): the deadline check in the step callback, each model's
limit, the watchdog's timing and the failure it writes. Fast, in-process; the real worker
process ended by its watchdog is tests/faults/test_render_time_limit.py."""

from __future__ import annotations

import threading
import time

import pytest

from jobs.errors import RenderTimedOut
from jobs.models import Job, JobStatus
from jobs.watchdog import WATCHDOG_EXIT_CODE, RenderWatchdog, render_limit_seconds
from jobs.worker import Heartbeat, StepReporter, _after_error, job_claim

pytestmark = pytest.mark.django_db


def _claimed(artist, *, steps: int = 8, max_attempts: int = 3) -> Job:
    assert artist.cohort is not None
    job = Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a slow river at night",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=1, model="tiny-wan",
        num_frames=9, width=80, height=48, fps=8, steps=steps, guidance=5.0,
        max_attempts=max_attempts,
    )  # fmt: skip
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None
    return claimed


def test_a_render_still_stepping_past_its_deadline_stops_at_its_next_step(artist, settings):
    """The protection: the step callback compares the clock with the render's deadline.
    Without it a render that steps slowly runs on for as long as it likes."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    job = _claimed(artist)
    reporter = StepReporter(job, Heartbeat(job), deadline=time.monotonic() + 0.3)
    reporter(1, 8)  # within its time: progress as usual
    time.sleep(0.35)
    with pytest.raises(RenderTimedOut):
        reporter(2, 8)
    # Without a deadline (the reporter of older callers) nothing changes.
    StepReporter(job, Heartbeat(job))(2, 8)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_each_model_has_a_limit_set_or_derived_from_the_jobs_steps(settings):
    settings.GENERATION_MAX_RENDER_SECONDS = {"wan2.1-t2v-1.3b": 2400}
    settings.GENERATION_RENDER_FIXED_SECONDS = 300
    settings.GENERATION_RENDER_SECONDS_PER_STEP = 60
    assert render_limit_seconds(model="wan2.1-t2v-1.3b", steps=50) == 2400
    assert render_limit_seconds(model="tiny-wan", steps=4) == 300 + 4 * 60


def test_the_watchdog_ends_the_process_only_past_the_limit_and_its_grace():
    calls: list[str] = []
    exits: list[int] = []
    ended = threading.Event()

    def exit_process(code: int) -> None:
        exits.append(code)
        ended.set()

    # A render that finishes within limit + grace: nothing happens.
    with RenderWatchdog(
        job_id=1, limit_seconds=0.1, grace_seconds=0.2,
        on_hard_limit=lambda: calls.append("write"), exit_process=exit_process,
    ):  # fmt: skip
        time.sleep(0.15)
    time.sleep(0.3)
    assert (calls, exits) == ([], [])

    # One still running at limit + grace: the failure is written, then the process ends.
    started = time.monotonic()
    watchdog = RenderWatchdog(
        job_id=2, limit_seconds=0.1, grace_seconds=0.2,
        on_hard_limit=lambda: calls.append("write"), exit_process=exit_process,
    )  # fmt: skip
    with watchdog:
        assert ended.wait(5)
    assert time.monotonic() - started >= 0.3
    assert (calls, exits) == (["write"], [WATCHDOG_EXIT_CODE])
    assert watchdog.fired.is_set()


def test_the_watchdog_ends_the_process_even_when_its_write_fails():
    exits: list[int] = []
    ended = threading.Event()

    def broken_write() -> None:
        raise RuntimeError("database gone")

    def exit_process(code: int) -> None:
        exits.append(code)
        ended.set()

    with RenderWatchdog(
        job_id=3, limit_seconds=0.05, grace_seconds=0.05,
        on_hard_limit=broken_write, exit_process=exit_process,
    ):  # fmt: skip
        assert ended.wait(5)
    assert exits == [WATCHDOG_EXIT_CODE]


def test_a_timed_out_attempt_is_retried_then_fails_visibly_with_the_quota_refunded(
    artist, settings
):
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    job = _claimed(artist, max_attempts=2)
    assert _after_error(job, code="render_timeout") == "retrying"
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error_code) == (JobStatus.QUEUED, 1, "")

    last = job_claim(job_id=job.pk)
    assert last is not None and last.attempt == 2
    assert _after_error(last, code="render_timeout") == "failed"
    job.refresh_from_db()
    assert (job.status, job.error_code, job.quota_refunded) == (
        JobStatus.FAILED,
        "render_timeout",
        True,
    )
    assert "time limit" in job.error_message
    assert "didn't count against your daily quota" in job.error_message
    # A stale call (the watchdog of an attempt that already ended) touches nothing.
    assert _after_error(job, code="render_timeout") == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempt == 2
