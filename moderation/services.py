"""Writes about review items: create, claim, approve, reject, appeal, revoke, escalate,
and staff notes."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.language import language_for
from accounts.models import User
from accounts.permissions import REVIEW_OUTPUTS, RUN_PROGRAM, users_with_perm
from accounts.roles import Role
from audit.services import audit_record
from domain.errors import DomainError, InvalidTransition, NotAllowed
from domain.text import clean_text
from jobs.models import Output
from moderation.errors import AlreadyClaimed, ClaimRequired, NotAppealable, SameReviewer, SelfReview
from moderation.models import (
    OPEN_STATUSES,
    STAFF_NOTE_MAX_LENGTH,
    DecisionOutcome,
    ReviewDecision,
    ReviewItem,
    ReviewStage,
    ReviewStatus,
    SecondOpinion,
    StaffNote,
)
from moderation.reasons import reason_codes, reason_label
from notifications.services import review_decision_notify
from publishing.services import publications_end_for_output
from screening.models import Screening
from screening.services import ScreenResult, screening_record

log = logging.getLogger(__name__)
# Reviewer notes and admin notes: free text the artist reads.
MAX_NOTE = 5000


def _require_reviewer(user: User) -> None:
    if not user.has_perm(REVIEW_OUTPUTS):
        raise NotAllowed("Only reviewers may review outputs.")


def reason_and_note_checked(
    *,
    reason_code: str,
    note: str,
    note_required_message: str,
    reason_required: bool = True,
    note_required: bool = True,
) -> str:
    """The cleaned note of a decision, after checking its reason code against the policy
    reasons; every mistake at once, as one ValidationError with an error per field."""
    errors: dict[str, ValidationError] = {}
    if reason_required and reason_code not in reason_codes():
        errors["reason_code"] = ValidationError(
            f"Choose one of: {', '.join(reason_codes())}.", code="invalid_choice"
        )
    try:
        note = clean_text(
            note,
            field="note",
            max_length=MAX_NOTE,
            multiline=True,
            required=note_required,
            required_message=note_required_message,
        )
    except ValidationError as error:
        errors["note"] = error.error_dict["note"][0]
    if errors:
        raise ValidationError(errors)
    return note


def review_item_create(*, output: Output) -> ReviewItem:
    """Put a new output in the queue, due within its cohort's review SLA."""
    job = output.job
    now = timezone.now()
    return ReviewItem.objects.create(
        output=output,
        artist_id=job.artist_id,
        cohort_id=job.cohort_id,
        created_at=now,
        due_at=now + timedelta(hours=job.cohort.review_sla_hours),
    )


def review_item_screened(*, output: Output, result: ScreenResult) -> Screening:
    """Record ``output``'s pre-screen (audited, decision 0035) and copy what it found to
    the output's review item, whose "flagged" and "not screened" filters each have an
    index. Inside the transaction that stores the output, after ``review_item_create``
    and last (the audit append locks the chain head last)."""
    ReviewItem.objects.filter(output=output).update(
        flagged=result.flagged, not_screened=result.not_screened
    )
    return screening_record(output=output, result=result)


