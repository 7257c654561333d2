"""Writes about second opinions (decision 0036): a second reviewer claims and decides a
sampled first-review decision (approval or rejection) blind; a disagreement is settled by
a program admin. Opened by ``moderation.services`` in the decision's own transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.permissions import REVIEW_OUTPUTS, RUN_PROGRAM
from audit.services import audit_record
from domain.errors import InvalidTransition, NotAllowed
from moderation.errors import AlreadyClaimed, ClaimRequired, SameReviewer, SelfReview
from moderation.models import (
    DecisionOutcome,
    ReviewItem,
    ReviewStage,
    ReviewStatus,
    SecondOpinion,
    SecondOpinionStatus,
)
from moderation.services import (
    reason_and_note_checked,
    review_overturn_rejection,
    review_revoke_approval,
)

SETTLE_UPHOLD = "uphold"
# Overturning: an approval is revoked, a rejection approved.
SETTLE_REVOKE = "revoke"
SETTLE_APPROVE = "approve"


def _first_outcome(opinion: SecondOpinion) -> str:
    return opinion.first_decision.outcome


def _item_status(opinion: SecondOpinion) -> str:
    return ReviewItem.objects.filter(pk=opinion.item_id).values_list("status", flat=True).get()


def _check_second_reviewer(*, opinion: SecondOpinion, reviewer: User) -> None:
    if not reviewer.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed("Only reviewers may give second opinions.")
    if opinion.first_reviewer_id == reviewer.pk:
        raise SameReviewer(
            "You decided this output first; a different reviewer must give the second opinion."
        )
    if opinion.item.artist_id == reviewer.pk:
        raise SelfReview("You can't review your own generation.")
    item = opinion.item
    if item.stage == ReviewStage.APPEAL and reviewer.pk in (item.decided_by_id, item.claimed_by_id):
        raise SameReviewer(
            "You are deciding or decided this output's appeal; a different reviewer must "
            "give the second opinion."
        )


def second_opinion_claim(*, opinion: SecondOpinion, reviewer: User) -> SecondOpinion:
    """Take a second opinion, exclusively until the claim expires (as items are claimed:
    one conditional UPDATE; renewing your own claim is allowed). Never the first
    reviewer's (SameReviewer)."""
    _check_second_reviewer(opinion=opinion, reviewer=reviewer)
    now = timezone.now()
    free = (
        Q(status=SecondOpinionStatus.PENDING)
        | Q(status=SecondOpinionStatus.CLAIMED, claim_expires_at__lt=now)
        | Q(status=SecondOpinionStatus.CLAIMED, claimed_by=reviewer)
    )
    taken = (
        SecondOpinion.objects.filter(free, pk=opinion.pk)
        .exclude(first_reviewer=reviewer)
        .update(
            status=SecondOpinionStatus.CLAIMED,
            claimed_by=reviewer,
            claim_expires_at=now + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES),
        )
    )
    current = SecondOpinion.objects.select_related("item").get(pk=opinion.pk)
    if taken != 1:
        if current.status == SecondOpinionStatus.CLAIMED:
            raise AlreadyClaimed("Another reviewer is giving this second opinion.")
        raise InvalidTransition("This second opinion has already been given.")
    audit_record(actor=reviewer, action="second_opinion.claim", target=current)
    return current


def second_opinion_release(*, opinion: SecondOpinion, reviewer: User) -> SecondOpinion:
    """Give a claimed second opinion back to its queue."""
    if SecondOpinion.objects.filter(
        pk=opinion.pk, status=SecondOpinionStatus.CLAIMED, claimed_by=reviewer
    ).update(status=SecondOpinionStatus.PENDING, claimed_by=None, claim_expires_at=None):
        audit_record(actor=reviewer, action="second_opinion.release", target=opinion)
    return SecondOpinion.objects.get(pk=opinion.pk)


