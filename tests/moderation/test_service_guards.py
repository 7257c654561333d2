"""Guards in ``moderation.services`` that no other test defended (docs/mutation.md):
releasing a claim, what may be appealed, what an approval's revocation needs, and what is
overdue. Each
test names its guard; taking it away (tools/guard_mutants.py) makes the test fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from domain.errors import InvalidTransition
from moderation.errors import NotAppealable
from moderation.models import ReviewItem, ReviewStatus
from moderation.services import (
    review_appeal,
    review_approve,
    review_claim,
    review_escalate_overdue,
    review_release,
    review_revoke_approval,
)

pytestmark = pytest.mark.django_db


def approved_item(artist, reviewer, make_output) -> ReviewItem:
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    return review_approve(item=item, reviewer=reviewer)


def test_only_the_claimant_releases_a_claim(artist, reviewer, second_reviewer, make_output):
    """The guard: ``review_release`` gives back only the caller's own claim
    (``claimed_by=reviewer``)."""
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    released = review_release(item=item, reviewer=second_reviewer)
    assert released.status == ReviewStatus.CLAIMED and released.claimed_by_id == reviewer.pk
    assert not AuditEvent.objects.filter(action="review.release").exists()

    back = review_release(item=item, reviewer=reviewer)
    assert back.status == ReviewStatus.PENDING and back.claimed_by_id is None


def test_an_approved_video_cannot_be_appealed(artist, reviewer, make_output):
    """The guard: only a rejection is appealed (``status=REJECTED``), and only at the
    first review."""
    item = approved_item(artist, reviewer, make_output)
    with pytest.raises(NotAppealable):
        review_appeal(item=item, artist=artist, statement="Please look again.")
    item.refresh_from_db()
    assert item.status == ReviewStatus.APPROVED


@pytest.mark.parametrize(
    ("reason_code", "note"),
    [("not-a-reason", "Leaks the roadmap."), ("nda_risk", "   ")],
    ids=["unknown-reason", "blank-note"],
)
def test_revoking_an_approval_needs_a_listed_reason_and_a_note(
    artist, reviewer, program_admin, make_output, reason_code, note
):
    """The guards: ``reason_code not in reason_codes()`` and ``not note``."""
    item = approved_item(artist, reviewer, make_output)
    with pytest.raises(ValidationError):
        review_revoke_approval(item=item, admin=program_admin, reason_code=reason_code, note=note)
    item.refresh_from_db()
    assert item.status == ReviewStatus.APPROVED


def test_only_an_approval_can_be_revoked(artist, program_admin, make_output):
    """The guard: the revocation's UPDATE matches an approved item only
    (``status=APPROVED``): a pending video is not turned into a final rejection."""
    item = make_output(artist).review
    with pytest.raises(InvalidTransition):
        review_revoke_approval(
            item=item, admin=program_admin, reason_code="nda_risk", note="Leaks the UI."
        )
    item.refresh_from_db()
    assert item.status == ReviewStatus.PENDING and not item.decisions.exists()


def test_only_open_items_are_escalated(artist, reviewer, program_admin, make_output):
    """The guard: escalation looks at open items only (``status__in=OPEN_STATUSES``):
    a decision made after the due time is not reported as overdue."""
    decided = approved_item(artist, reviewer, make_output)
    waiting = make_output(artist).review
    past = timezone.now() - timedelta(hours=1)
    ReviewItem.objects.filter(pk__in=[decided.pk, waiting.pk]).update(due_at=past)
    assert review_escalate_overdue() == [waiting.pk]
