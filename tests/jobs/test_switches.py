"""Kill switches: the narrowest containment first, nothing deleted, resuming restores."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import ApiToken
from accounts.services import api_token_create
from containment.switches import account_restore, account_suspend, generation_pause_all
from domain.errors import NotAllowed
from jobs.models import Job, JobStatus
from tests.bystanders import Bystanders, give_everything

pytestmark = pytest.mark.django_db

JOB = {"prompt": "a red kite", "duration_seconds": 2, "resolution": "480p", "aspect_ratio": "16:9"}


def submit(client, **extra):
    return client.post("/api/v1/generations/", JOB, content_type="application/json", **extra)


def test_suspending_one_account_ends_its_sessions_tokens_and_jobs_only(
    client, artist, other_artist, program_admin, reviewer, make_output
):
    secret = api_token_create(user=artist, name="cli", scope="generate").secret
    client.force_login(artist)
    queued_id = submit(client).json()["id"]
    other = give_everything(other_artist, reviewer=reviewer, make_output=make_output)
    assert submit(other).status_code == 201
    bystanders = Bystanders.snapshot(except_for=[artist])
    assert bystanders.of(other_artist).has_everything

    account_suspend(admin=program_admin, user=artist, reason="Token seen on a public site")

    # Session ended: the same browser is signed out on its next request.
    assert client.get("/api/v1/me/").status_code == 401
    # Token revoked.
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert ApiToken.objects.get(user=artist).revoked_at is not None
    # Queued work stopped, refunded, not deleted.
    job = Job.objects.get(pk=queued_id)
    assert job.status == JobStatus.CANCELED and job.quota_refunded
    # Nobody else is affected: their jobs, quota, tokens, sessions and publications are
    # as they were, and they go on working.
    bystanders.assert_untouched()
    assert submit(other).status_code == 201
    # Signing in again is barred (tests/accounts/test_suspension.py); a session made
    # anyway is worth nothing.
    client.force_login(artist)
    assert submit(client).status_code in (401, 403)
    artist.refresh_from_db()
    assert artist.notifications.filter(message__contains="suspended").exists()

    account_restore(admin=program_admin, user=artist)
    assert submit(client).status_code == 201


def test_global_switch_pauses_everyone_and_resumes(client, artist, other_artist, program_admin):
    with pytest.raises(ValidationError):
        generation_pause_all(admin=program_admin, paused=True, reason="")
    generation_pause_all(admin=program_admin, paused=True, reason="Model rollback")
    for person in (artist, other_artist):
        client.force_login(person)
        response = submit(client)
        assert (
            response.status_code == 403
            and "paused for everyone: Model rollback" in response.json()["detail"]
        )
    generation_pause_all(admin=program_admin, paused=False)
    assert submit(client).status_code == 201


def test_stop_running_asks_running_jobs_to_stop_at_the_next_step(client, artist, program_admin):
    client.force_login(artist)
    job_id = submit(client).json()["id"]
    from jobs.worker import job_claim

    job_claim(job_id=job_id)  # a worker has it
    generation_pause_all(admin=program_admin, paused=True, reason="Incident", stop_running=True)
    job = Job.objects.get(pk=job_id)
    assert (
        job.status == JobStatus.RUNNING
        and job.cancel_requested_at is not None
        and job.quota_refunded
    )


def test_only_program_admins_use_switches(client, artist, reviewer):
    with pytest.raises(NotAllowed):
        generation_pause_all(admin=reviewer, paused=True, reason="x")
    with pytest.raises(NotAllowed):
        account_suspend(admin=reviewer, user=artist, reason="x")
    client.force_login(reviewer)
    assert client.get("/staff/switches/").status_code == 403


def test_switch_page_suspends_by_email(client, artist, program_admin):
    client.force_login(program_admin)
    assert client.get("/staff/switches/").status_code == 200
    client.post(
        "/staff/switches/",
        {"action": "suspend", "email": "ALICE@example.com", "reason": "Leak", "stop_running": "on"},
    )
    artist.refresh_from_db()
    assert artist.is_paused and artist.paused_reason == "Leak"
    page = client.post(
        "/staff/switches/",
        {"action": "suspend", "email": "nobody@example.com", "reason": "x"},
        follow=True,
    )
    assert "No such cohort or account." in page.content.decode()
