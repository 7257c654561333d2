"""Submit through the API, a real worker runs the real tiny pipeline over a real Redis
broker, and the owner (only) gets a playable video."""

from __future__ import annotations

import subprocess

import pytest

from generation.encoding import probe
from jobs.models import Job, JobStatus, Output
from tests.jobs.conftest import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)

REQUEST = {
    "prompt": "a red bird over the sea",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def submit(client, **changes):
    response = client.post(
        "/api/v1/generations/", {**REQUEST, **changes}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_api_submit_to_playable_video_for_the_owner_only(
    client, artist, other_artist, reviewer, gpu_worker, tmp_path
):
    client.force_login(artist)
    job_id = submit(client, seed=1234)
    job = wait_for_job(job_id, lambda j: j.is_terminal)
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, gpu_worker.log())
    assert job.progress == 1.0 and job.attempt == 1 and job.finished_at

    body = client.get(f"/api/v1/generations/{job_id}/").json()
    output = body["output"]
    assert (output["width"], output["height"], output["fps"]) == (80, 48, 8)
    assert output["video_url"].startswith(f"/m/{job.output.pk}/video/?t=")
    assert output["duration_seconds"] == pytest.approx(17 / 8, abs=0.05)

    video = client.get(output["video_url"])
    assert video.status_code == 200 and video["Content-Type"] == "video/mp4"
    assert "no-store" in video["Cache-Control"]
    path = tmp_path / "fetched.mp4"
    path.write_bytes(b"".join(video.streaming_content))
    info = probe(path)
    assert (info.codec, info.pix_fmt, info.width, info.height, info.frame_count) == (
        "h264",
        "yuv420p",
        80,
        48,
        17,
    )
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        check=False,
    )
    assert decoded.returncode == 0 and decoded.stderr == b""
    poster = client.get(output["poster_url"])
    assert poster.status_code == 200 and b"".join(poster.streaming_content)[:2] == b"\xff\xd8"
    assert Output.objects.get(job_id=job_id).sha256 == output["sha256"]

    # Unapproved: nobody but the artist and staff, not even with the artist's own URL.
    client.force_login(other_artist)
    assert client.get(output["video_url"]).status_code == 404
    assert client.get(output["poster_url"]).status_code == 404
    client.logout()
    assert client.get(output["video_url"]).status_code == 404
    client.force_login(reviewer)
    assert client.get(output["video_url"]).status_code == 404
    staff_url = client.get(f"/api/v1/generations/{job_id}/").json()["output"]["video_url"]
    assert client.get(staff_url).status_code == 200


def test_private_files_live_outside_any_public_url(artist, gpu_worker, client, settings):
    client.force_login(artist)
    job = wait_for_job(submit(client), lambda j: j.is_terminal)
    name = job.output.video.name
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/private/{name}").status_code == 404
    assert client.get(f"/static/{name}").status_code == 404
    with pytest.raises(NotImplementedError):
        job.output.video.url  # noqa: B018


def test_model_is_loaded_once_across_jobs(client, artist, gpu_worker):
    client.force_login(artist)
    ids = [submit(client, prompt=f"scene number {i}") for i in range(3)]
    jobs = [wait_for_job(i, lambda j: j.is_terminal) for i in ids]
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED] * 3
    assert len({j.pipeline_loaded_at for j in jobs}) == 1
    assert len({j.worker for j in jobs}) == 1
    assert sum("loaded model tiny-wan" in line for line in gpu_worker.lines) == 1


def test_cancel_while_running_stops_at_the_next_step(client, artist, gpu_worker, settings):
    settings.GENERATION_MODELS = {
        **settings.GENERATION_MODELS,
        "tiny-wan": {**settings.GENERATION_MODELS["tiny-wan"], "steps": 400},
    }
    client.force_login(artist)
    job_id = submit(client, duration_seconds=10)
    wait_for_job(job_id, lambda j: j.status == JobStatus.RUNNING and j.progress > 0)
    response = client.post(f"/api/v1/generations/{job_id}/cancel/")
    assert response.status_code == 200
    job = wait_for_job(job_id, lambda j: j.is_terminal, timeout=30)
    assert job.status == JobStatus.CANCELED
    assert job.progress < 0.9
    assert not Output.objects.filter(job_id=job_id).exists()


def test_cancel_while_queued_means_it_never_runs(client, artist, settings):
    from jobs.worker import job_claim

    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    client.force_login(artist)
    job_id = submit(client)
    body = client.post(f"/api/v1/generations/{job_id}/cancel/").json()
    assert body["status"] == "canceled"
    assert job_claim(job_id=job_id) is None
    assert client.post(f"/api/v1/generations/{job_id}/cancel/").json()["status"] == "canceled"
    assert Job.objects.get(pk=job_id).attempt == 0


def test_finished_job_cannot_be_canceled(client, artist, gpu_worker):
    client.force_login(artist)
    job_id = submit(client)
    wait_for_job(job_id, lambda j: j.is_terminal)
    response = client.post(f"/api/v1/generations/{job_id}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
