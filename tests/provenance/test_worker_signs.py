"""A real job through a real worker: the video the artist (and, once published, anyone)
downloads carries a valid manifest, and the stored hash is the signed file's."""

from __future__ import annotations

import hashlib

import pytest

from accounts.services import user_set_public_credit
from generation.encoding import probe
from generation.provenance import DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA, read_manifest
from jobs.models import JobStatus, Output
from tests.jobs.conftest import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_output_is_signed_and_its_hash_is_of_the_signed_file(
    client, artist, gpu_worker, settings, tmp_path
):
    user_set_public_credit(user=artist, credit="Alice of the Harbour")
    client.force_login(artist)
    response = client.post(
        "/api/v1/generations/",
        {"prompt": "a paper boat", "duration_seconds": 2, "resolution": "480p",
         "aspect_ratio": "16:9", "seed": 7},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["id"], lambda j: j.is_terminal)
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, gpu_worker.log())

    body = client.get(f"/api/v1/generations/{job.pk}/").json()["output"]
    video = client.get(body["video_url"])
    assert video.status_code == 200
    data = b"".join(video.streaming_content)
    output = Output.objects.get(job=job)
    assert hashlib.sha256(data).hexdigest() == output.sha256 == body["sha256"]
    assert len(data) == output.size_bytes
    path = tmp_path / "downloaded.mp4"
    path.write_bytes(data)
    assert probe(path).frame_count == output.frame_count

    # The worker made the development chain in the data folder on first use.
    root = (settings.C2PA_DEV_DIR / "root.pem").read_bytes()
    report = read_manifest(path, trust_anchors_pem=root)
    assert report.is_trusted, (report.state, report.failures)
    [created] = report.assertion("c2pa.actions")["actions"]  # type: ignore[index]
    assert created["digitalSourceType"] == DIGITAL_SOURCE_TRAINED_ALGORITHMIC_MEDIA
    assert created["softwareAgent"]["name"] == job.model
    work = report.assertion("stds.schema-org.CreativeWork")
    assert work is not None and work["author"] == [
        {"@type": "Person", "name": "Alice of the Harbour"}
    ]
    assert artist.email.encode() not in data and b"paper boat" not in data
