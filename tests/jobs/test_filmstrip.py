"""The worker writes a filmstrip with each output (issue 18): evenly spaced marked frames
side by side in one private JPEG, stored with the video and poster and fetched only
through the media door, by the artist and staff who review."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

from jobs.models import JobStatus, Output
from tests.jobs.conftest import wait_for_job
from web.media_links import media_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_makes_a_private_filmstrip(client, artist, other_artist, reviewer, gpu_worker):
    client.force_login(artist)
    response = client.post(
        "/api/v1/generations/",
        {"prompt": "a red kite over dunes", "duration_seconds": 2, "resolution": "480p",
         "aspect_ratio": "16:9", "seed": 77},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["id"], lambda j: j.is_terminal)
    assert job.status == JobStatus.SUCCEEDED, (job.error_message, gpu_worker.log())
    output = Output.objects.get(job=job)

    # Stored beside the video and poster, same stem; ten tiles of the 17 frames, 90 px high.
    assert output.filmstrip.name == str(output.video.name).removesuffix(".mp4") + "-filmstrip.jpg"
    assert (output.filmstrip_frames, output.filmstrip_tile_width) == (10, round(80 * 90 / 48))
    with output.filmstrip.open("rb") as handle:
        strip = Image.open(io.BytesIO(handle.read()))
    assert strip.format == "JPEG"
    assert strip.size == (output.filmstrip_frames * output.filmstrip_tile_width, 90)
    # Not one frame repeated: the tiles differ (the tiny model's frames move).
    tiles = [strip.crop((i * 150, 0, (i + 1) * 150, 90)).tobytes() for i in range(10)]
    assert len(set(tiles)) > 1

    # The artist's own link works; nobody else's hands, nor anonymous ones.
    own = media_url(output=output, kind="filmstrip", viewer=artist)
    fetched = client.get(own)
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"
    assert b"".join(fetched.streaming_content)[:2] == b"\xff\xd8"
    assert "no-store" in fetched["Cache-Control"]
    other = Client()
    other.force_login(other_artist)
    assert other.get(own).status_code == 404
    assert (
        other.get(media_url(output=output, kind="filmstrip", viewer=other_artist)).status_code
        == 404
    )
    assert Client().get(own).status_code == 404
    assert Client().get(media_url(output=output, kind="filmstrip", viewer=None)).status_code == 404

    # A reviewer sees it in the queue, with a link made for them.
    staff = Client()
    staff.force_login(reviewer)
    page = staff.get("/staff/review/").content.decode()
    link = re.search(r'class="queue-filmstrip" src="([^"]+)"', page)
    assert link is not None
    assert staff.get(link.group(1).replace("&amp;", "&")).status_code == 200
    assert staff.get(own).status_code == 404  # the artist's link is not theirs
