"""Staff review pages and the artist's job page, without a browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_approve, review_claim, review_reject

pytestmark = pytest.mark.django_db


def test_queue_page_highlights_overdue_and_pages_by_keyset(
    client, reviewer, artist, make_output, settings
):
    items = [make_output(artist).review for _ in range(3)]
    ReviewItem.objects.filter(pk=items[0].pk).update(due_at=timezone.now() - timedelta(hours=2))
    client.force_login(reviewer)
    html = client.get("/staff/review/").content.decode()
    assert html.count('class="overdue"') == 1 and "overdue</strong>" in html
    assert all(f"/staff/review/{i.pk}/" in html for i in items)
    fragment = client.get("/staff/review/?fragment=1").content.decode()
    assert "<html" not in fragment and f"/staff/review/{items[0].pk}/" in fragment


def test_item_page_claim_and_reject_then_next(client, reviewer, artist, make_output):
    first, second = make_output(artist).review, make_output(artist).review
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{first.pk}/").content.decode()
    assert 'id="review-video"' in page and "/m/" in page and "a quiet harbour at dawn" in page
    client.post(f"/staff/review/{first.pk}/claim/")
    response = client.post(
        f"/staff/review/{first.pk}/reject/",
        {"reason_code": "real_person", "note": "Looks like a famous actor.", "then": "next"},
    )
    assert response["Location"] == f"/staff/review/{second.pk}/"
    assert ReviewItem.objects.get(pk=first.pk).status == ReviewStatus.REJECTED


def test_reject_without_note_shows_the_error_and_changes_nothing(
    client, reviewer, artist, make_output
):
    item = make_output(artist).review
    client.force_login(reviewer)
    client.post(f"/staff/review/{item.pk}/claim/")
    page = client.post(
        f"/staff/review/{item.pk}/reject/", {"reason_code": "other", "note": ""}, follow=True
    )
    assert "Tell the artist why" in page.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.CLAIMED


def test_bulk_approve_from_the_queue(client, reviewer, artist, make_output):
    items = [make_output(artist).review for _ in range(3)]
    client.force_login(reviewer)
    response = client.post(
        "/staff/review/bulk-approve/", {"items": [items[0].pk, items[2].pk]}, follow=True
    )
    assert "Approved 2 item(s)." in response.content.decode()
    statuses = dict(ReviewItem.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in items] == ["approved", "pending", "approved"]


def test_sla_page(client, reviewer, artist, make_output):
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    review_approve(item=item, reviewer=reviewer)
    make_output(artist)
    client.force_login(reviewer)
    html = client.get("/staff/review/sla/").content.decode()
    assert "Wave 1" in html and "100 %" in html


@pytest.mark.parametrize("path", ["/staff/review/", "/staff/review/sla/"])
def test_artists_cannot_open_staff_review_pages(client, artist, path):
    client.force_login(artist)
    assert client.get(path).status_code == 403


def test_artist_job_page_shows_decision_and_appeal_form(client, artist, reviewer, make_output):
    output = make_output(artist)
    review_reject(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer,
        reason_code="third_party_ip", note="The logo belongs to a brand.",
    )  # fmt: skip
    client.force_login(artist)
    html = client.get(f"/generations/{output.job_id}/").content.decode()
    assert "Uses someone else&#x27;s protected work or brand" in html
    assert "The logo belongs to a brand." in html
    assert f'action="/generations/{output.job_id}/appeal/"' in html
    assert "by a reviewer" in html and reviewer.email not in html
    response = client.post(
        f"/generations/{output.job_id}/appeal/", {"statement": "It is my own logo."}, follow=True
    )
    assert "A different reviewer will decide it." in response.content.decode()
    assert ReviewItem.objects.get(pk=output.review.pk).status == ReviewStatus.APPEALED


def test_notifications_on_the_dashboard_can_be_marked_read(client, artist, reviewer, make_output):
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    client.force_login(artist)
    assert f"Your video #{output.job_id} was approved" in client.get("/").content.decode()
    client.post("/notifications/read/")
    assert "was approved" not in client.get("/").content.decode()


def test_staff_take_down_from_the_gallery_page(client, artist, reviewer, make_output):
    from publishing.models import PublicationStatus
    from publishing.services import publication_create

    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    client.force_login(reviewer)
    assert "Take down" in client.get("/gallery/").content.decode()
    client.post(
        f"/staff/publications/{publication.pk}/takedown/",
        {"reason": "Complaint", "next": "/gallery/"},
    )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.TAKEN_DOWN
    client.force_login(artist)
    assert (
        client.post(f"/staff/publications/{publication.pk}/takedown/", {"reason": "x"}).status_code
        == 403
    )


def test_pausing_one_account_is_audited_and_needs_a_reason(
    artist, other_artist, program_admin, reviewer
):
    from django.core.exceptions import ValidationError

    from accounts.services import user_set_paused
    from audit.models import AuditEvent
    from domain.errors import NotAllowed

    with pytest.raises(NotAllowed):
        user_set_paused(actor=reviewer, user=artist, paused=True, reason="x")
    with pytest.raises(ValidationError):
        user_set_paused(actor=program_admin, user=artist, paused=True, reason=" ")
    user_set_paused(actor=program_admin, user=artist, paused=True, reason="Token leaked")
    other_artist.refresh_from_db()
    assert artist.is_paused and not other_artist.is_paused
    event = AuditEvent.objects.filter(action="account.pause").get()
    assert event.actor == program_admin and event.data == {"reason": "Token leaked"}


def test_program_admin_revokes_an_approval_from_the_item_page(
    client, artist, reviewer, program_admin, make_output
):
    from publishing.models import PublicationStatus
    from publishing.services import publication_create

    output = make_output(artist)
    item = review_approve(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer
    )
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    client.force_login(reviewer)
    assert 'id="revoke-form"' not in client.get(f"/staff/review/{item.pk}/").content.decode()
    client.post(f"/staff/review/{item.pk}/revoke/", {"reason_code": "nda_risk", "note": "x"})
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.APPROVED  # reviewers can't
    client.force_login(program_admin)
    assert 'id="revoke-form"' in client.get(f"/staff/review/{item.pk}/").content.decode()
    client.post(
        f"/staff/review/{item.pk}/revoke/",
        {"reason_code": "nda_risk", "note": "Shows the roadmap."},
    )
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.REJECTED
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.TAKEN_DOWN
