"""Reads about invitations for the staff pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from invitations.models import Invitation, InvitationStatus

# What the staff list filters by: the states a link holder sees, plus "never signed up"
# (pending or expired: everyone invited who has no account from it).
NEVER_SIGNED_UP = "never_signed_up"
INVITATION_FILTERS = ("pending", "expired", "accepted", "revoked", NEVER_SIGNED_UP)


def invitation_list(*, state: str = "") -> QuerySet[Invitation]:
    """Invitations, newest first, in ``state`` (one of INVITATION_FILTERS; "" for all)."""
    now = timezone.now()
    by_state = {
        "pending": Q(status=InvitationStatus.PENDING, expires_at__gt=now),
        "expired": Q(status=InvitationStatus.PENDING, expires_at__lte=now),
        "accepted": Q(status=InvitationStatus.ACCEPTED),
        "revoked": Q(status=InvitationStatus.REVOKED),
        NEVER_SIGNED_UP: Q(status=InvitationStatus.PENDING),
    }
    invitations = Invitation.objects.select_related("cohort", "inviter").order_by(
        "-created_at", "-pk"
    )
    return invitations.filter(by_state[state]) if state else invitations