def second_opinion_decide(
    *,
    opinion: SecondOpinion,
    reviewer: User,
    decision: ReviewStatus,
    reason_code: str = "",
    note: str = "",
    claim_if_free: bool = False,
) -> SecondOpinion:
    """Record what the second reviewer decides, blind. The same as the first decision: agreed,
    closed. Otherwise a disagreement, for a program admin to settle. A rejection always
    needs a reason code and a note, and an approval never does (a note asked for only on a
    disagreement would tell the first decision); each refusal is on its field. Approving a
    rejection the artist's appeal has already approved closes as moot: nothing is left to
    settle. Nothing reaches the artist. Needs a live claim (ClaimRequired);
    ``claim_if_free`` claims first, in the same transaction, so a refused decision leaves
    the opinion as it was."""
    if decision not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValueError(f"A second opinion is approved or rejected, not {decision}.")
    _check_second_reviewer(opinion=opinion, reviewer=reviewer)
    agreed = decision.value == _first_outcome(opinion)
    rejected = decision == ReviewStatus.REJECTED
    note = reason_and_note_checked(
        reason_code=reason_code,
        note=note,
        reason_required=rejected,
        note_required=rejected,
        note_required_message="Say why, for the program admin who settles it.",
    )
    now = timezone.now()
    with transaction.atomic():
        holds_claim = (
            opinion.claimed_by_id == reviewer.pk
            and opinion.claim_expires_at is not None
            and opinion.claim_expires_at >= now
        )
        if claim_if_free and not holds_claim:
            opinion = second_opinion_claim(opinion=opinion, reviewer=reviewer)
        status = SecondOpinionStatus.AGREED if agreed else SecondOpinionStatus.DISAGREED
        moot = (
            not agreed
            and _first_outcome(opinion) == DecisionOutcome.REJECTED
            and _item_status(opinion) == ReviewStatus.APPROVED
        )
        if moot:
            status = SecondOpinionStatus.MOOT
        decided = SecondOpinion.objects.filter(
            pk=opinion.pk,
            status=SecondOpinionStatus.CLAIMED,
            claimed_by=reviewer,
            claim_expires_at__gte=now,
        ).update(
            status=status,
            second_reviewer=reviewer,
            second_outcome=decision.value,
            reason_code=reason_code if decision == ReviewStatus.REJECTED else "",
            note=note,
            decided_at=now,
            claimed_by=None,
            claim_expires_at=None,
        )
        if decided != 1:
            raise ClaimRequired("Claim this second opinion first (your claim may have expired).")
        opinion = SecondOpinion.objects.select_related("item", "first_decision").get(pk=opinion.pk)
        data = {
            "item": opinion.item_id,
            "first_outcome": _first_outcome(opinion),
            "second_outcome": opinion.second_outcome,
            "reason_code": opinion.reason_code,
        }
        audit_record(
            actor=reviewer,
            action="second_opinion.agree" if agreed else "second_opinion.disagree",
            target=opinion,
            data=data,
        )
        if moot:
            audit_record(actor=reviewer, action="second_opinion.moot", target=opinion, data=data)
    return opinion


def second_opinion_settle(
    *, opinion: SecondOpinion, admin: User, settlement: str, reason_code: str = "", note: str = ""
) -> SecondOpinion:
    """Program admins only, and neither of the two reviewers: settle a disagreement.
    ``uphold`` keeps the first decision (the note is optional, for staff). On an approval,
    ``revoke`` withdraws it through ``review_revoke_approval`` (a reason code and a note the
    artist reads; any publication comes down). On a rejection, ``approve`` approves the
    output through ``review_overturn_rejection`` as an appeal would be (the note, optional,
    is the approval's). Either in the same transaction as the settlement. A rejection the
    artist's appeal approved first closes as moot whatever was chosen (status ``moot``,
    audited): no second transition. Refusals on their fields."""
    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed("Only program admins may settle a disagreement.")
    if admin.pk in (opinion.first_reviewer_id, opinion.second_reviewer_id):
        raise SameReviewer("You reviewed this output; another program admin must settle it.")
    on_rejection = _first_outcome(opinion) == DecisionOutcome.REJECTED
    overturn = SETTLE_APPROVE if on_rejection else SETTLE_REVOKE
    if settlement not in (SETTLE_UPHOLD, overturn):
        raise ValidationError(
            {
                "settlement": ValidationError(
                    f"Choose {SETTLE_UPHOLD} or {overturn}.", code="invalid_choice"
                )
            }
        )
    revoke = settlement == SETTLE_REVOKE
    note = reason_and_note_checked(
        reason_code=reason_code,
        note=note,
        reason_required=revoke,
        note_required=revoke,
        note_required_message="Tell the artist why the approval is withdrawn.",
    )
    now = timezone.now()
    with transaction.atomic():
        item = ReviewItem.objects.select_for_update().get(pk=opinion.item_id)
        moot = on_rejection and item.status == ReviewStatus.APPROVED
        appeal_rejected = item.stage == ReviewStage.APPEAL and not item.is_open
        if on_rejection and settlement == SETTLE_APPROVE and not moot and appeal_rejected:
            raise InvalidTransition(
                "The artist appealed and a different reviewer rejected the appeal: that "
                "decision is final. Uphold to close this disagreement."
            )
        if moot:
            status = SecondOpinionStatus.MOOT
        elif settlement == SETTLE_UPHOLD:
            status = SecondOpinionStatus.UPHELD
        else:
            status = SecondOpinionStatus.OVERTURNED
        settled = SecondOpinion.objects.filter(
            pk=opinion.pk, status=SecondOpinionStatus.DISAGREED
        ).update(status=status, settled_by=admin, settled_at=now, settlement_note=note)
        if settled != 1:
            raise InvalidTransition("Only an open disagreement can be settled.")
        opinion = SecondOpinion.objects.select_related("item", "first_decision").get(pk=opinion.pk)
        if status == SecondOpinionStatus.OVERTURNED and revoke:
            review_revoke_approval(
                item=opinion.item, admin=admin, reason_code=reason_code, note=note
            )
        elif status == SecondOpinionStatus.OVERTURNED:
            review_overturn_rejection(item=opinion.item, admin=admin, note=note)
        audit_record(
            actor=admin,
            action="second_opinion.moot" if moot else "second_opinion.settle",
            target=opinion,
            data={
                "item": opinion.item_id,
                "first_outcome": _first_outcome(opinion),
                "settlement": settlement,
                "reason_code": reason_code,
            },
        )
    return opinion
