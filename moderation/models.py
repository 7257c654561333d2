from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy


class ReviewStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting for review")
    CLAIMED = "claimed", gettext_lazy("Being reviewed")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    APPEALED = "appealed", gettext_lazy("Appealed")


class ReviewStage(models.TextChoices):
    REVIEW = "review", gettext_lazy("First review")
    APPEAL = "appeal", gettext_lazy("Appeal")


OPEN_STATUSES = (ReviewStatus.PENDING, ReviewStatus.CLAIMED, ReviewStatus.APPEALED)


class ReviewItem(models.Model):
    """An output's place in the approval queue.

    pending → claimed → approved | rejected; rejected → appealed → claimed → approved |
    rejected (final, stage "appeal"). Transitions only in moderation.services, each a
    conditional UPDATE on the current status. An expired claim counts as free.
    """

    output = models.OneToOneField("jobs.Output", on_delete=models.PROTECT, related_name="review")
    artist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_items"
    )
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    stage = models.CharField(max_length=6, choices=ReviewStage.choices, default=ReviewStage.REVIEW)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    # Who rejected at first review: they may not decide the appeal (two-person rule).
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_statement = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The output's pre-screen (screening.Screening, decision 0035), copied here when the
    # item is made so the queue's "flagged" and "not screened" filters each have an index
    # of their own instead of a join that walks past every clean item.
    flagged = models.BooleanField(default=False)
    not_screened = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                name="review_open_due",
                condition=Q(status__in=["pending", "claimed", "appealed"]),
            ),
            models.Index(
                fields=["cohort", "due_at", "id"],
                name="review_open_cohort_due",
                condition=Q(status__in=["pending", "claimed", "appealed"]),
            ),
            models.Index(
                fields=["artist", "due_at", "id"],
                name="review_open_artist_due",
                condition=Q(status__in=["pending", "claimed", "appealed"]),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="review_open_flagged_due",
                condition=Q(status__in=["pending", "claimed", "appealed"], flagged=True),
            ),
            models.Index(
                fields=["due_at", "id"],
                name="review_open_unscreened_due",
                condition=Q(status__in=["pending", "claimed", "appealed"], not_screened=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="claimed")
                | Q(claimed_by__isnull=False, claim_expires_at__isnull=False),
                name="review_claimed_has_claim",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="review_decided_has_decider",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason_code=""),
                name="review_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="appealed") | Q(appealed_at__isnull=False, stage="appeal"),
                name="review_appeal_is_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of output {self.output_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def appealable(self) -> bool:
        return self.status == ReviewStatus.REJECTED and self.stage == ReviewStage.REVIEW


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")
    REVOKED = "revoked", gettext_lazy("Approval revoked")


class ReviewDecision(models.Model):
    """Every decision ever taken on an item, in order: the history artists and staff see."""

    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_role = models.CharField(max_length=20)
    stage = models.CharField(max_length=6, choices=ReviewStage.choices)
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.stage}) on item {self.item_id}"


STAFF_NOTE_MAX_LENGTH = 2000


class StaffNote(models.Model):
    """A reviewer's or program admin's private note on a review item: context for the
    next reviewer (an appeal, a pattern across the artist's videos). Staff only: no page,
    API answer or data export an artist receives reads this table."""

    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(~Q(body=""), LessThanOrEqual(Length("body"), STAFF_NOTE_MAX_LENGTH)),
                name="staff_note_body_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Staff note {self.pk} on item {self.item_id}"


class SecondOpinionStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting for a second reviewer")
    CLAIMED = "claimed", gettext_lazy("Being reviewed")
    AGREED = "agreed", gettext_lazy("Agreed")
    DISAGREED = "disagreed", gettext_lazy("Disagreed: for a program admin to settle")
    UPHELD = "upheld", gettext_lazy("Settled: first decision upheld")
    OVERTURNED = "overturned", gettext_lazy("Settled: first decision overturned")
    # A second opinion that would approve a rejection the artist's appeal approved first.
    MOOT = "moot", gettext_lazy("Closed: the appeal approved it first")


SECOND_OPINION_OPEN = (SecondOpinionStatus.PENDING, SecondOpinionStatus.CLAIMED)
SECOND_OPINION_GIVEN = (
    SecondOpinionStatus.AGREED,
    SecondOpinionStatus.DISAGREED,
    SecondOpinionStatus.UPHELD,
    SecondOpinionStatus.OVERTURNED,
    SecondOpinionStatus.MOOT,
)


class SecondOpinion(models.Model):
    """A blind second look at a first-review decision, approval or rejection, sampled at
    decision time (``cohorts.Cohort.second_opinion_share``; decision 0036).

    pending → claimed → agreed (closed) | disagreed → upheld | overturned (a program admin
    settles; overturned revokes the approval, or approves the rejected output) | moot (a
    rejection the artist's appeal approved first). Transitions only in
    ``moderation.second_opinions``, each a conditional UPDATE on the current status. An
    expired claim counts as free. The second reviewer is never the first.
    """

    item = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, related_name="second_opinions")
    first_decision = models.OneToOneField(
        ReviewDecision, on_delete=models.PROTECT, related_name="second_opinion"
    )
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=SecondOpinionStatus.choices, default=SecondOpinionStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "approved" or "rejected": what the second reviewer would have decided.
    second_outcome = models.CharField(max_length=10, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    # For staff: the artist never reads a second opinion.
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settlement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                name="second_opinion_open",
                condition=Q(status__in=["pending", "claimed"]),
            ),
            models.Index(fields=["decided_at"], name="second_opinion_decided"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="claimed")
                | Q(claimed_by__isnull=False, claim_expires_at__isnull=False),
                name="second_opinion_claimed_has_claim",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "claimed"])
                | Q(
                    second_reviewer__isnull=False,
                    decided_at__isnull=False,
                    second_outcome__in=["approved", "rejected"],
                ),
                name="second_opinion_given_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~Q(second_reviewer=models.F("first_reviewer")),
                name="second_opinion_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(second_outcome="rejected") | ~Q(reason_code=""),
                name="second_opinion_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "overturned"])
                | Q(settled_by__isnull=False, settled_at__isnull=False),
                name="second_opinion_settled_has_admin",
            ),
        ]

    def __str__(self) -> str:
        return f"Second opinion {self.pk} on item {self.item_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in SECOND_OPINION_OPEN