def review_claim(*, item: ReviewItem, reviewer: User) -> ReviewItem:
    """Take an item for review, exclusively until the claim expires. One conditional
    UPDATE decides between two reviewers clicking at once; the loser gets AlreadyClaimed.
    Claiming your own claim again renews it."""
    _require_reviewer(reviewer)
    if item.artist_id == reviewer.pk:
        raise SelfReview("You can't review your own generation.")
    if item.stage == ReviewStage.APPEAL and item.rejected_by_id == reviewer.pk:
        raise SameReviewer("You rejected this output; a different reviewer must decide the appeal.")
    now = timezone.now()
    free = (
        Q(status__in=[ReviewStatus.PENDING, ReviewStatus.APPEALED])
        | Q(status=ReviewStatus.CLAIMED, claim_expires_at__lt=now)
        | Q(status=ReviewStatus.CLAIMED, claimed_by=reviewer)
    )
    taken = ReviewItem.objects.filter(free, pk=item.pk).update(
        status=ReviewStatus.CLAIMED,
        claimed_by=reviewer,
        claim_expires_at=now + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES),
    )
    current = ReviewItem.objects.select_related("claimed_by").get(pk=item.pk)
    if taken != 1:
        if current.status == ReviewStatus.CLAIMED:
            until = current.claim_expires_at
            raise AlreadyClaimed(
                "Another reviewer is reviewing this item"
                + (f" until {until:%H:%M} UTC." if until else ".")
            )
        raise InvalidTransition(f"This item is already {current.get_status_display().lower()}.")
    audit_record(
        actor=reviewer, action="review.claim", target=current, data={"stage": current.stage}
    )
    return current


def review_release(*, item: ReviewItem, reviewer: User) -> ReviewItem:
    """Give a claimed item back to the queue."""
    back = ReviewStatus.APPEALED if item.stage == ReviewStage.APPEAL else ReviewStatus.PENDING
    if ReviewItem.objects.filter(
        pk=item.pk, status=ReviewStatus.CLAIMED, claimed_by=reviewer
    ).update(status=back, claimed_by=None, claim_expires_at=None):
        audit_record(actor=reviewer, action="review.release", target=item)
    return ReviewItem.objects.get(pk=item.pk)


def _decide(
    *, item: ReviewItem, reviewer: User, outcome: ReviewStatus, reason_code: str, note: str
) -> ReviewItem:
    now = timezone.now()
    with transaction.atomic():
        changes: dict[str, object] = {
            "status": outcome,
            "decided_by": reviewer,
            "decided_at": now,
            "reason_code": reason_code,
            "note": note,
            "claimed_by": None,
            "claim_expires_at": None,
        }
        if outcome == ReviewStatus.REJECTED and item.stage == ReviewStage.REVIEW:
            changes["rejected_by"] = reviewer
        decided = ReviewItem.objects.filter(
            pk=item.pk,
            status=ReviewStatus.CLAIMED,
            claimed_by=reviewer,
            claim_expires_at__gte=now,
        ).update(**changes)
        if decided != 1:
            raise ClaimRequired("Claim this item first (your claim may have expired).")
        item = ReviewItem.objects.select_related("output__job", "cohort").get(pk=item.pk)
        role = reviewer.role or Role.REVIEWER
        decision = ReviewDecision.objects.create(
            item=item,
            reviewer=reviewer,
            reviewer_role=role,
            stage=item.stage,
            outcome=DecisionOutcome(outcome.value),
            reason_code=reason_code,
            note=note,
            created_at=now,
        )
        if item.stage == ReviewStage.REVIEW:
            _second_opinion_sample(item=item, decision=decision)
        audit_record(
            actor=reviewer,
            action="review.approve" if outcome == ReviewStatus.APPROVED else "review.reject",
            target=item,
            data={"stage": item.stage, "reason_code": reason_code},
        )
        with translation.override(language_for(item.artist)):
            job_id = item.output.job_id
            if outcome == ReviewStatus.APPROVED:
                message = gettext("Your video #%(job)s was approved. You can publish it now.")
            elif item.appealable:
                message = gettext(
                    "Your video #%(job)s was not approved: %(reason)s. You can appeal once."
                )
            else:
                message = gettext("Your video #%(job)s was not approved: %(reason)s.")
            review_decision_notify(
                artist=item.artist,
                job_id=job_id,
                message=message % {"job": job_id, "reason": reason_label(reason_code)},
                email_subject="[Vernissage] " + gettext("Review decision"),
            )
    return item


