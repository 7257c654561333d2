"""Image to video end to end on the real stack (issue 17): an upload, a submission in mode
image, a real Celery worker serving only the tiny image-to-video model (built by the
project's own command), the start image beside the output for the reviewer, approval and
publication; the signed video names the start image as a C2PA ingredient."""

from __future__ import annotations

import html
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from cohorts.services import cohort_set_allowed_modes
from generation.provenance import read_manifest
from jobs.models import JobStatus, Output
from moderation.models import ReviewStatus
from moderation.services import review_decide
from publishing.services import publication_create
from tests.jobs.conftest import wait_for_job
from tests.uploads.conftest import picture, upload
from tests.workers import WorkerProcess
from web.media_links import input_image_url

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = ["tiny-wan", "tiny-wan-i2v"]


@pytest.fixture
def i2v_worker(django_db_setup, settings) -> Iterator[WorkerProcess]:
    """A worker on this test's own queue that serves only tiny-wan-i2v."""
    source = Path(str(settings.GENERATION_MODELS["tiny-wan-i2v"]["source"]))
    if not (source / "model_index.json").exists():
        call_command("build_tiny_model", model="tiny-wan-i2v")
    settings.GENERATION_ENABLED_MODELS = MODELS
    settings.GENERATION_QUEUE = f"gpu-i2v-{time.monotonic_ns()}"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="i2v",
    )
    worker.env.update(VERNISSAGE_MODELS=",".join(MODELS), VERNISSAGE_WORKER_MODELS="tiny-wan-i2v")
    worker.start()
    yield worker
    worker.stop()


def _src(page: str, element_id: str) -> str:
    match = re.search(rf'<img id="{element_id}" src="([^"]+)"', page) or re.search(
        rf'<figure id="{element_id}">\s*<img src="([^"]+)"', page
    )
    assert match is not None, f"no {element_id} on the page"
    return html.unescape(match.group(1))


def test_upload_submit_render_review_publish_with_the_start_image(
    client, artist, other_artist, reviewer, cohort, i2v_worker, settings, tmp_path
):
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image"])
    client.force_login(artist)
    uploaded = client.post("/api/v1/uploads/", {"image": upload(picture(size=(96, 64)))})
    assert uploaded.status_code == 201, uploaded.content
    image_id = uploaded.json()["id"]
    response = client.post(
        "/api/v1/generations/",
        {"mode": "image", "start_image": image_id, "prompt": "the harbour wakes up",
         "duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9", "seed": 11},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["model"] == "tiny-wan-i2v"
    job = wait_for_job(response.json()["id"], lambda j: j.is_terminal, timeout=120)
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, i2v_worker.log())
    output = Output.objects.get(job=job)
    start_image = job.start_image
    assert start_image is not None and start_image.pk == image_id

    # The artist's job page shows the input, through the media door.
    page = client.get(f"/generations/{job.pk}/").content.decode()
    mine = client.get(_src(page, "job-start-image"))
    assert mine.status_code == 200 and mine["Content-Type"] == "image/png"
    stored = b"".join(mine.streaming_content)
    assert stored == start_image.file.open("rb").read()

    # The reviewer's item page shows it beside the output; the link works for them.
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{output.review.pk}/").content.decode()
    assert 'id="review-video"' in page
    seen = client.get(_src(page, "review-start-image"))
    assert seen.status_code == 200 and b"".join(seen.streaming_content) == stored
    # Nobody else: another artist, with a link made for them, gets a 404.
    client.force_login(other_artist)
    assert client.get(input_image_url(image=start_image, viewer=other_artist)).status_code == 404

    review_decide(
        item=output.review, reviewer=reviewer, decision=ReviewStatus.APPROVED, claim_if_free=True
    )
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    client.logout()
    assert f"/gallery/{publication.pk}/media/" in client.get("/gallery/").content.decode()

    # The artist's data export has the job with its mode and input, and the image itself.
    client.force_login(artist)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/my-data.zip").content))
    [exported] = json.loads(archive.read("jobs.json"))
    assert (exported["mode"], exported["start_image"]) == ("image", image_id)
    assert archive.read(f"uploads/{image_id}.png") == stored

    # The signed video names the start image as an ingredient, and still validates.
    path = tmp_path / "video.mp4"
    path.write_bytes(output.video.open("rb").read())
    report = read_manifest(
        path, trust_anchors_pem=(settings.C2PA_DEV_DIR / "root.pem").read_bytes()
    )
    assert report.is_trusted, (report.state, report.failures)
    [ingredient] = report.manifest["ingredients"]  # type: ignore[index]
    assert ingredient["title"] == "start image.png"
    assert ingredient["relationship"] == "inputTo" and ingredient["format"] == "image/png"
    assert "thumbnail" not in ingredient  # the manifest is public; the input is not
