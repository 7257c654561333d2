"""The second factor is passed per session, not owned per account (decision 0020).

Each protection has an ``off`` twin (strict xfail, decision 0017): the test must fail with
the protection switched off, or it proves nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import admin

from accounts.models import ApiToken, User
from accounts.services import user_has_mfa
from tests.accounts.test_mfa import (
    SETUP,
    sign_in_with_password,
    unused_recovery_code,
    verified,
    without_mfa,
)
from tests.conftest import PASSWORD, force_login_password_only, totp_code, totp_secret
from tests.faults.conftest import protection_params
from web.media_links import media_url

pytestmark = pytest.mark.django_db

REAUTH = "/accounts/2fa/reauthenticate/"


@pytest.fixture
def protection(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``off`` switches off the protection the test names in its ``sabotage`` marker."""
    state: str = request.param
    if state == "off":
        name = request.node.get_closest_marker("sabotage").args[0]
        SABOTAGE[name](monkeypatch)
    return state


def _session_check_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Back to "the account has an app" (the defect): any session of it counts.
    monkeypatch.setattr("accounts.mfa.session_passed_mfa", lambda request: True)


def _admin_login_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.urls import urlpatterns

    pattern = next(p for p in urlpatterns if getattr(p, "name", "") == "admin_login_redirect")
    monkeypatch.setattr(pattern, "callback", admin.site.login)