def second_opinion_sampled(*, decision_id: int, share: int) -> bool:
    """Whether the first-review decision ``decision_id`` (approval or rejection) goes to a
    second reviewer, for a cohort that sends ``share`` percent (0 none, 100 all). Keyed on
    the decision and SECRET_KEY: the same answer every time it is asked (it can be checked
    afterwards), and no reviewer can tell in advance which of their decisions will be
    looked at again."""
    if share <= 0:
        return False
    if share >= 100:
        return True
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"second-opinion:{decision_id}".encode(), hashlib.sha256
    ).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < share * 100


def _second_opinion_sample(*, item: ReviewItem, decision: ReviewDecision) -> None:
    """In a first-review decision's transaction (approval or rejection, the same share):
    perhaps open a blind second opinion on it (decision 0036). The decision stands
    meanwhile."""
    if not second_opinion_sampled(decision_id=decision.pk, share=item.cohort.second_opinion_share):
        return
    opinion = SecondOpinion.objects.create(
        item=item, first_decision=decision, first_reviewer_id=decision.reviewer_id
    )
    audit_record(
        actor=None,
        action="second_opinion.open",
        target=opinion,
        data={"item": item.pk, "share": item.cohort.second_opinion_share},
    )


def review_approve(*, item: ReviewItem, reviewer: User, note: str = "") -> ReviewItem:
    """Approve a claimed item: the artist may then publish it."""
    _require_reviewer(reviewer)
    return _decide(
        item=item,
        reviewer=reviewer,
        outcome=ReviewStatus.APPROVED,
        reason_code="",
        note=clean_text(note, field="note", max_length=MAX_NOTE, multiline=True),
    )


def review_reject(*, item: ReviewItem, reviewer: User, reason_code: str, note: str) -> ReviewItem:
    """Reject a claimed item with a policy reason and a note the artist will read."""
    _require_reviewer(reviewer)
    note = reason_and_note_checked(
        reason_code=reason_code,
        note=note,
        note_required_message="Tell the artist why, in a sentence or two.",
    )
    return _decide(
        item=item,
        reviewer=reviewer,
        outcome=ReviewStatus.REJECTED,
        reason_code=reason_code,
        note=note,
    )


def review_decide(
    *,
    item: ReviewItem,
    reviewer: User,
    decision: ReviewStatus,
    reason_code: str = "",
    note: str = "",
    claim_if_free: bool = False,
) -> ReviewItem:
    """Approve (``decision=APPROVED``) or reject (``REJECTED``, with a reason and a note)
    an item the reviewer has claimed; without a live claim, ClaimRequired. With
    ``claim_if_free`` (the review page's approve and reject buttons: one keystroke
    decides) the reviewer first claims an item they don't hold live yet (``review_claim``:
    AlreadyClaimed if another reviewer holds it), and a refused decision takes that claim
    back with it: the item is left as it was. The API never claims on a decision."""
    if decision not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        raise ValueError(f"A review decides approved or rejected, not {decision}.")
    holds_live_claim = (
        item.claimed_by_id == reviewer.pk
        and item.claim_expires_at is not None
        and item.claim_expires_at >= timezone.now()
    )
    with transaction.atomic():
        if claim_if_free and not holds_live_claim:
            item = review_claim(item=item, reviewer=reviewer)
        if decision == ReviewStatus.APPROVED:
            return review_approve(item=item, reviewer=reviewer, note=note)
        return review_reject(item=item, reviewer=reviewer, reason_code=reason_code, note=note)


@dataclass
class BulkResult:
    approved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def review_bulk_approve(*, item_ids: list[int], reviewer: User) -> BulkResult:
    """Claim and approve each item; items that can't be (someone else's claim, your own
    generation, already decided) are listed with the reason and left as they were."""
    _require_reviewer(reviewer)
    result = BulkResult()
    for item in ReviewItem.objects.filter(pk__in=item_ids).order_by("due_at", "id"):
        try:
            claimed = review_claim(item=item, reviewer=reviewer)
            review_approve(item=claimed, reviewer=reviewer)
        except DomainError as error:
            result.refused[item.pk] = error.message
        else:
            result.approved.append(item.pk)
    return result


