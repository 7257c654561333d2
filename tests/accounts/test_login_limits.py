"""Failed sign-ins are limited per (address, client IP) and per client IP, never per
address alone: a stranger can't lock an artist out (decision 0013)."""

from __future__ import annotations

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ImproperlyConfigured

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-in attempts"
STRANGER = {"REMOTE_ADDR": "127.0.0.2"}
ALICE_AT_HOME = {"REMOTE_ADDR": "127.0.0.3"}


@pytest.fixture
def alice(artist):
    EmailAddress.objects.create(user=artist, email=artist.email, verified=True, primary=True)
    return artist


def sign_in(client, email: str, password: str, **meta):
    return client.post("/accounts/login/", {"login": email, "password": password}, **meta)


def test_a_stranger_locks_out_only_themselves(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP):
        wrong = sign_in(client, alice.email, "guess", **STRANGER)
        assert wrong.status_code == 200 and LOCKED not in wrong.content.decode()

    locked = sign_in(client, alice.email, "guess", **STRANGER)
    assert locked.status_code == 200
    page = locked.content.decode()
    assert LOCKED in page and "minutes" in page  # says what happened and for how long
    # Even the right password is refused from the stranger's address while it lasts...
    assert LOCKED in sign_in(client, alice.email, PASSWORD, **STRANGER).content.decode()
    assert "_auth_user_id" not in client.session

    # ...while Alice, from her own address, signs in as usual.
    home = sign_in(client, alice.email, PASSWORD, **ALICE_AT_HOME)
    assert home.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_forwarded_header_does_not_dodge_the_limit(client, alice, settings):
    # Without a trusted proxy in front, X-Forwarded-For is just something the client typed.
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP):
        sign_in(client, alice.email, "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **STRANGER)
    locked = sign_in(client, alice.email, "guess", HTTP_X_FORWARDED_FOR="10.0.1.1", **STRANGER)
    assert LOCKED in locked.content.decode()


def test_one_address_trying_many_accounts_is_limited(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/300s/ip,5/300s/key",
    }
    for n in range(3):
        sign_in(client, f"someone{n}@example.com", "guess", **STRANGER)
    locked = sign_in(client, "someone-else@example.com", "guess", **STRANGER)
    assert LOCKED in locked.content.decode()
    assert sign_in(client, alice.email, PASSWORD, **ALICE_AT_HOME).status_code == 302


def test_a_successful_sign_in_does_not_use_up_the_allowance(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP + 2):
        assert sign_in(client, alice.email, PASSWORD, **ALICE_AT_HOME).status_code == 302
        client.post("/accounts/logout/")


def test_password_reset_is_rate_limited_and_does_not_enumerate(client, alice, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": alice.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]  # same answer whether or not it exists

    refused = None
    for _ in range(10):
        refused = client.post("/accounts/password/reset/", {"email": alice.email})
        if refused.status_code == 429:
            break
    assert refused is not None and refused.status_code == 429
    assert len([mail for mail in mailoutbox if alice.email in mail.to]) <= 5


def test_limits_come_from_the_environment(monkeypatch):
    import config.settings.auth as auth

    monkeypatch.setenv("VERNISSAGE_LOGIN_FAILURES_PER_ACCOUNT_AND_IP", "7")
    monkeypatch.setenv("VERNISSAGE_LOGIN_FAILURES_PER_IP", "70")
    monkeypatch.setenv("VERNISSAGE_LOGIN_FAILURE_WINDOW_SECONDS", "600")
    try:
        reloaded = importlib.reload(auth)
        assert reloaded.ACCOUNT_RATE_LIMITS["login_failed"] == "70/600s/ip,7/600s/key"
        monkeypatch.setenv("VERNISSAGE_LOGIN_FAILURES_PER_IP", "many")
        with pytest.raises(ImproperlyConfigured, match="VERNISSAGE_LOGIN_FAILURES_PER_IP"):
            importlib.reload(auth)
    finally:
        monkeypatch.undo()
        importlib.reload(auth)
