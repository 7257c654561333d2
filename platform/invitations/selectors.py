"""Reads about invitations for the staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from invitations.models import Invitation, InvitationStatus, InvitationWave

# What the staff list filters by: the states a link holder sees, plus "never signed up"
# (pending or expired: everyone invited who has no account from it).
NEVER_SIGNED_UP = "never_signed_up"
INVITATION_FILTERS = ("pending", "expired", "accepted", "revoked", NEVER_SIGNED_UP)


def invitation_list(*, state: str = "", wave: InvitationWave | None = None) -> QuerySet[Invitation]:
    """Invitations, newest first, in ``state`` (one of INVITATION_FILTERS; "" for all),
    only those of ``wave`` when given."""
    now = timezone.now()
    by_state = {
        "pending": Q(status=InvitationStatus.PENDING, expires_at__gt=now),
        "expired": Q(status=InvitationStatus.PENDING, expires_at__lte=now),
        "accepted": Q(status=InvitationStatus.ACCEPTED),
        "revoked": Q(status=InvitationStatus.REVOKED),
        NEVER_SIGNED_UP: Q(status=InvitationStatus.PENDING),
    }
    invitations = Invitation.objects.select_related("cohort", "inviter", "wave").order_by(
        "-created_at", "-pk"
    )
    if wave is not None:
        invitations = invitations.filter(wave=wave)
    return invitations.filter(by_state[state]) if state else invitations


@dataclass(frozen=True)
class WaveSummary:
    """How one wave went, counted per address: a resent invitation is one person."""

    wave: InvitationWave
    invited: int = 0
    signed_up: int = 0
    never_came: int = 0  # pending or expired, never used
    revoked: int = 0  # every invitation to the address revoked


def invitation_wave_summaries() -> list[WaveSummary]:
    """Every wave, newest first, with its counts. An address counts once per wave: as
    signed up if any of its invitations was used, else as never came if one is still
    pending (expired included), else as revoked."""
    per_address = (
        Invitation.objects.filter(wave__isnull=False)
        .values("wave_id", "email")
        .annotate(
            used=Count("pk", filter=Q(status=InvitationStatus.ACCEPTED)),
            open=Count("pk", filter=Q(status=InvitationStatus.PENDING)),
        )
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in per_address:
        wave_counts = counts.setdefault(row["wave_id"], dict.fromkeys(_COUNTS, 0))
        wave_counts["invited"] += 1
        if row["used"]:
            wave_counts["signed_up"] += 1
        elif row["open"]:
            wave_counts["never_came"] += 1
        else:
            wave_counts["revoked"] += 1
    return [
        WaveSummary(wave=wave, **counts.get(wave.pk, {}))
        for wave in InvitationWave.objects.select_related("cohort")
    ]


_COUNTS = ("invited", "signed_up", "never_came", "revoked")