def review_appeal(*, item: ReviewItem, artist: User, statement: str) -> ReviewItem:
    """Appeal a first-review rejection, once, with a statement. It goes back into the
    queue with a new due time and must be decided by a different reviewer."""
    if item.artist_id != artist.pk:
        raise NotAllowed("Only the artist may appeal.")
    statement = clean_text(
        statement,
        field="statement",
        max_length=2000,
        multiline=True,
        required=True,
        required_message="Say why the decision should change.",
    )
    now = timezone.now()
    appealed = ReviewItem.objects.filter(
        pk=item.pk, status=ReviewStatus.REJECTED, stage=ReviewStage.REVIEW
    ).update(
        status=ReviewStatus.APPEALED,
        stage=ReviewStage.APPEAL,
        appeal_statement=statement,
        appealed_at=now,
        due_at=now + timedelta(hours=item.cohort.review_sla_hours),
        escalated_at=None,
    )
    if appealed != 1:
        raise NotAppealable("Only a first rejection can be appealed, and only once.")
    item = ReviewItem.objects.get(pk=item.pk)
    audit_record(actor=artist, action="review.appeal", target=item)
    return item


def review_overturn_rejection(*, item: ReviewItem, admin: User, note: str = "") -> ReviewItem:
    """Program admins only (settling a second opinion, decision 0036): approve a rejected
    output the way an appeal is approved, by a different person at stage "appeal" (final).
    The admin takes the item as an appeal reviewer does, unappealed (rejected at first
    review) or appealed and not claimed by someone else (``review_claim``), then it goes
    through ``_decide`` like any approval: decision record, audit, the artist told.
    One transaction. Refused: InvalidTransition if it is no longer a rejection that an
    appeal could still turn (already approved, or the appeal was decided), AlreadyClaimed
    if a reviewer is deciding the appeal right now, SameReviewer for the one who rejected."""
    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed("Only program admins may overturn a rejection.")
    if item.rejected_by_id == admin.pk:
        raise SameReviewer("You rejected this output; a different person must overturn it.")
    if item.artist_id == admin.pk:
        raise SelfReview("You can't review your own generation.")
    note = clean_text(note, field="note", max_length=MAX_NOTE, multiline=True)
    now = timezone.now()
    with transaction.atomic():
        # An unappealed first rejection: taken as an appeal reviewer takes an appeal.
        if ReviewItem.objects.filter(
            pk=item.pk, status=ReviewStatus.REJECTED, stage=ReviewStage.REVIEW
        ).update(
            status=ReviewStatus.CLAIMED,
            stage=ReviewStage.APPEAL,
            claimed_by=admin,
            claim_expires_at=now + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES),
        ):
            item = ReviewItem.objects.get(pk=item.pk)
            audit_record(
                actor=admin, action="review.claim", target=item, data={"stage": item.stage}
            )
        else:
            item = ReviewItem.objects.get(pk=item.pk)
            if item.stage != ReviewStage.APPEAL or not item.is_open:
                raise InvalidTransition(
                    f"This item is already {item.get_status_display().lower()}"
                    + (" on appeal." if item.stage == ReviewStage.APPEAL else ".")
                )
            item = review_claim(item=item, reviewer=admin)  # the artist's open appeal
        return _decide(
            item=item, reviewer=admin, outcome=ReviewStatus.APPROVED, reason_code="", note=note
        )


