"""Issue 18: the item page decides in one step. Approve and reject claim a free item
themselves; a refused decision leaves the item as it was; an item another reviewer holds
isn't decided over their head. (The keyboard run itself: tests/browser/test_review_keyboard.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from moderation.models import ReviewItem, ReviewStatus
from moderation.reasons import reason_codes
from moderation.services import review_claim

pytestmark = pytest.mark.django_db


def _claims(item: ReviewItem) -> int:
    return AuditEvent.objects.filter(action="review.claim", object_id=str(item.pk)).count()


def test_reject_claims_a_free_item_in_the_same_step(client, reviewer, artist, make_output):
    first, second = make_output(artist).review, make_output(artist).review
    client.force_login(reviewer)
    response = client.post(
        f"/staff/review/{first.pk}/reject/",
        {"reason_code": "real_person", "note": "Looks like a famous actor.", "then": "next"},
    )
    assert response.status_code == 302 and response["Location"] == f"/staff/review/{second.pk}/"
    first.refresh_from_db()
    assert first.status == ReviewStatus.REJECTED and first.decided_by == reviewer
    assert (first.reason_code, first.note) == ("real_person", "Looks like a famous actor.")
    assert _claims(first) == 1


def test_a_refused_one_step_reject_leaves_the_item_free(client, reviewer, artist, make_output):
    item = make_output(artist).review
    client.force_login(reviewer)
    response = client.post(
        f"/staff/review/{item.pk}/reject/", {"reason_code": "other", "note": "", "then": "next"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Tell the artist why" in html
    assert '<option value="other" selected>' in html  # the chosen reason is kept
    item.refresh_from_db()
    assert (item.status, item.claimed_by_id) == (ReviewStatus.PENDING, None)
    assert _claims(item) == 0  # the claim was taken back with the refused decision


def test_one_step_decisions_leave_another_reviewers_claim_alone(
    client, reviewer, second_reviewer, artist, make_output
):
    item = review_claim(item=make_output(artist).review, reviewer=second_reviewer)
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{item.pk}/").content.decode()
    assert 'id="claim-button"' in page and 'id="approve-button"' not in page
    assert 'id="reject-form"' not in page
    client.post(f"/staff/review/{item.pk}/approve/", {"then": "next"})
    response = client.post(
        f"/staff/review/{item.pk}/reject/", {"reason_code": "other", "note": "No.", "then": "next"}
    )
    assert "Another reviewer is reviewing this item" in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.claimed_by_id) == (ReviewStatus.CLAIMED, second_reviewer.pk)


def test_a_decision_renews_the_reviewers_own_expired_claim(client, reviewer, artist, make_output):
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    ReviewItem.objects.filter(pk=item.pk).update(
        claim_expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(reviewer)
    client.post(f"/staff/review/{item.pk}/approve/", {"then": "next"})
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.APPROVED


def test_item_page_offers_both_decisions_on_a_free_item_with_numbered_reasons(
    client, reviewer, artist, make_output
):
    item = make_output(artist).review
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{item.pk}/").content.decode()
    assert 'id="approve-button" aria-keyshortcuts="a"' in page and 'id="reject-form"' in page
    assert 'id="key-help"' in page
    for number, code in enumerate(reason_codes(), start=1):
        assert f'data-reason-key="{number}" data-reason-code="{code}"' in page
    # Release is for a claim of one's own only.
    assert ">Release</button>" not in page
    client.post(f"/staff/review/{item.pk}/claim/")
    assert ">Release</button>" in client.get(f"/staff/review/{item.pk}/").content.decode()
