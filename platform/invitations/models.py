from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
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


WAVE_NAME_MAX = 100


class InvitationWave(models.Model):
    """A named batch of invitations ("Spring illustrators"), so staff can follow how one
    round of inviting went. Names are unique across the program, whatever the case: one
    wave may span cohorts (a CSV row names its own), so the name can't be per cohort.
    ``cohort`` is the cohort chosen when the wave was named, shown as a hint only."""

    name = models.CharField(max_length=WAVE_NAME_MAX)
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation_waves",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="invitation_wave_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="invitation_wave_name_given"),
        ]

    def __str__(self) -> str:
        return self.name


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
    wave = models.ForeignKey(
        InvitationWave,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitations",
    )

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
