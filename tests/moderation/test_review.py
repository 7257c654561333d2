"""The review state machine, its rules, and the staff API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import audit_verify_chain
from domain.errors import InvalidTransition, NotAllowed
from moderation.errors import AlreadyClaimed, ClaimRequired, NotAppealable, SameReviewer, SelfReview
from moderation.models import ReviewItem, ReviewStage, ReviewStatus
from moderation.services import (
    review_appeal,
    review_approve,
    review_bulk_approve,
    review_claim,
    review_escalate_overdue,
    review_reject,
    review_revoke_approval,
)
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_every_output_enters_the_queue_due_within_the_cohort_sla(artist, make_output):
    output = make_output(artist)
    item = output.review
    assert item.status == ReviewStatus.PENDING and item.stage == ReviewStage.REVIEW
    assert item.due_at - item.created_at == timedelta(hours=artist.cohort.review_sla_hours)


def test_claim_approve_notifies_the_artist_and_is_audited(
    artist, reviewer, make_output, mailoutbox, django_capture_on_commit_callbacks
):
    item = make_output(artist).review
    claimed = review_claim(item=item, reviewer=reviewer)
    assert claimed.status == ReviewStatus.CLAIMED and claimed.claimed_by == reviewer
    with django_capture_on_commit_callbacks(execute=True):
        approved = review_approve(item=claimed, reviewer=reviewer)
    assert approved.status == ReviewStatus.APPROVED and approved.decided_by == reviewer
    assert Notification.objects.get(user=artist).message.startswith(
        f"Your video #{item.output.job_id} was approved"
    )
    assert mailoutbox[0].to == [artist.email]
    events = AuditEvent.objects.filter(object_type="moderation.reviewitem", object_id=str(item.pk))
    actions = list(events.values_list("action", flat=True))
    assert actions == ["review.claim", "review.approve"]
    assert audit_verify_chain().ok


def test_reject_needs_a_listed_reason_and_a_note(artist, reviewer, make_output):
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    with pytest.raises(ValidationError) as error:
        review_reject(item=item, reviewer=reviewer, reason_code="because", note="  ")
    assert set(error.value.message_dict) == {"reason_code", "note"}
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.CLAIMED
    rejected = review_reject(
        item=item, reviewer=reviewer, reason_code="nda_risk", note="Shows the UI."
    )
    assert (rejected.status, rejected.reason_code, rejected.rejected_by) == (
        "rejected",
        "nda_risk",
        reviewer,
    )


def test_decisions_need_a_live_claim_of_your_own(artist, reviewer, second_reviewer, make_output):
    item = make_output(artist).review
    with pytest.raises(ClaimRequired):
        review_approve(item=item, reviewer=reviewer)
    review_claim(item=item, reviewer=reviewer)
    with pytest.raises(AlreadyClaimed, match="Another reviewer"):
        review_claim(item=item, reviewer=second_reviewer)
    with pytest.raises(ClaimRequired):
        review_approve(item=item, reviewer=second_reviewer)
    # The claim expires by itself: then someone else may take it, and the first can't decide.
    ReviewItem.objects.filter(pk=item.pk).update(
        claim_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ClaimRequired):
        review_approve(item=item, reviewer=reviewer)
    assert review_claim(item=item, reviewer=second_reviewer).claimed_by == second_reviewer


def test_decided_items_cannot_be_claimed_again(artist, reviewer, make_output):
    item = review_approve(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer), reviewer=reviewer
    )
    with pytest.raises(InvalidTransition, match="already approved"):
        review_claim(item=item, reviewer=reviewer)


def test_a_reviewer_never_reviews_their_own_generation(reviewer, cohort, make_output, nda):
    from accounts.services import user_set_role

    reviewer.cohort = cohort
    reviewer.save()
    item = make_output(reviewer).review
    user_set_role(user=reviewer, role=Role.REVIEWER)
    with pytest.raises(SelfReview):
        review_claim(item=item, reviewer=reviewer)


def test_artists_cannot_review(artist, other_artist, make_output):
    with pytest.raises(NotAllowed):
        review_claim(item=make_output(other_artist).review, reviewer=artist)


def test_appeal_once_and_decided_by_a_different_reviewer(
    artist, reviewer, second_reviewer, make_output
):
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    item = review_reject(
        item=item, reviewer=reviewer, reason_code="content_policy", note="Too dark."
    )
    assert item.appealable
    with pytest.raises(ValidationError):
        review_appeal(item=item, artist=artist, statement=" ")
    appealed = review_appeal(
        item=item, artist=artist, statement="It is a night scene, not violence."
    )
    assert (appealed.status, appealed.stage) == (ReviewStatus.APPEALED, ReviewStage.APPEAL)
    assert appealed.due_at > item.due_at
    with pytest.raises(NotAppealable):
        review_appeal(item=appealed, artist=artist, statement="again")
    with pytest.raises(SameReviewer):
        review_claim(item=appealed, reviewer=reviewer)
    final = review_reject(
        item=review_claim(item=appealed, reviewer=second_reviewer),
        reviewer=second_reviewer, reason_code="content_policy", note="Agree with the first review.",
    )  # fmt: skip
    assert final.status == ReviewStatus.REJECTED and not final.appealable
    with pytest.raises(NotAppealable):
        review_appeal(item=final, artist=artist, statement="please")
    assert [d.stage for d in final.decisions.all()] == ["review", "appeal"]


def test_only_the_artist_appeals(artist, other_artist, reviewer, make_output):
    item = review_claim(item=make_output(artist).review, reviewer=reviewer)
    item = review_reject(item=item, reviewer=reviewer, reason_code="other", note="n")
    with pytest.raises(NotAllowed):
        review_appeal(item=item, artist=other_artist, statement="let it through")


def test_bulk_approve_reports_what_it_could_not_do(artist, reviewer, second_reviewer, make_output):
    free = [make_output(artist).review for _ in range(2)]
    held = make_output(artist).review
    review_claim(item=held, reviewer=second_reviewer)
    result = review_bulk_approve(item_ids=[i.pk for i in [*free, held]], reviewer=reviewer)
    assert sorted(result.approved) == sorted(i.pk for i in free)
    assert list(result.refused) == [held.pk]
    assert ReviewItem.objects.get(pk=held.pk).status == ReviewStatus.CLAIMED


def test_revoking_an_approval_is_for_program_admins(artist, reviewer, program_admin, make_output):
    item = review_approve(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer), reviewer=reviewer
    )
    with pytest.raises(NotAllowed):
        review_revoke_approval(item=item, admin=reviewer, reason_code="nda_risk", note="x")
    revoked = review_revoke_approval(
        item=item, admin=program_admin, reason_code="nda_risk", note="Leaks the UI."
    )
    assert revoked.status == ReviewStatus.REJECTED and not revoked.appealable
    assert [d.outcome for d in revoked.decisions.all()][-1] == "revoked"


def test_overdue_items_are_escalated_once(artist, program_admin, make_output, mailoutbox):
    item = make_output(artist).review
    assert review_escalate_overdue() == []
    later = item.due_at + timedelta(minutes=1)
    assert review_escalate_overdue(now=later) == [item.pk]
    assert mailoutbox[-1].to == [program_admin.email]
    assert "1 review item(s) overdue" in mailoutbox[-1].subject
    assert review_escalate_overdue(now=later) == []


def test_database_refuses_impossible_review_rows(artist, make_output):
    from django.db import IntegrityError, transaction

    item = make_output(artist).review
    for change in ({"status": "claimed"}, {"status": "approved"}, {"status": "appealed"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewItem.objects.filter(pk=item.pk).update(**change)
