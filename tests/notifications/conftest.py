from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.test import Client

from jobs.models import Job
from jobs.worker import job_claim

REQUEST = {
    "prompt": "a lantern on a quiet pier",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}
# What the worker hands to encoding: 9 frames of 48 x 80 (the tiny model's size).
FRAMES = np.zeros((9, 48, 80, 3), dtype=np.uint8)


def submit(client: Client, user: Any) -> int:
    client.force_login(user)
    response = client.post("/api/v1/generations/", REQUEST, content_type="application/json")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


@pytest.fixture
def claimed_job(client, artist, settings):
    """A job of ``artist`` submitted through the API and claimed as a worker would: the
    state ``jobs.worker._encode_and_store`` runs in. No worker listens on the queue."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"

    def make(user: Any = None) -> Job:
        job = job_claim(job_id=submit(client, user or artist))
        assert job is not None
        return job

    return make