def review_revoke_approval(
    *, item: ReviewItem, admin: User, reason_code: str, note: str
) -> ReviewItem:
    """Program admins only: withdraw an approval. Any publication of the output comes down."""

    if not admin.has_perm(RUN_PROGRAM):
        raise NotAllowed("Only program admins may revoke an approval.")
    note = clean_text(note, field="note", max_length=MAX_NOTE, multiline=True)
    if reason_code not in reason_codes() or not note:
        raise ValidationError({"note": "Give a reason code and a note for the artist."})
    now = timezone.now()
    with transaction.atomic():
        # The decision records the stage of the approval it withdraws (the artist's history
        # reads "approval revoked (first review)", not "(appeal)": they never appealed).
        approved_in = (
            ReviewItem.objects.select_for_update()
            .filter(pk=item.pk, status=ReviewStatus.APPROVED)
            .values_list("stage", flat=True)
            .first()
        )
        if approved_in is None or not ReviewItem.objects.filter(
            pk=item.pk, status=ReviewStatus.APPROVED
        ).update(
            status=ReviewStatus.REJECTED,
            stage=ReviewStage.APPEAL,  # final: no appeal against a revocation
            decided_by=admin,
            decided_at=now,
            reason_code=reason_code,
            note=note,
        ):
            raise InvalidTransition("Only an approved output can have its approval revoked.")
        item = ReviewItem.objects.select_related("output").get(pk=item.pk)
        ReviewDecision.objects.create(
            item=item,
            reviewer=admin,
            reviewer_role=Role.PROGRAM_ADMIN,
            stage=approved_in,
            outcome=DecisionOutcome.REVOKED,
            reason_code=reason_code,
            note=note,
            created_at=now,
        )
        publications_end_for_output(
            output=item.output, actor=admin, reason=f"approval revoked: {reason_code}"
        )
        audit_record(
            actor=admin, action="review.revoke", target=item, data={"reason_code": reason_code}
        )
        with translation.override(language_for(item.artist)):
            review_decision_notify(
                artist=item.artist,
                job_id=item.output.job_id,
                message=gettext("The approval of your video #%(job)s was withdrawn: %(reason)s.")
                % {"job": item.output.job_id, "reason": reason_label(reason_code)},
                email_subject="[Vernissage] " + gettext("Approval withdrawn"),
            )
    return item


def staff_note_add(*, item: ReviewItem, author: User, body: str) -> StaffNote:
    """Add a private note to an item, for staff only (reviewers and program admins): the
    artist never sees it. Any item, open or decided. The body is refused (on ``body``) when
    blank or over STAFF_NOTE_MAX_LENGTH characters. Audited without the text: the note
    itself is the record."""
    _require_reviewer(author)
    body = clean_text(
        body,
        field="body",
        max_length=STAFF_NOTE_MAX_LENGTH,
        multiline=True,
        required=True,
        required_message=gettext("Write the note first."),
    )
    with transaction.atomic():
        note = StaffNote.objects.create(item=item, author=author, body=body)
        audit_record(actor=author, action="review.note", target=item, data={"note": note.pk})
    return note


def review_escalate_overdue(*, now: datetime | None = None) -> list[int]:
    """Tell program admins about open items past their due time (once per item)."""
    moment = now or timezone.now()
    overdue = list(
        ReviewItem.objects.filter(
            status__in=OPEN_STATUSES, due_at__lt=moment, escalated_at__isnull=True
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:1000]
    )
    if not overdue:
        return []
    ReviewItem.objects.filter(pk__in=overdue).update(escalated_at=moment)
    admins = [u.email for u in users_with_perm(RUN_PROGRAM).order_by("pk")]
    for pk in overdue:
        audit_record(actor=None, action="review.escalate", target=ReviewItem(pk=pk))
    if admins:
        send_mail(
            subject=f"[Vernissage] {len(overdue)} review item(s) overdue",
            message=(
                f"{len(overdue)} output(s) passed their review due time without a decision.\n"
                f"Queue: {settings.SITE_URL}{reverse('moderation:queue')}?overdue=1"
            ),
            from_email=None,
            recipient_list=admins,
            fail_silently=True,
        )
    log.warning("escalated %d overdue review items", len(overdue))
    return overdue
