"""Storyboard, extend, variations and an end image end to end on the real stack (issue 17):
PostgreSQL, Redis, a real Celery worker serving the tiny text-, image- and
first-and-last-frame models (built by the project's own command), ffmpeg, review and
publication, and the C2PA manifest naming each input."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from PIL import Image

from cohorts.services import cohort_set_allowed_modes
from domain.errors import DomainError
from generation.encoding import probe, read_frames, sha256_of
from generation.provenance import read_manifest
from jobs.models import Job, JobStatus, Output
from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_decide
from publishing.models import Publication
from publishing.services import publication_create
from tests.jobs.conftest import wait_for_job
from tests.uploads.conftest import picture, upload
from tests.workers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = ["tiny-wan", "tiny-wan-i2v", "tiny-wan-flf2v"]
ALL_MODES = ["text", "image", "extend", "storyboard"]


@pytest.fixture
def modes_worker(django_db_setup, settings) -> Iterator[WorkerProcess]:
    """A worker on this test's own queue serving every tiny model."""
    for name in MODELS:
        source = Path(str(settings.GENERATION_MODELS[name]["source"]))
        if not (source / "model_index.json").exists():
            call_command("build_tiny_model", model=name)
    settings.GENERATION_ENABLED_MODELS = MODELS
    settings.GENERATION_QUEUE = f"gpu-modes-{time.monotonic_ns()}"
    worker = WorkerProcess(
        queue=settings.GENERATION_QUEUE,
        database_name=connection.settings_dict["NAME"],
        name="modes",
    )
    worker.env.update(VERNISSAGE_MODELS=",".join(MODELS), VERNISSAGE_WORKER_MODELS=",".join(MODELS))
    worker.start()
    yield worker
    worker.stop()


def _post(client, **body) -> dict:
    response = client.post("/api/v1/generations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _finished(job_id: int, worker: WorkerProcess) -> Job:
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=180)
    assert job.status == JobStatus.SUCCEEDED, (job.error_code, job.error_message, worker.log())
    return job


def _file(output: Output, folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(output.video.open("rb").read())
    return path


def _ingredients(path: Path, settings) -> list[dict]:
    report = read_manifest(
        path, trust_anchors_pem=(settings.C2PA_DEV_DIR / "root.pem").read_bytes()
    )
    assert report.is_trusted, (report.state, report.failures)
    return list(report.manifest.get("ingredients", []))  # type: ignore[union-attr]


def test_a_storyboard_is_cut_together_then_extended_without_a_seam(
    client, artist, reviewer, cohort, modes_worker, settings, tmp_path
):
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=ALL_MODES)
    client.force_login(artist)
    image_id = client.post("/api/v1/uploads/", {"image": upload(picture(size=(96, 64)))}).json()[
        "id"
    ]
    board = _post(
        client,
        mode="storyboard",
        resolution="480p",
        aspect_ratio="16:9",
        seed=5,
        shots=[
            {"prompt": "a lighthouse at dusk", "duration_seconds": 2},
            {"prompt": "the lamp turns", "duration_seconds": 5, "start_image": image_id},
        ],
    )
    assert [shot["position"] for shot in board["shots"]] == [0, 1]
    assert [shot["model"] for shot in board["shots"]] == ["tiny-wan", "tiny-wan-i2v"]
    assert board["num_frames"] == sum(shot["num_frames"] for shot in board["shots"])
    job = _finished(board["id"], modes_worker)
    output = Output.objects.get(job=job)
    board_path = _file(output, tmp_path, "board.mp4")
    info = probe(board_path)
    # One video of both shots, at the job's size and pace.
    assert info.frame_count == job.num_frames == 17 + 41
    assert (info.width, info.height, info.fps) == (job.width, job.height, job.fps)
    assert [i["title"] for i in _ingredients(board_path, settings)] == ["shot 2 start image.png"]

    # The reviewer's page lists the shots beside the video; they decide on the whole.
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{output.review.pk}/").content.decode()
    assert "the lamp turns" in page and "a lighthouse at dusk" in page
    review_decide(
        item=output.review, reviewer=reviewer, decision=ReviewStatus.APPROVED, claim_if_free=True
    )
    publication_create(output=output, artist=artist, visibility="gallery")

    # Extend it: the new output is the storyboard and the continuation, joined.
    client.force_login(artist)
    parent_sha = output.sha256
    extension = _post(client, mode="extend", extends=job.pk, duration_seconds=2)
    # The parent's settings by default; a storyboard's prompt is its last shot's, the
    # one the extension continues (jobs.modes.extension_defaults).
    assert extension["prompt"] == "the lamp turns"
    assert (extension["width"], extension["height"], extension["fps"]) == (
        job.width,
        job.height,
        job.fps,
    )
    extended = _finished(extension["id"], modes_worker)
    path = _file(Output.objects.get(job=extended), tmp_path, "extended.mp4")
    joined = probe(path)
    # The continuation's first frame is the parent's last: kept once.
    assert joined.frame_count == info.frame_count + extended.num_frames - 1
    assert (joined.width, joined.height, joined.fps) == (info.width, info.height, info.fps)
    # The parent's frames are in it unchanged (cut, not re-encoded).
    parent_frames, all_frames = read_frames(board_path), read_frames(path)
    assert np.array_equal(all_frames[: len(parent_frames)], parent_frames)
    [ingredient] = _ingredients(path, settings)
    assert (ingredient["title"], ingredient["relationship"]) == ("extended video.mp4", "parentOf")
    # The extension is reviewed and published on its own, like any output.
    extended_output = Output.objects.get(job=extended)
    # Its filmstrip spans the whole joined video (issue 18): its first tile is the
    # parent's first frame, as in the parent's own strip (up to compression).
    assert extended_output.filmstrip_frames == min(10, joined.frame_count)
    tiles = []
    for strip_of in (output, extended_output):
        with strip_of.filmstrip.open("rb") as handle:
            strip = Image.open(io.BytesIO(handle.read())).convert("RGB")
        tiles.append(np.asarray(strip.crop((0, 0, strip_of.filmstrip_tile_width, 90)), float))
    assert np.abs(tiles[0] - tiles[1]).mean() < 12
    review_decide(
        item=extended_output.review, reviewer=reviewer, decision=ReviewStatus.APPROVED,
        claim_if_free=True,
    )  # fmt: skip
    publication_create(output=extended_output, artist=artist, visibility="gallery")
    assert [p.output_id for p in Publication.objects.order_by("pk")] == [
        output.pk,
        extended_output.pk,
    ]
    # The parent is untouched, and still its own output.
    output.refresh_from_db()
    assert output.sha256 == parent_sha == sha256_of(board_path)

    # The artist's data export has the shots, the extension's parent and the shot's image.
    archive = zipfile.ZipFile(io.BytesIO(client.get("/my-data.zip").content))
    shots = json.loads(archive.read("shots.json"))
    assert [(s["job"], s["position"], s["start_image"]) for s in shots] == [
        (job.pk, 0, None),
        (job.pk, 1, image_id),
    ]
    exported = {j["id"]: j for j in json.loads(archive.read("jobs.json"))}
    assert exported[extended.pk]["extends"] == job.pk
    assert f"uploads/{image_id}.png" in archive.namelist()


