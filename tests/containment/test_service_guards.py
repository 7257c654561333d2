"""Guards in ``containment.services`` that no other test defended (docs/mutation.md): who
is watched, who is alerted, and containing an account that is already suspended. Each
test names its guard; taking it away (tools/guard_mutants.py) makes the test fail."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create, user_set_role
from audit.models import AuditEvent
from containment.rules import Finding
from containment.services import account_contain, activity_observe
from containment.switches import account_suspend
from notifications.models import Notification
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.conftest import PASSWORD
from tests.held_rows import RowChangeInProgress

FINDING = Finding("distinct_ips", 50, 12, "used from 50 addresses")


def crowd(user: User) -> None:
    """Requests from more addresses than the (lowered) limit allows."""
    for n in range(5):
        activity_observe(user=user, ip=f"10.0.0.{n}", user_agent="ua")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["promoted_artist", "flagless_superuser", "flagless_reviewer"])
def test_staff_are_not_watched_however_they_came_to_be_staff(artist, settings, who):
    """The guards: ``not user.is_staff``, ``not user.is_superuser`` and the cohort check
    (staff roles without the flag have no cohort). An artist made a reviewer keeps their
    cohort; a superuser or a reviewer may lack the staff flag. None of them is contained:
    locking operators out mid-incident helps the leak."""
    settings.ANOMALY_MAX_DISTINCT_IPS = 2
    if who == "promoted_artist":
        user = user_set_role(user=artist, role=Role.REVIEWER)
        assert user.cohort_id is not None and user.is_staff
    elif who == "flagless_superuser":
        user = User.objects.create_superuser(email="root@studio.example", password=PASSWORD)
        User.objects.filter(pk=user.pk).update(is_staff=False, cohort=artist.cohort)
    else:
        user = user_create(email="rey@studio.example", password=PASSWORD, role=Role.REVIEWER)
        User.objects.filter(pk=user.pk).update(is_staff=False)
    user = User.objects.get(pk=user.pk)
    crowd(user)
    user.refresh_from_db()
    assert user.is_active and not user.is_paused
    assert not AuditEvent.objects.filter(action="containment.anomaly").exists()


@pytest.mark.django_db
def test_only_active_program_admins_are_alerted(artist, other_artist, program_admin):
    """The guard: ``_program_admins`` (program admins or superusers, ``is_active``).
    Other artists never read that someone was contained."""
    retired = user_create(email="old@studio.example", password=PASSWORD, role=Role.PROGRAM_ADMIN)
    User.objects.filter(pk=retired.pk).update(is_active=False)

    assert account_contain(user=artist, findings=[FINDING]) is True

    alerted = set(
        Notification.objects.filter(message__contains=artist.email).values_list("user", flat=True)
    )
    assert alerted == {program_admin.pk}
    assert not Notification.objects.filter(user=other_artist).exists()


@pytest.mark.django_db
def test_an_account_an_operator_suspended_is_not_contained_again(artist, program_admin):
    """The guard: ``not current.is_active``: already suspended, nothing more to do (no
    second suspension, audit event or alert)."""
    account_suspend(admin=program_admin, user=artist, reason="Token seen on a public site")
    assert account_contain(user=artist, findings=[FINDING]) is False
    assert not AuditEvent.objects.filter(action="containment.anomaly").exists()
    artist.refresh_from_db()
    assert artist.paused_reason == "Token seen on a public site"


@pytest.mark.django_db(transaction=True)
def test_a_suspension_committed_while_containment_waits_wins(artist, program_admin):
    """The guard: ``account_contain`` reads the account under its row lock, so an
    operator's suspension committed while it waited counts and it stands down. Without
    the lock it decides on the stale row and suspends the account a second time."""
    with RowChangeInProgress(
        User, artist.pk, is_active=False, is_paused=True, paused_reason="By the operator"
    ):
        racer = Racer(lambda: account_contain(user=artist, findings=[FINDING]))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert racer.error is None, racer.error
    assert racer.result is False
    assert not AuditEvent.objects.filter(action="containment.anomaly").exists()
    artist.refresh_from_db()
    assert artist.paused_reason == "By the operator"
