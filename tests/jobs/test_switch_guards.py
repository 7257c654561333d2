"""Guards in ``containment.switches`` that no other test defended (docs/mutation.md): stopping
touches only work that is still running and not yet asked to stop; a suspension revokes
only live tokens. Each test names its guard; taking the guard away
(tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.roles import Role
from accounts.services import api_token_create, api_token_revoke, user_create
from audit.models import AuditEvent
from cohorts.services import cohort_create
from containment.switches import account_suspend, cohort_stop_running
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


def make_job(artist: User, status: str, **fields: object) -> Job:
    now = timezone.now()
    if status == JobStatus.RUNNING:
        fields = {"started_at": now, "attempt": 1, "lease_expires_at": now, **fields}
    else:
        fields = {"started_at": now, "attempt": 1, "finished_at": now, **fields}
    assert artist.cohort is not None
    return Job.objects.create(
        artist=artist, cohort=artist.cohort, status=status, prompt="a lantern in fog",
        duration_seconds=2, resolution="480p", aspect_ratio="16:9", seed=3, model="tiny-wan",
        num_frames=9, width=64, height=64, fps=8, steps=4, guidance=5.0, max_attempts=3,
        **fields,
    )  # fmt: skip


def test_stopping_leaves_finished_jobs_alone(artist, program_admin):
    """The guard: ``jobs.services.jobs_stop_by_operator``'s ``status=JobStatus.RUNNING`` (beside
    ``cancel_requested_at__isnull``). Finished jobs are not "asked to stop", and their
    quota is not refunded by an operator's stop."""
    done = make_job(artist, JobStatus.SUCCEEDED, progress=1.0)
    failed = make_job(artist, JobStatus.FAILED, error_code="render_failed")
    running = make_job(artist, JobStatus.RUNNING)
    assert artist.cohort is not None

    assert cohort_stop_running(admin=program_admin, cohort=artist.cohort) == 1

    for finished in (done, failed):
        finished.refresh_from_db()
        assert finished.cancel_requested_at is None and not finished.quota_refunded
    running.refresh_from_db()
    assert running.cancel_requested_at is not None and running.quota_refunded


def test_stopping_a_cohort_leaves_the_other_cohorts_running(artist, program_admin):
    """The guard: ``cohort_stop_running``'s ``filter(cohort=cohort)``: only this cohort's
    running jobs are asked to stop."""
    wave_2 = cohort_create(actor=None, name="Wave 2", capacity=5, daily_generation_quota=7)
    elsewhere = user_create(
        email="dana@example.com", password="x" * 16, role=Role.ARTIST, cohort=wave_2
    )
    theirs = make_job(elsewhere, JobStatus.RUNNING)
    ours = make_job(artist, JobStatus.RUNNING)
    assert artist.cohort is not None

    assert cohort_stop_running(admin=program_admin, cohort=artist.cohort) == 1

    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.cancel_requested_at is None and not theirs.quota_refunded
    assert ours.cancel_requested_at is not None


def test_a_job_its_artist_already_asked_to_stop_keeps_that_request(artist, program_admin):
    """The guard: ``jobs.services.jobs_stop_by_operator``'s
    ``cancel_requested_at__isnull=True``. A running
    job its artist cancelled a minute ago keeps the artist's request (and pays for it:
    no refund), and is not counted as stopped by the operator."""
    asked_at = timezone.now() - timedelta(minutes=1)
    cancelling = make_job(artist, JobStatus.RUNNING, cancel_requested_at=asked_at)
    assert artist.cohort is not None

    assert cohort_stop_running(admin=program_admin, cohort=artist.cohort) == 0

    cancelling.refresh_from_db()
    assert cancelling.cancel_requested_at == asked_at
    assert not cancelling.quota_refunded


def test_a_suspension_keeps_the_time_a_token_was_revoked_earlier(artist, program_admin):
    """The guard: ``account_suspend``'s ``revoked_at__isnull=True``. A token the artist
    revoked last week keeps that date (the record of when it stopped working), and the
    audit event counts only the tokens the suspension revoked."""
    old = api_token_create(user=artist, name="old laptop", scope="read").token
    api_token_revoke(token=old, actor=artist)
    revoked_at = timezone.now() - timedelta(days=7)
    ApiToken.objects.filter(pk=old.pk).update(revoked_at=revoked_at)
    live = api_token_create(user=artist, name="render script", scope="generate").token

    account_suspend(admin=program_admin, user=artist, reason="Token seen on a public site")

    old.refresh_from_db()
    live.refresh_from_db()
    assert old.revoked_at == revoked_at
    assert live.revoked_at is not None and live.revoked_at > revoked_at
    event = AuditEvent.objects.get(action="account.suspend")
    assert event.data["tokens_revoked"] == 1
