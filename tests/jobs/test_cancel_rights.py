"""Who may cancel a job: its artist (a session or a generate token), or staff who review
(a session or a review:write token). Nobody else, whatever flag or token they hold."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import TokenScope, User
from accounts.services import api_token_create
from domain.errors import NotAllowed
from jobs.models import Job, JobStatus
from jobs.services import job_cancel
from tests.conftest import old_token

pytestmark = pytest.mark.django_db


def queued_job(artist: User) -> Job:
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, prompt="a lantern in fog", duration_seconds=2,
        resolution="480p", aspect_ratio="16:9", seed=3, model="tiny-wan", num_frames=9,
        width=64, height=64, fps=8, steps=4, guidance=5.0,
    )  # fmt: skip


def cancel(job: Job, secret: str):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/v1/generations/{job.pk}/cancel/"
    )


def test_the_staff_flag_alone_does_not_let_anyone_cancel_others_jobs(artist, other_artist):
    """``is_staff`` without the review permission (an operator ticking the box in the
    admin) is not "staff who review": the service refuses."""
    User.objects.filter(pk=other_artist.pk).update(is_staff=True)
    flagged = User.objects.get(pk=other_artist.pk)
    job = queued_job(artist)
    with pytest.raises(NotAllowed):
        job_cancel(job=job, actor=flagged)
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_the_artist_and_a_reviewer_may_cancel(artist, reviewer):
    mine, theirs = queued_job(artist), queued_job(artist)
    assert job_cancel(job=mine, actor=artist).status == JobStatus.CANCELED
    assert job_cancel(job=theirs, actor=reviewer).status == JobStatus.CANCELED


def test_another_artists_generate_token_cannot_cancel(artist, other_artist):
    job = queued_job(artist)
    secret = api_token_create(user=other_artist, name="batch", scope="generate").secret
    assert cancel(job, secret).status_code == 404
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_a_staff_generate_token_cancels_nothing(artist, reviewer):
    job = queued_job(artist)
    refused = cancel(job, old_token(reviewer, TokenScope.GENERATE))
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_staff_cancel_with_review_write_only(artist, reviewer):
    job = queued_job(artist)
    reader = api_token_create(user=reviewer, name="queue", scope="review:read").secret
    refused = cancel(job, reader)
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")
    writer = api_token_create(user=reviewer, name="desk", scope="review:write").secret
    done = cancel(job, writer)
    assert done.status_code == 200 and done.json()["status"] == "canceled"


def test_the_artists_own_generate_token_cancels(artist):
    job = queued_job(artist)
    secret = api_token_create(user=artist, name="batch", scope="generate").secret
    assert cancel(job, secret).json()["status"] == "canceled"
