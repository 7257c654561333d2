"""A staff takedown holds (decision 0019): the artist can't publish the video again — not
in the gallery, not as a link, not from the page, the API or the service — until staff
lift the takedown with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import TokenScope
from accounts.services import api_token_create
from audit.models import AuditEvent
from domain.errors import InvalidTransition, NotAllowed
from moderation.services import review_approve, review_claim, review_revoke_approval
from notifications.models import Notification
from publishing.errors import TakedownInForce
from publishing.models import Publication, PublicationStatus, Takedown
from publishing.services import (
    publication_create,
    publication_showcase,
    publication_takedown,
    publication_takedown_lift,
)

pytestmark = pytest.mark.django_db

REASON = "Rights holder complaint about the soundtrack"


@pytest.fixture
def published(artist, reviewer, make_output) -> Publication:
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    return publication_create(output=output, artist=artist, visibility="gallery")


def publish_api(client: Client, job_id: int, visibility: str = "gallery"):
    return client.post(
        f"/api/v1/generations/{job_id}/publish/",
        {"visibility": visibility},
        content_type="application/json",
    )


def bearer(user, scope: str) -> dict[str, str]:
    secret = api_token_create(user=user, name="script", scope=scope).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_takedown_bars_republishing_until_lifted(client, artist, reviewer, published):
    output = published.output
    job_id = output.job_id
    publication_takedown(publication=published, staff=reviewer, reason=REASON)

    # Service: gallery and link alike.
    for visibility in ("gallery", "link"):
        with pytest.raises(TakedownInForce, match="Rights holder complaint"):
            publication_create(output=output, artist=artist, visibility=visibility)

    # API: a stable code, and the job says why.
    client.force_login(artist)
    for visibility in ("gallery", "link"):
        refused = publish_api(client, job_id, visibility)
        assert (refused.status_code, refused.json()["code"]) == (409, "taken_down")
    detail = client.get(f"/api/v1/generations/{job_id}/").json()
    assert detail["publication"] is None
    assert detail["takedown"]["reason"] == REASON
    assert detail["takedown"]["publication"] == published.pk

    # Page: the reason instead of the Publish control; posting the form anyway is refused.
    page = client.get(f"/generations/{job_id}/").content.decode()
    assert 'id="takedown-notice"' in page and REASON in page
    assert f'action="/generations/{job_id}/publish/"' not in page
    after = client.post(f"/generations/{job_id}/publish/", {"visibility": "link"}, follow=True)
    assert "took this video down" in after.content.decode()
    assert not Publication.objects.filter(status=PublicationStatus.ACTIVE).exists()
    assert client.get("/api/v1/gallery/").json()["count"] == 0

    # Staff lift it, with a reason; the artist is told and may publish again.
    takedown = Takedown.objects.get()
    lifted = publication_takedown_lift(
        takedown=takedown, staff=reviewer, reason="Licence confirmed by the artist"
    )
    assert lifted.lifted_by == reviewer and not lifted.in_force
    assert Notification.objects.filter(
        user=artist, message__contains="takedown of your video"
    ).exists()
    assert client.get(f"/api/v1/generations/{job_id}/").json()["takedown"] is None
    page = client.get(f"/generations/{job_id}/").content.decode()
    assert f'action="/generations/{job_id}/publish/"' in page
    assert publish_api(client, job_id).status_code == 201
    assert client.get("/api/v1/gallery/").json()["count"] == 1

    actions = list(
        AuditEvent.objects.filter(action__startswith="publication.").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "publication.publish",
        "publication.takedown",
        "publication.takedown_lift",
        "publication.publish",
    ]
    lift_event = AuditEvent.objects.get(action="publication.takedown_lift")
    assert lift_event.actor == reviewer
    assert lift_event.data["reason"] == "Licence confirmed by the artist"


def test_a_takedown_of_a_link_holds_too(artist, reviewer, make_output):
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    link = publication_create(output=output, artist=artist, visibility="link")
    publication_takedown(publication=link, staff=reviewer, reason=REASON)
    with pytest.raises(TakedownInForce):
        publication_create(output=output, artist=artist, visibility="gallery")


def test_lifting_needs_staff_and_a_reason_and_happens_once(
    artist, other_artist, reviewer, program_admin, published
):
    publication_takedown(publication=published, staff=reviewer, reason=REASON)
    takedown = Takedown.objects.get()
    for somebody in (artist, other_artist):
        with pytest.raises(NotAllowed):
            publication_takedown_lift(takedown=takedown, staff=somebody, reason="please")
    with pytest.raises(ValidationError) as error:
        publication_takedown_lift(takedown=takedown, staff=reviewer, reason="   ")
    assert "reason" in error.value.message_dict
    assert Takedown.objects.get().in_force
    publication_takedown_lift(takedown=takedown, staff=program_admin, reason="Resolved")
    with pytest.raises(InvalidTransition):
        publication_takedown_lift(takedown=takedown, staff=reviewer, reason="again")
    assert not AuditEvent.objects.filter(action="publication.takedown_lift", actor=artist)


def test_lift_over_the_api_needs_a_review_write_token(client, artist, reviewer, published):
    job_id = published.output.job_id
    publication_takedown(publication=published, staff=reviewer, reason=REASON)
    url = f"/api/v1/publications/{published.pk}/lift-takedown/"
    body = {"reason": "Licence confirmed"}

    client.force_login(artist)
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    client.logout()

    read_only = client.post(
        url, body, content_type="application/json", **bearer(reviewer, TokenScope.REVIEW_READ)
    )
    assert (read_only.status_code, read_only.json()["code"]) == (403, "token_scope")
    writer = bearer(reviewer, TokenScope.REVIEW_WRITE)
    missing = client.post(url, {}, content_type="application/json", **writer)
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    lifted = client.post(url, body, content_type="application/json", **writer)
    assert lifted.status_code == 200
    assert lifted.json()["in_force"] is False and lifted.json()["job_id"] == job_id
    again = client.post(url, body, content_type="application/json", **writer)
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    unknown = client.post(
        "/api/v1/publications/999999/lift-takedown/", body, content_type="application/json",
        **writer,
    )  # fmt: skip
    assert unknown.status_code == 404


def test_takedown_over_the_api_then_the_artist_is_refused(client, artist, reviewer, published):
    taken = client.post(
        f"/api/v1/publications/{published.pk}/takedown/",
        {"reason": REASON},
        content_type="application/json",
        **bearer(reviewer, TokenScope.REVIEW_WRITE),
    )
    assert taken.status_code == 200 and taken.json()["status"] == "taken_down"
    client.force_login(artist)
    refused = publish_api(client, published.output.job_id, "link")
    assert (refused.status_code, refused.json()["code"]) == (409, "taken_down")


def test_staff_lift_from_the_takedowns_page(client, artist, reviewer, published):
    client.force_login(reviewer)
    assert "/staff/takedowns/" in client.get("/gallery/").content.decode()
    client.post(
        f"/staff/publications/{published.pk}/takedown/", {"reason": REASON, "next": "/gallery/"}
    )
    takedown = Takedown.objects.get()
    page = client.get("/staff/takedowns/").content.decode()
    assert REASON in page and f"/staff/takedowns/{takedown.pk}/lift/" in page

    no_reason = client.post(f"/staff/takedowns/{takedown.pk}/lift/", {"reason": ""}, follow=True)
    assert "Give a reason" in no_reason.content.decode()
    assert Takedown.objects.get().in_force
    client.post(f"/staff/takedowns/{takedown.pk}/lift/", {"reason": "Resolved"})
    assert not Takedown.objects.get().in_force
    assert "No takedown is in force" in client.get("/staff/takedowns/").content.decode()

    client.force_login(artist)
    assert client.get("/staff/takedowns/").status_code == 403
    assert client.post(f"/staff/takedowns/{takedown.pk}/lift/", {"reason": "x"}).status_code == 403


def test_revoked_approval_still_ends_publications_without_a_hold(
    artist, reviewer, program_admin, published
):
    review_revoke_approval(
        item=published.output.review, admin=program_admin, reason_code="nda_risk", note="Leak"
    )
    published.refresh_from_db()
    assert published.status == PublicationStatus.TAKEN_DOWN
    assert published.end_reason.startswith("approval revoked")
    assert not Takedown.objects.exists()


def test_a_showcase_credit_is_kept_and_named_in_the_audit(
    artist, reviewer, program_admin, published
):
    from ledger.models import LedgerEntry
    from ledger.services import rate_card_create, rate_card_publish

    card = rate_card_create(
        admin=program_admin, effective_at=timezone.now() - timedelta(hours=1),
        rates={"showcase": "50.00"}, note="Showcase pays.",
    )  # fmt: skip
    rate_card_publish(admin=program_admin, card=card)
    publication_showcase(admin=program_admin, publication=published)
    credit = LedgerEntry.objects.get(source_key=f"showcase:{published.output_id}")

    publication_takedown(publication=published, staff=reviewer, reason=REASON)
    assert LedgerEntry.objects.filter(artist=artist).count() == 1  # no reversal
    event = AuditEvent.objects.get(action="publication.takedown")
    assert event.data["showcase_credit_kept"] == credit.pk

    published.refresh_from_db()
    with pytest.raises(InvalidTransition):  # a held video can't be showcased again
        publication_showcase(admin=program_admin, publication=published)
    publication_takedown_lift(takedown=Takedown.objects.get(), staff=reviewer, reason="Ok")
    again = publication_create(output=published.output, artist=artist, visibility="gallery")
    publication_showcase(admin=program_admin, publication=again)
    assert LedgerEntry.objects.filter(artist=artist).count() == 1  # paid once
