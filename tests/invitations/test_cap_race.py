"""Two people accept invitations into the last seat at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg
import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from cohorts.services import cohort_create
from invitations import services
from invitations.services import invitation_create
from tests.conftest import PASSWORD
from tests.waiting import wait_until


def lock_watcher(request: pytest.FixtureRequest) -> Callable[[int], bool]:
    """Whether anyone waits for a lock the backend ``pid`` holds, asked on a connection of
    its own (inside a transaction, pg_stat_activity keeps its first answer)."""
    settings = connection.settings_dict
    watcher = psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
        password=settings["PASSWORD"], dbname=settings["NAME"], autocommit=True,
    )  # fmt: skip
    request.addfinalizer(watcher.close)

    def waits_for(pid: int) -> bool:
        row = watcher.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid)))",
            [pid],
        ).fetchone()
        return bool(row and row[0])

    return waits_for


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acceptances_share_one_seat(monkeypatch, request):
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
    errors: list[BaseException] = []

    # Force the interleaving: after its seat check, each acceptance waits until the other
    # has passed its own seat check too, or is seen waiting on a lock this one holds.
    # Without a lock both pass the check and both join; with the cohort row locked, the
    # second is blocked before its check, and the first goes on as soon as that is seen.
    seat_checked = {email: threading.Event() for email in tokens}
    waits_for = lock_watcher(request)
    real_set_role = services.user_set_role

    def set_role_after_the_other_checked(**kwargs):
        me = kwargs["user"].email
        seat_checked[me].set()
        (other,) = (email for email in tokens if email != me)
        mine = connection.connection.info.backend_pid
        wait_until(
            lambda: seat_checked[other].is_set() or waits_for(mine),
            timeout=30,
            what=f"{other} to check its seat or to wait for {me}'s lock",
        )
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
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(email,)) for email in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(statuses.values()) == [302, 409], statuses
    winner = next(email for email, status in statuses.items() if status == 302)
    loser = next(email for email, status in statuses.items() if status == 409)
    assert list(cohort.members.values_list("email", flat=True)) == [winner]
    assert not User.objects.filter(email=loser).exists()
