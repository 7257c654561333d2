"""Downloads of one's own outputs (issue 14; decision 0027): the stored, signed MP4, only to
its artist, only as the cohort's ``download_policy`` says, re-checked when the bytes go out,
audited once per download."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import User
from accounts.services import api_token_create
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from cohorts.models import Cohort
from cohorts.options import DownloadPolicy
from cohorts.services import cohort_set_download_policy
from containment.switches import account_suspend
from domain.errors import NotAllowed
from jobs.models import Job, JobStatus, Output
from moderation.services import (
    review_approve,
    review_claim,
    review_reject,
    review_revoke_approval,
)
from publishing.downloads import DownloadRefusal, download_refusal
from publishing.services import publication_create, publication_takedown
from web.media_links import download_url

pytestmark = pytest.mark.django_db

REVIEW_STATES = ["pending", "approved", "rejected", "revoked"]
# policy → review state → the refusal (None: allowed)
RULES: dict[str, dict[str, str | None]] = {
    "never": dict.fromkeys(REVIEW_STATES, "downloads_off"),
    "after_approval": {
        "pending": "review_pending",
        "approved": None,
        "rejected": "not_approved",
        "revoked": "not_approved",
    },
    "always": dict.fromkeys(REVIEW_STATES, None),
}
STATUS = {"downloads_off": 403, "review_pending": 409, "not_approved": 409}


def approve(output: Output, reviewer: User) -> None:
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)


def put_in_state(output: Output, state: str, reviewer: User, program_admin: User) -> None:
    if state in ("approved", "revoked"):
        approve(output, reviewer)
    if state == "rejected":
        review_reject(
            item=review_claim(item=output.review, reviewer=reviewer),
            reviewer=reviewer,
            reason_code="third_party_ip",
            note="The logo belongs to a brand.",
        )
    if state == "revoked":
        output.review.refresh_from_db()
        review_revoke_approval(
            item=output.review, admin=program_admin, reason_code="nda_risk", note="Shows the set."
        )


def set_policy(cohort: Cohort, policy: str, program_admin: User) -> None:
    cohort_set_download_policy(actor=program_admin, cohort=cohort, policy=policy)


def job_json(client: Client, job_id: int) -> dict[str, Any]:
    answer = client.get(f"/api/v1/generations/{job_id}/")
    assert answer.status_code == 200, answer.content
    return answer.json()


def fetch(client: Client, url: str, *, byte_range: str) -> Any:
    return client.get(url, headers={"Range": byte_range})


def body_of(answer: Any) -> bytes:
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def downloads_of(output: Output) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="output.download", object_type="jobs.output", object_id=str(output.pk)
        )
    )


@pytest.fixture
def artist_client(artist: User) -> Client:
    client = Client()
    client.force_login(artist)
    return client


@pytest.fixture
def approved(artist, reviewer, make_output) -> Output:
    output = make_output(artist)
    approve(output, reviewer)
    return output


# --- the rule, each policy and review state, through every surface -------------------


@pytest.mark.parametrize("state", REVIEW_STATES)
@pytest.mark.parametrize("policy", list(RULES))
def test_each_policy_and_review_state(
    policy, state, artist, artist_client, reviewer, program_admin, make_output
):
    output = make_output(artist)
    set_policy(artist.cohort, policy, program_admin)
    put_in_state(output, state, reviewer, program_admin)
    expected = RULES[policy][state]
    job = Job.objects.get(pk=output.job_id)

    refusal = download_refusal(job=job, viewer=artist)
    assert (refusal.value if refusal else None) == expected

    detail = job_json(artist_client, output.job_id)
    assert detail["download_refusal"] == expected
    assert (detail["download_url"] is None) == (expected is not None)

    api = artist_client.get(f"/api/v1/generations/{output.job_id}/download/")
    page = artist_client.get(f"/generations/{output.job_id}/").content.decode()
    if expected is None:
        assert api.status_code == 302
        assert api["Location"].startswith(f"/m/{output.pk}/download/?t=")
        assert 'id="download-link"' in page and "download-refusal" not in page
    else:
        assert api.status_code == STATUS[expected]
        assert api.json()["code"] == "download_not_allowed"
        assert api.json()["reason_code"] == expected
        assert api.json()["detail"] == DownloadRefusal(expected).label
        assert 'id="download-link"' not in page
        assert str(DownloadRefusal(expected).label).replace("'", "&#x27;") in page


def test_the_default_policy_is_after_approval(cohort):
    assert cohort.download_policy == DownloadPolicy.AFTER_APPROVAL
    assert Cohort._meta.get_field("download_policy").default == "after_approval"


def test_a_job_not_finished_has_nothing_to_download(artist, artist_client, make_output):
    Cohort.objects.filter(pk=artist.cohort_id).update(download_policy="always")
    output = make_output(artist)
    Job.objects.filter(pk=output.job_id).update(
        status=JobStatus.QUEUED, progress=0.0, started_at=None, finished_at=None
    )  # (a queued job with an output can't happen; the rule asks for the status first)
    job = Job.objects.get(pk=output.job_id)
    assert download_refusal(job=job, viewer=artist) == DownloadRefusal.NOT_READY
    answer = artist_client.get(f"/api/v1/generations/{output.job_id}/download/")
    assert (answer.status_code, answer.json()["reason_code"]) == (409, "not_ready")


def test_a_takedown_in_force_stops_downloads_whatever_the_policy(
    artist, artist_client, reviewer, program_admin, approved
):
    set_policy(artist.cohort, "always", program_admin)
    publication = publication_create(output=approved, artist=artist, visibility="gallery")
    publication_takedown(publication=publication, staff=reviewer, reason="Rights complaint")
    detail = job_json(artist_client, approved.job_id)
    assert (detail["download_url"], detail["download_refusal"]) == (None, "taken_down")
    answer = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")
    assert (answer.status_code, answer.json()["reason_code"]) == (409, "taken_down")


def test_a_suspended_account_downloads_nothing(artist, program_admin, approved):
    account_suspend(admin=program_admin, user=artist, reason="Shared credentials")
    artist.refresh_from_db()
    job = Job.objects.get(pk=approved.job_id)
    assert download_refusal(job=job, viewer=artist) == DownloadRefusal.ACCOUNT_SUSPENDED


# --- the bytes ---------------------------------------------------------------------------


def test_the_download_is_the_stored_file_byte_for_byte_as_an_attachment(artist_client, approved):
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    answer = artist_client.get(link)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "video/mp4"
    expected = f'attachment; filename="vernissage-{approved.job_id}.mp4"'
    assert answer["Content-Disposition"] == expected
    assert answer["Cache-Control"] == "private, no-store"
    content = body_of(answer)
    assert len(content) == approved.size_bytes
    assert hashlib.sha256(content).hexdigest() == approved.sha256


def test_the_portal_button_hands_out_a_fresh_link(artist_client, approved):
    page = artist_client.get(f"/generations/{approved.job_id}/").content.decode()
    assert f'href="/generations/{approved.job_id}/download/"' in page
    answer = artist_client.get(f"/generations/{approved.job_id}/download/")
    assert answer.status_code == 302
    again = artist_client.get(f"/generations/{approved.job_id}/download/")
    assert answer["Location"] != again["Location"]  # each link is one download
    file = artist_client.get(answer["Location"])
    assert hashlib.sha256(body_of(file)).hexdigest() == approved.sha256


def test_the_portal_button_says_why_not_when_refused(artist, artist_client, make_output):
    output = make_output(artist)  # pending review
    answer = artist_client.get(f"/generations/{output.job_id}/download/", follow=True)
    assert answer.redirect_chain == [(f"/generations/{output.job_id}/", 302)]
    assert "Downloads open once this video is approved." in answer.content.decode()


# --- the audit ---------------------------------------------------------------------------


def test_each_download_is_audited_once_however_many_range_requests(artist, artist_client, approved):
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    size = approved.size_bytes
    parts = [
        fetch(artist_client, link, byte_range=f"bytes=0-{size // 3}"),
        fetch(artist_client, link, byte_range=f"bytes={size // 3 + 1}-{2 * size // 3}"),
        fetch(artist_client, link, byte_range=f"bytes={2 * size // 3 + 1}-"),
    ]
    assert [p.status_code for p in parts] == [206, 206, 206]
    assert all(p["Content-Disposition"].startswith("attachment;") for p in parts)
    whole = b"".join(body_of(p) for p in parts)
    assert hashlib.sha256(whole).hexdigest() == approved.sha256
    events = downloads_of(approved)
    assert len(events) == 1
    event = events[0]
    assert event.actor_id == artist.pk
    assert event.data == {
        "job": approved.job_id,
        "sha256": approved.sha256,
        "size_bytes": approved.size_bytes,
        "policy": "after_approval",
    }
    # A second download (a new link) is a second event; the chain still verifies.
    second = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    assert artist_client.get(second).status_code == 200
    assert len(downloads_of(approved)) == 2
    assert audit_verify_chain().ok


def test_watching_and_refusals_are_not_downloads(artist, artist_client, other_artist, approved):
    video = job_json(artist_client, approved.job_id)["output"]["video_url"]
    assert artist_client.get(video).status_code == 200
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    other = Client()
    other.force_login(other_artist)
    assert other.get(link).status_code == 404
    assert artist_client.head(link).status_code == 200
    assert downloads_of(approved) == []


# --- who ---------------------------------------------------------------------------------


def test_other_artists_get_404_not_403(artist_client, other_artist, approved):
    other = Client()
    other.force_login(other_artist)
    for url in (
        f"/api/v1/generations/{approved.job_id}/download/",
        f"/generations/{approved.job_id}/download/",
    ):
        answer = other.get(url)
        assert answer.status_code == 404, url
    # The artist's own link is no use to them, nor to nobody.
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    assert other.get(link).status_code == 404
    assert Client().get(link).status_code == 404
    # Nor is a link they could sign for themselves.
    assert other.get(download_url(output=approved, viewer=other_artist)).status_code == 404


def test_staff_are_not_offered_downloads(client, reviewer, approved):
    client.force_login(reviewer)
    detail = job_json(client, approved.job_id)
    assert (detail["download_url"], detail["download_refusal"]) == (None, "not_owner")
    answer = client.get(f"/api/v1/generations/{approved.job_id}/download/")
    assert (answer.status_code, answer.json()["reason_code"]) == (403, "not_owner")
    assert client.get(download_url(output=approved, viewer=reviewer)).status_code == 404
    page = client.get(f"/generations/{approved.job_id}/").content.decode()
    assert 'id="download"' not in page
    # They still watch it (the media door's staff access, audited there).
    assert client.get(detail["output"]["video_url"]).status_code == 200
    assert downloads_of(approved) == []


def test_a_token_holder_downloads_their_own_with_the_same_token(artist, approved):
    secret = api_token_create(user=artist, name="cli", scope="read").secret
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = job_json(bearer, approved.job_id)["download_url"]
    answer = bearer.get(url)
    assert answer.status_code == 200
    assert hashlib.sha256(body_of(answer)).hexdigest() == approved.sha256
    redirect = bearer.get(f"/api/v1/generations/{approved.job_id}/download/")
    assert redirect.status_code == 302
    assert bearer.get(redirect["Location"]).status_code == 200
    assert Client().get(redirect["Location"]).status_code == 404  # not without the token
    assert [e.actor_id for e in downloads_of(approved)] == [artist.pk, artist.pk]


def test_a_staff_token_does_not_reach_the_download_endpoint(reviewer, approved):
    secret = api_token_create(user=reviewer, name="ops", scope="review:read").secret
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        f"/api/v1/generations/{approved.job_id}/download/"
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "token_scope")


# --- checked again when the bytes go out --------------------------------------------------


def test_a_link_issued_before_a_revocation_stops_working(artist_client, program_admin, approved):
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    approved.review.refresh_from_db()
    review_revoke_approval(
        item=approved.review, admin=program_admin, reason_code="nda_risk", note="Shows the set."
    )
    assert artist_client.get(link).status_code == 404
    assert downloads_of(approved) == []


def test_a_link_issued_before_a_takedown_or_a_policy_change_stops_working(
    artist, artist_client, reviewer, program_admin, approved
):
    first = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    set_policy(artist.cohort, "never", program_admin)
    assert artist_client.get(first).status_code == 404
    set_policy(artist.cohort, "after_approval", program_admin)
    second = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    publication = publication_create(output=approved, artist=artist, visibility="link")
    publication_takedown(publication=publication, staff=reviewer, reason="Rights complaint")
    assert artist_client.get(second).status_code == 404
    assert downloads_of(approved) == []


def test_an_expired_or_altered_link_is_refused(artist_client, approved, settings):
    link = artist_client.get(f"/api/v1/generations/{approved.job_id}/download/")["Location"]
    assert artist_client.get(link.replace("/download/", "/video/")).status_code == 404
    assert artist_client.get(link[:-2] + "xx").status_code == 404
    settings.MEDIA_URL_TTL_SECONDS = -1  # every link is past its lifetime
    assert artist_client.get(link).status_code == 404


# --- the setting ---------------------------------------------------------------------------


def test_the_policy_is_validated_audited_and_for_program_admins(cohort, program_admin, reviewer):
    with pytest.raises(ValidationError) as refused:
        cohort_set_download_policy(actor=program_admin, cohort=cohort, policy="sometimes")
    assert list(refused.value.message_dict) == ["download_policy"]
    with pytest.raises(NotAllowed):
        cohort_set_download_policy(actor=reviewer, cohort=cohort, policy="always")
    cohort.refresh_from_db()
    assert cohort.download_policy == "after_approval"
    cohort_set_download_policy(actor=program_admin, cohort=cohort, policy="always")
    cohort_set_download_policy(actor=program_admin, cohort=cohort, policy="always")  # no-op
    events = AuditEvent.objects.filter(action="cohort.download_policy")
    assert [(e.actor_id, e.data) for e in events] == [
        (program_admin.pk, {"from": "after_approval", "to": "always"})
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Cohort.objects.filter(pk=cohort.pk).update(download_policy="sometimes")


def _admin_form(cohort: Cohort, policy: str) -> dict[str, str]:
    return {
        "name": cohort.name,
        "capacity": str(cohort.capacity),
        "daily_generation_quota": str(cohort.daily_generation_quota),
        "allowed_durations": "[2, 5, 10]",
        "allowed_resolutions": '["480p", "720p"]',
        "allowed_modes": '["text"]',
        "max_variations": str(cohort.max_variations),
        "max_shots": str(cohort.max_shots),
        "review_sla_hours": str(cohort.review_sla_hours),
        "scheduling_weight": str(cohort.scheduling_weight),
        "second_opinion_share": str(cohort.second_opinion_share),
        "download_policy": policy,
        "paused_reason": "",
        "_save": "Save",
    }


def test_the_admin_edits_the_policy_with_a_field_error_for_a_bad_value(client, admin_user, cohort):
    client.force_login(admin_user)
    url = f"/admin/cohorts/cohort/{cohort.pk}/change/"
    bad = client.post(url, _admin_form(cohort, "sometimes"))
    assert bad.status_code == 200
    assert "download_policy" in bad.context["adminform"].form.errors
    cohort.refresh_from_db()
    assert cohort.download_policy == "after_approval"
    good = client.post(url, _admin_form(cohort, "never"))
    assert good.status_code == 302, good.content[:500]
    cohort.refresh_from_db()
    assert cohort.download_policy == "never"
    event = AuditEvent.objects.get(action="cohort.download_policy")
    assert (event.actor_id, event.data) == (
        admin_user.pk,
        {"from": "after_approval", "to": "never"},
    )
