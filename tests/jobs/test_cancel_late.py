"""A cancel is honoured until the output is committed (issue 14.6): a cancel asked while
the video is being encoded ends the job canceled, with no output and no files left."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus, Output
from jobs.services import job_cancel
from jobs.worker import _encode_and_store, job_claim
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db

JOB = {"prompt": "a red kite", "duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}


@pytest.mark.parametrize(
    "protection", protection_params(reason="a cancel during encoding ended 'succeeded'")
)
def test_a_cancel_during_encoding_is_honoured(client, artist, settings, protection, monkeypatch):
    """The protection: the success UPDATE in ``jobs.worker._encode_and_store`` requires
    ``cancel_requested_at`` to be empty, and turns a cancel into RenderCanceled."""
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    client.force_login(artist)
    job_id = client.post("/api/v1/generations/", JOB, content_type="application/json").json()["id"]
    job = job_claim(job_id=job_id)
    assert job is not None
    if protection == "off":
        from django.db.models import QuerySet

        original = QuerySet.filter

        def filter_ignoring_cancel(self, *args, **kwargs):
            kwargs.pop("cancel_requested_at__isnull", None)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(QuerySet, "filter", filter_ignoring_cancel)

    # The artist cancels while the worker encodes (after the last denoising step).
    from generation import encoding

    real_encode = encoding.encode_mp4

    def encode_while_cancelled(*args, **kwargs):
        job_cancel(job=Job.objects.get(pk=job_id), actor=artist)
        return real_encode(*args, **kwargs)

    monkeypatch.setattr(encoding, "encode_mp4", encode_while_cancelled)
    from generation.runner import RenderCanceled

    with pytest.raises(RenderCanceled):
        _encode_and_store(job, np.zeros((9, 48, 80, 3), dtype=np.uint8))
    assert not Output.objects.exists()
    assert list((settings.MEDIA_ROOT / "private").rglob(f"job-{job_id}-*")) == []
    assert Job.objects.get(pk=job_id).cancel_requested_at is not None


def test_a_job_not_cancelled_still_succeeds(client, artist, settings):
    settings.GENERATION_QUEUE = "gpu-nobody-listens"
    client.force_login(artist)
    job_id = client.post("/api/v1/generations/", JOB, content_type="application/json").json()["id"]
    job = job_claim(job_id=job_id)
    assert job is not None
    output = _encode_and_store(job, np.zeros((9, 48, 80, 3), dtype=np.uint8))
    assert Job.objects.get(pk=job_id).status == JobStatus.SUCCEEDED
    assert output.job_id == job_id and output.created_at <= timezone.now()
