"""Guards in ``invitations.services`` that no other test defended (docs/mutation.md): an
expired invitation no longer blocks a new one, the expiry's range, and the row lock of a
revocation. (The acceptance's guards are in test_accept_service.py.) Taking a guard away
(tools/guard_mutants.py) makes its test fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from domain.errors import InvalidTransition
from invitations.models import Invitation, InvitationStatus
from invitations.services import invitation_create, invitation_revoke
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress


@pytest.mark.django_db
def test_an_expired_invitation_does_not_block_a_new_one(invite, cohort):
    """The guard's condition: only a pending invitation that has not expired
    (``expires_at__gt``) makes an address "already invited"."""
    old, _ = invite("late@example.com", days=1)
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now() - timedelta(days=2)
    )
    issued = invitation_create(inviter=None, email="late@example.com", cohort=cohort)
    assert issued.invitation.pk != old.pk
    with pytest.raises(ValidationError):  # the new one, still pending, does block
        invitation_create(inviter=None, email="late@example.com", cohort=cohort)


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "allowed"), [(0, False), (1, True), (90, True), (91, False)])
def test_an_invitation_lives_1_to_90_days(cohort, days, allowed):
    """The guard and its two boundaries: ``1 <= days <= 90``."""
    if allowed:
        issued = invitation_create(
            inviter=None, email="x@example.com", cohort=cohort, expires_in_days=days
        )
        lifetime = issued.invitation.expires_at - issued.invitation.created_at
        assert lifetime == timedelta(days=days)
    else:
        with pytest.raises(ValidationError) as error:
            invitation_create(
                inviter=None, email="x@example.com", cohort=cohort, expires_in_days=days
            )
        assert "expires_in_days" in error.value.message_dict
        assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_revoking_while_the_invitation_is_being_accepted_is_refused(invite, program_admin):
    """The guard: ``invitation_revoke`` reads the invitation under its row lock, so an
    acceptance committed while it waited counts: a used invitation can't be revoked.
    Without the lock it decides on the stale row (pending) and its write, queued behind
    the acceptance, tries to revoke a used invitation."""
    invitation, _ = invite("newcomer@example.com")

    with RowChangeInProgress(
        Invitation, invitation.pk, status=InvitationStatus.ACCEPTED, accepted_at=timezone.now()
    ):
        racer = Racer(lambda: invitation_revoke(actor=program_admin, invitation=invitation))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert isinstance(racer.error, InvalidTransition), racer.error
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.revoked_at is None
    assert not AuditEvent.objects.filter(action="invitation.revoke").exists()
