"""The pre-screen in the real worker, on the real frames it rendered (issue 18): a
Screening row stored with the output and audited; a failing classifier (configured by
dotted path in the worker's environment) sends the item to review unflagged, marked "not
screened"; a prompt policy rule added since submission flags the item. Never a decision."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from django.db import connection

from audit.models import AuditEvent
from jobs.models import JobStatus
from moderation.models import ReviewStatus
from screening.models import Screening, ScreeningStatus
from tests.jobs.conftest import wait_for_job
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = {"duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}


def submit(client, prompt: str) -> int:
    response = client.post(
        "/api/v1/generations/", {**REQUEST, "prompt": prompt}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_worker_screens_each_output_and_audits_it(client, artist, reviewer, gpu_worker):
    client.force_login(artist)
    job = wait_for_job(submit(client, "a red bird over the sea"), lambda j: j.is_terminal)
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, gpu_worker.log())
    screening = Screening.objects.get(output=job.output)
    assert screening.status == ScreeningStatus.SCREENED, screening.error
    assert screening.classifier == "nudenet-320n/3.4.2" and screening.frames == 8
    assert not screening.flagged and screening.flags == [] and screening.error == ""
    assert 0 <= screening.risk_score < 50 and screening.duration_ms > 0
    # It never decides: the item waits for a person.
    assert job.output.review.status == ReviewStatus.PENDING
    event = AuditEvent.objects.get(action="screening.screened", object_id=str(job.output.pk))
    assert event.object_type == "jobs.output" and event.actor is None
    assert event.data["screening_id"] == screening.pk
    assert event.data["classifier"] == "nudenet-320n/3.4.2" and event.data["flags"] == []

    client.force_login(reviewer)
    body = client.get(f"/api/v1/review/{job.output.review.pk}/").json()
    assert body["screening"]["status"] == "screened"
    assert body["screening"]["classifier"] == "nudenet-320n/3.4.2"
    assert body["screening"]["flags"] == [] and body["screening"]["risk_score"] < 50


@pytest.fixture
def failing_worker(django_db_setup, tiny_model, settings, tmp_path) -> Iterator[WorkerProcess]:
    """A worker of this test's own whose classifier raises, and whose prompt policy has a
    rule the web process doesn't (a rule added after the submission)."""
    rules = json.loads(json.dumps(settings.PROMPT_POLICY_RULES))
    rules.append({"code": "lighthouse_watch", "pattern": r"\blighthouse\b", "message": "Watched."})
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(rules))
    settings.GENERATION_QUEUE = f"gpu-test-{time.monotonic_ns()}"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="screening-broken",
    )
    worker.env["VERNISSAGE_SCREEN_CLASSIFIER"] = "tests.screening.classifiers.broken"
    worker.env["VERNISSAGE_PROMPT_POLICY_FILE"] = str(policy)
    worker.start()
    yield worker
    worker.stop()


def test_a_failing_classifier_sends_the_item_to_review_not_screened(
    client, artist, reviewer, failing_worker
):
    client.force_login(artist)
    plain = wait_for_job(submit(client, "a quiet harbour at dawn"), lambda j: j.is_terminal)
    watched = wait_for_job(submit(client, "a lighthouse in a storm"), lambda j: j.is_terminal)
    for job in (plain, watched):
        assert job.status == JobStatus.SUCCEEDED, (job.error_message, failing_worker.log())
        assert job.output.review.status == ReviewStatus.PENDING

    screening = Screening.objects.get(output=plain.output)
    assert screening.status == ScreeningStatus.NOT_SCREENED
    assert screening.error == "RuntimeError: model file unreadable"
    assert (screening.flagged, screening.flags, screening.risk_score) == (False, [], 0)
    assert AuditEvent.objects.filter(
        action="screening.not_screened", object_id=str(plain.output.pk)
    ).exists()
    # The prompt policy's verdict still flags, classifier or not.
    other = Screening.objects.get(output=watched.output)
    assert other.status == ScreeningStatus.NOT_SCREENED
    assert (other.flags, other.risk_score, other.prompt_code) == (
        ["prompt:lighthouse_watch"],
        100,
        "lighthouse_watch",
    )

    client.force_login(reviewer)
    page = client.get(f"/staff/review/{plain.output.review.pk}/").content.decode()
    assert "Not screened" in page and "model file unreadable" in page
    assert 'id="watch"' in page and "screen-blurred" not in page
    flagged = client.get(f"/staff/review/{watched.output.review.pk}/").content.decode()
    assert 'class="screen-blurred"' in flagged and "prompt:lighthouse_watch" in flagged
    queue = client.get("/staff/review/?screen=not_screened").content.decode()
    assert f"#{plain.output.review.pk}<" in queue and "not screened" in queue
    # The filters read the item's own copies, which the worker wrote with the screening.
    flagged_queue = client.get("/staff/review/?screen=flagged").content.decode()
    assert f"#{watched.output.review.pk}<" in flagged_queue
    assert f"#{plain.output.review.pk}<" not in flagged_queue
