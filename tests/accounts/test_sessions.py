"""People see where they are signed in and end sessions; suspension ends them all."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.test import Client

from accounts.services import user_session_end
from containment.switches import account_suspend
from domain.errors import DomainError
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LAPTOP = {"REMOTE_ADDR": "127.0.0.5", "HTTP_USER_AGENT": "Laptop Firefox/140"}
PHONE = {"REMOTE_ADDR": "127.0.0.6", "HTTP_USER_AGENT": "Phone Safari/18"}


@pytest.fixture
def alice(artist):
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)
    return artist


def signed_in_client(user, meta) -> Client:
    client = Client(**meta)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_the_list_shows_each_browser_address_and_this_session(alice):
    laptop = signed_in_client(alice, LAPTOP)
    signed_in_client(alice, PHONE)

    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("127.0.0.5", "127.0.0.6", "Laptop Firefox/140", "Phone Safari/18"):
        assert text in html
    assert html.count("(this session)") == 1
    assert "Last seen" in html
    assert 'class="skip-link"' in html  # our layout
    current = html.split("(this session)")[0].rsplit("<tr", 1)[1]
    assert "Laptop Firefox/140" in current


def test_ending_one_session_signs_that_device_out(alice):
    laptop = signed_in_client(alice, LAPTOP)
    phone = signed_in_client(alice, PHONE)
    phone_row = UserSession.objects.get(user=alice, user_agent=PHONE["HTTP_USER_AGENT"])

    done = laptop.post(f"/account/sessions/{phone_row.pk}/end/", follow=True)
    assert "That session has ended" in done.content.decode()

    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_ending_all_other_sessions(alice):
    laptop = signed_in_client(alice, LAPTOP)
    phone = signed_in_client(alice, PHONE)
    tablet = signed_in_client(alice, {"REMOTE_ADDR": "127.0.0.7"})

    laptop.post("/accounts/sessions/")

    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert is_signed_in(laptop)
    assert UserSession.objects.filter(user=alice).count() == 1


def test_nobody_ends_someone_elses_session(alice, other_artist):
    signed_in_client(alice, PHONE)
    row = UserSession.objects.get(user=alice)
    intruder = Client()
    intruder.force_login(other_artist)
    page = intruder.post(f"/account/sessions/{row.pk}/end/", follow=True)
    assert "already ended" in page.content.decode()
    assert UserSession.objects.filter(pk=row.pk).exists()


def test_the_current_session_is_ended_by_signing_out(alice):
    laptop = signed_in_client(alice, LAPTOP)
    row = UserSession.objects.get(user=alice)
    with pytest.raises(DomainError, match="sign out instead"):
        user_session_end(user=alice, session_id=row.pk, current_session_key=row.session_key)
    laptop.post(f"/account/sessions/{row.pk}/end/")
    assert is_signed_in(laptop)


def test_suspending_an_account_ends_every_session_and_empties_the_list(alice, other_artist):
    laptop = signed_in_client(alice, LAPTOP)
    phone = signed_in_client(alice, PHONE)
    assert UserSession.objects.filter(user=alice).count() == 2
    EmailAddress.objects.create(
        user=other_artist, email=other_artist.email, verified=True, primary=True
    )
    bystander = signed_in_client(other_artist, {"REMOTE_ADDR": "127.0.0.9"})

    account_suspend(admin=None, user=alice, reason="token posted publicly")

    assert not UserSession.objects.filter(user=alice).exists()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert UserSession.objects.filter(user=other_artist).count() == 1
    assert is_signed_in(bystander)


def test_the_recorded_address_ignores_a_header_from_an_untrusted_peer(alice):
    signed_in_client(alice, {**LAPTOP, "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    assert UserSession.objects.get(user=alice).ip == "127.0.0.5"


def test_behind_our_proxy_the_recorded_address_is_the_client(alice, settings):
    settings.TRUSTED_PROXY = True
    settings.TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    signed_in_client(
        alice, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.1.1, 198.51.100.7"}
    )
    assert UserSession.objects.get(user=alice).ip == "198.51.100.7"


def test_last_seen_is_written_once_a_minute_but_a_new_address_at_once(alice):
    laptop = signed_in_client(alice, LAPTOP)
    laptop.get("/")
    row = UserSession.objects.get(user=alice)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=row.created_at)
    laptop.get("/")
    laptop.get("/")
    row.refresh_from_db()
    assert row.last_seen_at == row.created_at  # no write per request

    laptop.get("/", REMOTE_ADDR="127.0.0.8")
    row.refresh_from_db()
    assert row.ip == "127.0.0.8" and row.last_seen_at > row.created_at


def test_last_seen_is_rewritten_after_one_to_two_minutes_fixed_per_session() -> None:
    from accounts.sessions import session_client, session_seen_lately

    intervals = []
    for n in range(40):
        client = session_client(session_key=f"key{n:04d}abcdefgh", ip="192.0.2.1", agent="UA")
        now = 1_000_000
        lately = [
            session_seen_lately(seen=[*client, now - ago], client=client, now=now)
            for ago in range(0, 125)
        ]
        first_stale = lately.index(False)
        assert all(lately[:first_stale]) and not any(lately[first_stale:])
        intervals.append(first_stale)
        other = session_client(session_key=f"key{n:04d}abcdefgh", ip="192.0.2.2", agent="UA")
        assert not session_seen_lately(seen=[*client, now], client=other, now=now)
    assert min(intervals) >= 60 and max(intervals) <= 119
    assert len(set(intervals)) > 10  # spread, so sessions begun together don't write together
