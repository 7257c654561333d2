"""``invitation_accept`` called directly: the rules it keeps itself, whichever form, API
or command calls it (the sign-up form's own checks are in test_lifecycle.py)."""

from __future__ import annotations

import pytest

from accounts.models import User
from audit.models import AuditEvent
from cohorts.models import Cohort
from invitations import services
from invitations.errors import EmailMismatch
from invitations.models import InvitationStatus
from invitations.services import invitation_accept
from tests.concurrency import Racer, RowLock, finish, start_and_wait_until_blocked
from tests.conftest import PASSWORD
from tests.faults.conftest import protection_params


@pytest.mark.django_db
def test_an_account_with_another_address_cannot_use_the_invitation(invite, cohort):
    """The protection: the email comparison in ``invitation_accept`` itself."""
    invitation, token = invite("newcomer@example.com")
    stranger = User.objects.create_user(email="stranger@example.com", password=PASSWORD)

    with pytest.raises(EmailMismatch) as refused:
        invitation_accept(token=token, user=stranger)

    assert refused.value.field == "email"
    assert "newcomer@example.com" in refused.value.message
    stranger.refresh_from_db()
    assert stranger.cohort is None and not stranger.groups.exists()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.PENDING, None)
    assert not AuditEvent.objects.filter(action="invitation.accept").exists()
    # Nothing was used up: the invited address still gets in with the same link.
    invited = User.objects.create_user(email="newcomer@example.com", password=PASSWORD)
    assert invitation_accept(token=token, user=invited).accepted_by == invited


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "invitation_lock",
    protection_params(reason="without the invitation row lock one link is used twice"),
)
def test_one_link_used_twice_at_once_is_used_once(invite, cohort, monkeypatch, invitation_lock):
    """The protection: ``invitation_accept`` locks the invitation row before anything else.

    The same account submits twice at once (a double click, a retried request). A
    transaction holding the cohort row stands in for a third acceptance in progress, so
    both attempts are inside ``invitation_accept`` before either can finish: with the lock
    the second waits on the invitation and then finds it used; without it both read the
    invitation as pending and both use it."""
    if invitation_lock == "off":
        lookup = services.invitation_for_token
        monkeypatch.setattr(
            services, "invitation_for_token", lambda *, token, lock=False: lookup(token=token)
        )
    invitation, token = invite("newcomer@example.com")
    user = User.objects.create_user(email="newcomer@example.com", password=PASSWORD)

    def accept() -> object:
        return invitation_accept(token=token, user=User.objects.get(pk=user.pk))

    with RowLock(Cohort, cohort.pk):
        racers = [Racer(accept), Racer(accept)]
        start_and_wait_until_blocked(racers)
    outcomes = finish(racers)

    assert outcomes == ["InvitationUsed", "ok"], [racer.error for racer in racers]
    assert AuditEvent.objects.filter(action="invitation.accept").count() == 1
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by_id) == (InvitationStatus.ACCEPTED, user.pk)
    assert list(cohort.members.all()) == [user]
