"""Two people accept invitations into the last seat at the same moment."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from cohorts.services import cohort_create
from invitations import services
from invitations.services import invitation_create
from tests.conftest import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acceptances_share_one_seat(monkeypatch):
    cohort = cohort_create(actor=None, name="One seat", capacity=1)
    tokens = {
        email: invitation_create(inviter=None, email=email, cohort=cohort, send_email=False).token
        for email in ("first@example.com", "second@example.com")
    }
    clients = {email: Client() for email in tokens}
    for email, token in tokens.items():
        assert clients[email].get(f"/invitations/{token}/").status_code == 302

    barrier = threading.Barrier(len(tokens))
    statuses: dict[str, int] = {}

    # Widen the race window: after its seat check, each acceptance waits (up to 2 s) for
    # the other to get there too. Without a lock both pass the check and both join; with
    # the cohort row locked, the second is still blocked before its check.
    seat_checked = threading.Barrier(len(tokens))
    real_set_role = services.user_set_role

    def set_role_after_the_other_checked(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            seat_checked.wait(timeout=2)
        return real_set_role(**kwargs)

    monkeypatch.setattr(services, "user_set_role", set_role_after_the_other_checked)

    def accept(email: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = clients[email].post(
                "/accounts/signup/",
                {"email": email, "password1": PASSWORD, "password2": PASSWORD},
            )
            statuses[email] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(email,)) for email in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses.values()) == [302, 409], statuses
    winner = next(email for email, status in statuses.items() if status == 302)
    loser = next(email for email, status in statuses.items() if status == 409)
    assert list(cohort.members.values_list("email", flat=True)) == [winner]
    assert not User.objects.filter(email=loser).exists()
