"""Faults in issue 17's modes on the real stack: a worker killed (SIGKILL) in the middle of
a storyboard, between and within its shots, loses nothing and runs it again exactly once.
The worker is a real Celery process serving the tiny text and image models."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from cohorts.services import cohort_set_allowed_modes
from jobs.models import Job, JobStatus, Output, Shot
from jobs.selectors import quota_used_today
from moderation.models import ReviewItem
from tests.jobs.conftest import wait_for_job
from tests.jobs.test_faults import reap_after_lease_expiry
from tests.step_hold import HOLD_STEP_ENV, StepHold
from tests.step_hold import LAUNCHER as HOLD_LAUNCHER
from tests.uploads.conftest import picture, upload
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = ["tiny-wan", "tiny-wan-i2v"]


@pytest.fixture
def start_modes_worker(django_db_setup, settings) -> Iterator[Callable[..., WorkerProcess]]:
    """Start workers serving the tiny text and image models on this test's own queue;
    ``hold_step`` holds each job at that step (``tests.step_hold``; a storyboard's steps
    count on across its shots)."""
    for name in MODELS:
        source = Path(str(settings.GENERATION_MODELS[name]["source"]))
        if not (source / "model_index.json").exists():
            call_command("build_tiny_model", model=name)
    settings.GENERATION_ENABLED_MODELS = MODELS
    settings.GENERATION_QUEUE = f"gpu-modes-faults-{time.monotonic_ns()}"
    started: list[WorkerProcess] = []

    def start(*, hold_step: int | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            queue=settings.GENERATION_QUEUE,
            database_name=connection.settings_dict["NAME"],
            name=f"modes-faults-{len(started)}",
            launcher=HOLD_LAUNCHER if hold_step is not None else (),
        )
        worker.env.update(
            VERNISSAGE_MODELS=",".join(MODELS), VERNISSAGE_WORKER_MODELS=",".join(MODELS)
        )
        if hold_step is not None:
            worker.env[HOLD_STEP_ENV] = str(hold_step)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


def test_a_worker_killed_in_a_storyboards_second_shot_runs_it_again_exactly_once(
    client, artist, cohort, start_modes_worker
):
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "storyboard"])
    client.force_login(artist)
    image_id = client.post("/api/v1/uploads/", {"image": upload(picture(size=(96, 64)))}).json()[
        "id"
    ]
    steps = int(str(django_settings.GENERATION_MODELS["tiny-wan"]["steps"]))
    with StepHold() as hold:
        # The reporter counts steps on across the shots: step steps + 2 is the second
        # shot's second step, so the first shot is rendered and the second under way.
        first = start_modes_worker(hold_step=steps + 2)
        response = client.post(
            "/api/v1/generations/",
            {
                "mode": "storyboard", "resolution": "480p", "aspect_ratio": "16:9", "seed": 9,
                "shots": [
                    {"prompt": "a harbour at dawn", "duration_seconds": 2},
                    {"prompt": "gulls lift off", "duration_seconds": 2, "start_image": image_id},
                ],
            },
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        job_id = response.json()["id"]
        hold.wait_until_held()
        job = Job.objects.get(pk=job_id)
        assert (job.status, job.attempt) == (JobStatus.RUNNING, 1) and job.progress > 0
        first.kill()

    # Nothing happens to the job until its lease runs out; then it is queued again.
    assert Job.objects.get(pk=job_id).status == JobStatus.RUNNING
    second = start_modes_worker()
    reap_after_lease_expiry(job_id)

    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=180)
    assert job.status == JobStatus.SUCCEEDED, (job.error_code, job.error_message, second.log())
    assert job.attempt == 2
    # Run once by each worker: the killed attempt, then the one that finished it.
    runs = [
        line.split(f"job {job_id}: ", 1)[1]
        for worker in (first, second)
        for line in worker.lines
        if f"job {job_id}: attempt" in line
    ]
    assert [run.split(" on ")[0] for run in runs] == ["attempt 1", "attempt 2"]
    # One video of both shots, once: its shots as submitted, one review, one quota.
    output = Output.objects.get(job_id=job_id)
    assert output.frame_count == job.num_frames
    assert list(Shot.objects.filter(job_id=job_id).values_list("position", "model")) == [
        (0, "tiny-wan"),
        (1, "tiny-wan-i2v"),
    ]
    assert ReviewItem.objects.filter(output__job_id=job_id).count() == 1
    assert Job.objects.filter(artist=artist).count() == 1
    assert not job.quota_refunded and quota_used_today(user=artist) == 1
    assert (
        client.get("/api/v1/me/").json()["quota_remaining_today"]
        == cohort.daily_generation_quota - 1
    )


@pytest.mark.parametrize("where", ["within_the_second_shot", "between_the_shots"])
def test_a_storyboard_cancelled_mid_render_stops_and_keeps_nothing(
    client, artist, cohort, start_modes_worker, where
):
    """A cancel is honoured at the next step, whether the render is inside a shot or at the
    boundary between two (the first shot's last step): no output, the quota refunded only
    as a cancel is (not at all: the artist asked), and the worker takes the next job."""
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "storyboard"])
    client.force_login(artist)
    steps = int(str(django_settings.GENERATION_MODELS["tiny-wan"]["steps"]))
    hold_step = steps + 2 if where == "within_the_second_shot" else steps
    with StepHold() as hold:
        worker = start_modes_worker(hold_step=hold_step)
        response = client.post(
            "/api/v1/generations/",
            {"mode": "storyboard", "resolution": "480p", "aspect_ratio": "16:9",
             "shots": [{"prompt": "a quiet pier", "duration_seconds": 2},
                       {"prompt": "rain begins", "duration_seconds": 2}]},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        job_id = response.json()["id"]
        hold.wait_until_held()
        held = Job.objects.get(pk=job_id)
        assert held.status == JobStatus.RUNNING and 0 < held.progress < 0.95
        cancel = client.post(f"/api/v1/generations/{job_id}/cancel/")
        assert cancel.status_code == 200, cancel.content
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=120)
    assert job.status == JobStatus.CANCELED, worker.log()
    assert not Output.objects.filter(job=job).exists()
    assert job.attempt == 1
    # The worker is free again: a text job after it renders.
    after = client.post(
        "/api/v1/generations/",
        {"prompt": "after the rain", "duration_seconds": 2, "resolution": "480p",
         "aspect_ratio": "16:9"},
        content_type="application/json",
    ).json()["id"]  # fmt: skip
    assert wait_for_job(after, lambda j: j.is_terminal, timeout=120).status == JobStatus.SUCCEEDED


@pytest.mark.parametrize("ending", ["cancelled", "failed"])
def test_an_extension_that_ends_without_a_video_leaves_its_parent_as_it_was(
    client, artist, cohort, reviewer, make_output, start_modes_worker, settings, ending
):
    """Cancelled mid-render, or failed for good (its worker killed on every attempt): the
    parent's row, file, review and publication are exactly what they were."""
    from moderation.models import ReviewStatus
    from moderation.services import review_decide
    from publishing.services import publication_create

    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "extend"])
    parent = make_output(artist)
    review_decide(
        item=parent.review, reviewer=reviewer, decision=ReviewStatus.APPROVED, claim_if_free=True
    )
    publication = publication_create(output=parent, artist=artist, visibility="gallery")
    before = (parent.sha256, parent.video.name, parent.video.open("rb").read())
    client.force_login(artist)
    with StepHold() as hold:
        worker = start_modes_worker(hold_step=2)
        response = client.post(
            "/api/v1/generations/", {"mode": "extend", "extends": parent.job_id},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 201, response.content
        job_id = response.json()["id"]
        hold.wait_until_held()
        if ending == "cancelled":
            assert client.post(f"/api/v1/generations/{job_id}/cancel/").status_code == 200
        else:
            Job.objects.filter(pk=job_id).update(max_attempts=1)  # this attempt is the last
            worker.kill()
            reap_after_lease_expiry(job_id)
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=120)
    assert job.status == (JobStatus.CANCELED if ending == "cancelled" else JobStatus.FAILED)
    parent.refresh_from_db()
    assert (parent.sha256, parent.video.name, parent.video.open("rb").read()) == before
    parent.review.refresh_from_db()
    assert parent.review.status == ReviewStatus.APPROVED
    status = publication.status
    publication.refresh_from_db()
    assert (publication.status, publication.ended_at) == (status, None)
    assert Output.objects.filter(job__extends=parent.job).count() == 0
