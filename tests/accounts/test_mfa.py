"""Two-factor authentication (allauth TOTP + recovery codes): required for staff,
available to artists (decision 0013)."""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from accounts.models import ApiToken, User
from accounts.services import user_has_mfa
from tests.conftest import PASSWORD, totp_code, totp_secret

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"
SECOND_STEP = "/accounts/2fa/authenticate/"
OUR_LAYOUT = 'class="skip-link" href="#main"'


def verified(user: User) -> User:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def without_mfa(user: User) -> User:
    Authenticator.objects.filter(user=user).delete()
    return verified(user)


def unused_recovery_code(user: User) -> str:
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return stored.wrap().get_unused_codes()[0]


def sign_in_with_password(client, user: User):
    return client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def set_up_totp(client) -> str:
    """Walk the set-up page the way a person does: read the key, type the app's code."""
    page = client.get(SETUP)
    assert page.status_code == 200, page
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # for people who can't scan the QR code
    done = client.post(SETUP, {"code": totp_code(secret)})
    assert done.status_code == 302, done.content.decode()
    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    return secret


# Staff without an authenticator


@pytest.mark.parametrize("path", ["/", "/staff/review/", "/admin/", "/account/tokens/"])
def test_staff_without_mfa_are_sent_to_set_it_up(client, reviewer, path):
    client.force_login(without_mfa(reviewer))
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == SETUP


def test_program_admin_without_mfa_is_sent_too(client, program_admin):
    client.force_login(without_mfa(program_admin))
    assert client.get("/staff/switches/")["Location"] == SETUP


def test_staff_without_mfa_can_still_sign_out_and_reach_the_setup(client, reviewer):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    assert client.get(SETUP).status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    client.post("/accounts/logout/")
    assert not signed_in(client)


def test_setup_page_says_why(client, reviewer):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == SETUP
    assert "Staff accounts need two-factor authentication" in page.content.decode()


def test_staff_api_calls_are_refused_with_a_code(client, reviewer):
    client.force_login(without_mfa(reviewer))
    for path in ("/api/v1/review/queue/", "/api/v1/me/"):
        refused = client.get(path)
        assert refused.status_code == 403
        body = refused.json()
        assert body["code"] == "mfa_required"
        assert "/accounts/2fa/totp/activate/" in body["detail"]


def test_staff_with_mfa_are_let_through(client, reviewer):
    client.force_login(reviewer)  # the fixture has an authenticator app
    assert client.get("/staff/review/").status_code == 200
    assert client.get("/api/v1/review/queue/").status_code == 200


def test_staff_who_turn_it_off_are_sent_back(client, reviewer):
    verified(reviewer)
    sign_in_with_password(client, reviewer)
    client.post(SECOND_STEP, {"code": totp_code(totp_secret(reviewer))})
    # Turning it off needs a current code (tests/accounts/test_mfa_session.py).
    deactivated = client.post(
        "/accounts/2fa/totp/deactivate/", {"code": unused_recovery_code(reviewer)}
    )
    assert deactivated.status_code == 302
    assert not user_has_mfa(reviewer)
    assert client.get("/staff/review/")["Location"] == SETUP


# Setting it up


def test_staff_set_up_totp_with_a_real_code_and_get_recovery_codes(client, reviewer):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    assert client.get("/")["Location"] == SETUP

    secret = set_up_totp(client)

    assert user_has_mfa(reviewer)
    stored = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.TOTP)
    assert stored.wrap().validate_code(totp_code(secret))  # the app and we agree
    codes = client.get("/accounts/2fa/recovery-codes/")
    assert codes.status_code == 200 and OUR_LAYOUT in codes.content.decode()
    unused = RecoveryCodes(
        Authenticator.objects.get(user=reviewer, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(unused) == 10 and all(code in codes.content.decode() for code in unused)
    assert client.get("/staff/review/").status_code == 200


def test_a_wrong_code_does_not_turn_it_on(client, reviewer):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    secret = client.get(SETUP).context["form"].secret
    wrong = totp_code(secret, at=time.time() - 3600)
    page = client.post(SETUP, {"code": wrong})
    assert page.status_code == 200 and "Incorrect code" in page.content.decode()
    assert not user_has_mfa(reviewer)


def test_artist_is_not_forced_but_may_turn_it_on(client, artist):
    verified(artist)
    sign_in_with_password(client, artist)
    assert client.get("/").status_code == 200  # not sent anywhere
    index = client.get("/accounts/2fa/")
    assert index.status_code == 200 and "Set up an authenticator app" in index.content.decode()

    set_up_totp(client)

    assert user_has_mfa(artist)
    client.post("/accounts/logout/")
    assert sign_in_with_password(client, artist)["Location"] == SECOND_STEP


# Signing in


def test_sign_in_needs_the_second_step(client, reviewer):
    verified(reviewer)
    first = sign_in_with_password(client, reviewer)
    assert first.status_code == 302 and first["Location"] == SECOND_STEP
    assert not signed_in(client)
    assert client.get("/")["Location"].startswith("/accounts/login/")

    page = client.get(SECOND_STEP)
    assert page.status_code == 200 and OUR_LAYOUT in page.content.decode()
    wrong = client.post(SECOND_STEP, {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert not signed_in(client)

    done = client.post(SECOND_STEP, {"code": totp_code(totp_secret(reviewer))})
    assert done.status_code == 302
    assert signed_in(client)
    assert client.get("/staff/review/").status_code == 200


def test_a_recovery_code_works_once(client, reviewer):
    verified(reviewer)
    codes = Authenticator.objects.get(user=reviewer, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(codes).get_unused_codes()[0]

    sign_in_with_password(client, reviewer)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 302
    assert signed_in(client)
    client.post("/accounts/logout/")

    sign_in_with_password(client, reviewer)
    again = client.post(SECOND_STEP, {"code": code})
    assert again.status_code == 200 and "Incorrect code" in again.content.decode()
    assert not signed_in(client)
    codes.refresh_from_db()
    assert code not in RecoveryCodes(codes).get_unused_codes()


# What MFA unlocks


def test_staff_with_mfa_may_create_a_token_in_the_portal(client, reviewer):
    client.force_login(reviewer)
    page = client.post(
        "/account/tokens/",
        {"name": "queue script", "scope": "review:read", "expires_in_days": "30"},
    )
    assert page.status_code == 200
    assert ApiToken.objects.filter(user=reviewer).count() == 1


def test_staff_without_mfa_get_no_token(reviewer):
    from accounts.services import api_token_create
    from domain.errors import NotAllowed

    without_mfa(reviewer)
    with pytest.raises(NotAllowed, match="two-factor"):
        api_token_create(user=reviewer, name="x", scope="read")


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/", SETUP, "/accounts/2fa/recovery-codes/generate/"]
)
def test_mfa_pages_use_our_layout(client, artist, path):
    verified(artist)
    sign_in_with_password(client, artist)
    page = client.get(path)
    assert page.status_code == 200 and OUR_LAYOUT in page.content.decode()