def test_variations_are_jobs_of_consecutive_seeds_each_with_its_own_review(
    client, artist, reviewer, cohort, modes_worker
):
    client.force_login(artist)
    first = _post(
        client, prompt="tide pools", duration_seconds=2, resolution="480p", aspect_ratio="1:1",
        seed=40, variations=3,
    )  # fmt: skip
    ids = first["variations"]
    assert len(ids) == 3 and ids[0] == first["id"]
    jobs = [_finished(pk, modes_worker) for pk in ids]
    assert [j.seed for j in jobs] == [40, 41, 42]
    assert [j.variation_index for j in jobs] == [0, 1, 2]
    outputs = [Output.objects.get(job=j) for j in jobs]
    assert len({o.sha256 for o in outputs}) == 3  # three different videos
    assert all(o.review.status == ReviewStatus.PENDING for o in outputs)
    # Every variation answers with the whole submission.
    assert client.get(f"/api/v1/generations/{ids[2]}/").json()["variations"] == ids
    # Each is decided on its own: one approved and published, one rejected, one waiting.
    review_decide(item=outputs[0].review, reviewer=reviewer, decision=ReviewStatus.APPROVED,
                  claim_if_free=True)  # fmt: skip
    review_decide(item=outputs[1].review, reviewer=reviewer, decision=ReviewStatus.REJECTED,
                  claim_if_free=True, reason_code="content_policy",
                  note="Outside the policy.")  # fmt: skip
    publication_create(output=outputs[0], artist=artist, visibility="gallery")
    states = [ReviewItem.objects.get(output=o).status for o in outputs]
    assert states == [ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.PENDING]
    with pytest.raises(DomainError):
        publication_create(output=outputs[1], artist=artist, visibility="gallery")


def test_an_image_job_ends_on_its_end_image(
    client, artist, cohort, modes_worker, settings, tmp_path
):
    cohort_set_allowed_modes(actor=None, cohort=cohort, modes=["text", "image"])
    client.force_login(artist)
    start, end = (
        client.post("/api/v1/uploads/", {"image": upload(picture(size=size))}).json()["id"]
        for size in ((96, 64), (64, 96))
    )
    body = _post(
        client, mode="image", start_image=start, end_image=end, prompt="dawn to dusk",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9",
    )  # fmt: skip
    assert body["model"] == "tiny-wan-flf2v" and body["end_image"] == end
    job = _finished(body["id"], modes_worker)
    path = _file(Output.objects.get(job=job), tmp_path, "ends.mp4")
    titles = [i["title"] for i in _ingredients(path, settings)]
    assert titles == ["start image.png", "end image.png"]