def _without_our_form(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def sabotage(monkeypatch: pytest.MonkeyPatch) -> None:
        forms = {key: value for key, value in settings.MFA_FORMS.items() if key != name}
        monkeypatch.setattr(settings, "MFA_FORMS", forms)

    return sabotage


SABOTAGE = {
    "session_mfa": _session_check_off,
    "admin_login": _admin_login_off,
    "stable_secret": _without_our_form("activate_totp"),
    "code_to_deactivate": _without_our_form("deactivate_totp"),
}

SESSION_ON_OFF = protection_params(reason="a password-only staff session gets staff resources")


def _staff_resources(client, reviewer: User, output) -> dict[str, object]:
    """What the defect report reached with a password-only staff session."""
    video = media_url(output=output, kind="video", viewer=reviewer)
    return {
        "review queue": client.get("/staff/review/"),
        "review API": client.get("/api/v1/review/queue/"),
        "pending video": client.get(video, HTTP_SEC_FETCH_DEST="video"),
        "switches": client.get("/staff/switches/"),
        "payout CSV": client.get("/ledger/export.csv"),
        "admin": client.get("/admin/"),
        "token": client.post("/account/tokens/", {"name": "x", "scope": "review:read"}),
    }


@pytest.mark.sabotage("session_mfa")
@pytest.mark.parametrize("protection", SESSION_ON_OFF, indirect=True)
def test_a_password_only_staff_session_gets_nothing_staff(
    client, reviewer, artist, make_output, protection
):
    output = make_output(artist)
    force_login_password_only(client, reviewer)
    answers = _staff_resources(client, reviewer, output)
    for name, answer in answers.items():
        status = answer.status_code  # type: ignore[attr-defined]
        if name == "review API":
            assert status == 403 and answer.json()["code"] == "mfa_required", name  # type: ignore[attr-defined]
        elif name in ("pending video", "token"):
            assert status == 403, name  # not a page navigation: refused, not redirected
        else:
            # Pages go to "enter your code", never to the resource.
            assert status == 302, (name, status)
            assert answer["Location"].startswith(REAUTH), name  # type: ignore[index]
    assert not ApiToken.objects.filter(user=reviewer).exists()


def test_entering_the_code_lets_the_same_session_in(client, reviewer):
    verified(reviewer)
    force_login_password_only(client, reviewer)
    sent = client.get("/staff/review/")
    assert sent["Location"] == f"{REAUTH}?next=%2Fstaff%2Freview%2F"
    wrong = client.post(REAUTH, {"code": "000000", "next": "/staff/review/"})
    assert wrong.status_code == 200 and client.get("/staff/review/").status_code == 302
    done = client.post(REAUTH, {"code": totp_code(totp_secret(reviewer)), "next": "/staff/review/"})
    assert done.status_code == 302 and done["Location"] == "/staff/review/"
    assert client.get("/staff/review/").status_code == 200


def test_a_password_only_session_cannot_turn_the_app_off(client, reviewer):
    """The attack: password → re-authenticate → deactivate → enrol the attacker's app."""
    verified(reviewer)
    force_login_password_only(client, reviewer)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    for path in ("/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/generate/"):
        assert client.post(path).status_code == 403, path
        assert client.get(path)["Location"].startswith(REAUTH), path
    assert user_has_mfa(reviewer)


@pytest.mark.sabotage("admin_login")
@pytest.mark.parametrize(
    "protection",
    protection_params(reason="Django's admin sign-in makes a staff session from a password"),
    indirect=True,
)
def test_admin_sign_in_is_allauths(client, reviewer, protection):
    verified(reviewer)
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 302 and page["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    posted = client.post(
        "/admin/login/?next=/admin/", {"username": reviewer.email, "password": PASSWORD}
    )
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_admin_sign_in_cannot_be_sent_off_site(client):
    answer = client.get("/admin/login/?next=https://evil.example/")
    assert answer["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_admin_password_form_is_ours(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/password_change/")["Location"] == "/accounts/password/change/"


@pytest.mark.sabotage("code_to_deactivate")
@pytest.mark.parametrize(
    "protection",
    protection_params(reason="the password alone turns the authenticator off"),
    indirect=True,
)
def test_turning_the_app_off_needs_a_current_code(client, reviewer, protection):
    verified(reviewer)
    client.force_login(reviewer)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    refused = client.post("/accounts/2fa/totp/deactivate/", {})
    assert user_has_mfa(reviewer), refused
    wrong = client.post("/accounts/2fa/totp/deactivate/", {"code": "123456"})
    assert wrong.status_code == 200 and user_has_mfa(reviewer)
    done = client.post("/accounts/2fa/totp/deactivate/", {"code": unused_recovery_code(reviewer)})
    assert done.status_code == 302 and not user_has_mfa(reviewer)


def test_new_recovery_codes_need_a_current_code(client, reviewer):
    verified(reviewer)
    client.force_login(reviewer)
    before = Authenticator.objects.get(user=reviewer, type="recovery_codes").data
    assert client.post("/accounts/2fa/recovery-codes/generate/", {}).status_code == 200
    assert Authenticator.objects.get(user=reviewer, type="recovery_codes").data == before
    done = client.post(
        "/accounts/2fa/recovery-codes/generate/", {"code": totp_code(totp_secret(reviewer))}
    )
    assert done.status_code == 302
    assert Authenticator.objects.get(user=reviewer, type="recovery_codes").data != before


# Setting up in an ordinary browser (favicon, prefetch, XHR)


BROWSER_NOISE = [
    {"HTTP_ACCEPT": "image/avif,image/webp,*/*", "HTTP_SEC_FETCH_DEST": "image"},
    {"HTTP_SEC_FETCH_DEST": "script"},
    {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"},
    {"HTTP_ACCEPT": "application/json"},
]


@pytest.mark.sabotage("stable_secret")
@pytest.mark.parametrize(
    "protection",
    protection_params(reason="a second request for the set-up page replaces the secret"),
    indirect=True,
)
def test_the_setup_key_survives_what_a_browser_asks_for(client, reviewer, protection):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    shown = client.get(SETUP).context["form"].secret
    # What Chromium asks for around the page: the favicon, a prefetch, the page again.
    assert client.get("/favicon.ico").status_code == 200
    client.get("/no-such-icon.png", HTTP_SEC_FETCH_DEST="image")
    client.get(SETUP)
    done = client.post(SETUP, {"code": totp_code(shown)})
    assert done.status_code == 302, done.content.decode()
    assert user_has_mfa(reviewer)


@pytest.mark.parametrize("headers", BROWSER_NOISE)
def test_requests_that_are_not_pages_are_refused_not_redirected(client, reviewer, headers):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    answer = client.get("/staff/review/", **headers)
    assert answer.status_code == 403
    assert "2fa" in answer.content.decode()


def test_the_site_has_a_favicon_for_everyone(client, reviewer):
    assert client.get("/favicon.ico")["Content-Type"] == "image/x-icon"
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    assert client.get("/favicon.ico").status_code == 200


def test_setting_up_the_app_passes_the_factor_for_this_session(client, reviewer):
    without_mfa(reviewer)
    sign_in_with_password(client, reviewer)
    secret = client.get(SETUP).context["form"].secret
    client.post(SETUP, {"code": totp_code(secret)})
    assert client.get("/staff/review/").status_code == 200


def test_a_session_that_passed_but_whose_app_was_removed_must_set_up_again(client, reviewer):
    client.force_login(reviewer)
    Authenticator.objects.filter(user=reviewer).delete()
    assert client.get("/staff/review/")["Location"] == SETUP
