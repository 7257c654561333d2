from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


class InvitationState(models.TextChoices):
    """What a person holding the link experiences: the status, plus expiry by the clock."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Used"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class Invitation(models.Model):
    """An invitation for one email address into one cohort.

    Stored transitions: pending → accepted, pending → revoked (only in
    invitations.services). "Expired" is not stored: it is a pending invitation whose
    ``expires_at`` has passed.
    """

    email = models.EmailField()
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="invitations"
    )
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
        help_text="Empty when invited from the command line.",
    )
    # SHA-256 of the secret in the link; the secret itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="pending", accepted_at__isnull=True, revoked_at__isnull=True)
                    | Q(status="accepted", accepted_at__isnull=False, revoked_at__isnull=True)
                    | Q(status="revoked", accepted_at__isnull=True, revoked_at__isnull=False)
                ),
                name="invitation_status_matches_timestamps",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.cohort}"

    @property
    def state(self) -> InvitationState:
        if self.status == InvitationStatus.ACCEPTED:
            return InvitationState.ACCEPTED
        if self.status == InvitationStatus.REVOKED:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING
