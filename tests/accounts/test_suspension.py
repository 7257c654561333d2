"""Suspension is a sign-in ban, and a new password leaves nothing of the old one behind
(decision 0021). ``off`` twins (strict xfail) prove each test needs its protection."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from audit.models import AuditEvent
from containment.services import activity_observe
from containment.switches import account_restore, account_suspend
from tests.conftest import PASSWORD
from tests.faults.conftest import protection_params
from web.media_links import media_url

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a completely different passphrase 77"


def verified(user: User) -> User:
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def sign_in(client, user: User, password: str = PASSWORD, **meta):
    return client.post("/accounts/login/", {"login": user.email, "password": password}, **meta)


@pytest.fixture
def sign_in_ban(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "off":
        # The defect: suspension paused the account and ended its sessions only.
        from django.db.models import QuerySet

        original = QuerySet.update

        def update(self, **fields):
            if self.model is User and fields == {"is_active": False}:
                return 0
            return original(self, **fields)

        monkeypatch.setattr(QuerySet, "update", update)
    return str(request.param)


@pytest.mark.parametrize(
    "sign_in_ban",
    protection_params(reason="a suspended artist signs straight back in"),
    indirect=True,
)
def test_a_suspended_artist_cannot_sign_in_again(
    client, artist, program_admin, make_output, settings, sign_in_ban
):
    settings.CONTACT_EMAIL = "preview-team@example.com"
    verified(artist)
    output = make_output(artist)
    video = media_url(output=output, kind="video", viewer=artist)  # minted before
    account_suspend(admin=program_admin, user=artist, reason="Token seen on a public site")

    answer = sign_in(client, artist, REMOTE_ADDR="203.0.113.9")  # a new address
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "Token seen on a public site" in page and "preview-team@example.com" in page
    assert "_auth_user_id" not in client.session
    # Nothing behind the door: media, token minting, feedback, data export.
    assert client.get(video).status_code == 404
    assert client.post("/account/tokens/", {"name": "x", "scope": "generate"}).status_code == 302
    assert not ApiToken.objects.filter(user=artist, revoked_at__isnull=True).exists()
    assert client.get("/my-data.zip").status_code == 302


def test_a_wrong_password_for_a_suspended_account_learns_nothing(client, artist, program_admin):
    verified(artist)
    account_suspend(admin=program_admin, user=artist, reason="Leak under investigation")
    answer = sign_in(client, artist, password="not it")
    assert answer.status_code == 200 and "Leak under investigation" not in answer.content.decode()


def test_a_suspended_accounts_old_token_and_old_session_are_dead(client, artist, program_admin):
    secret = api_token_create(user=artist, name="cli", scope="generate").secret
    client.force_login(artist)
    account_suspend(admin=program_admin, user=artist, reason="Shared account")
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_containment_bars_sign_in_too(client, artist, settings):
    verified(artist)
    settings.ANOMALY_MAX_DISTINCT_IPS = 3
    for n in range(5):
        activity_observe(user=artist, ip=f"198.51.100.{n}", user_agent="curl/8")
    artist.refresh_from_db()
    assert not artist.is_active
    assert sign_in(client, artist, REMOTE_ADDR="192.0.2.200").status_code == 403


def test_paused_artists_are_still_watched(artist, program_admin, settings):
    """A paused account can still sign in and stream: its traffic must still be watched."""
    from accounts.services import user_set_paused

    settings.ANOMALY_MAX_DISTINCT_IPS = 3
    user_set_paused(actor=program_admin, user=artist, paused=True, reason="Quota review")
    for n in range(5):
        activity_observe(user=artist, ip=f"198.51.100.{n}", user_agent="curl/8")
    artist.refresh_from_db()
    assert not artist.is_active


def test_restoring_is_an_audited_staff_action(client, artist, program_admin):
    verified(artist)
    account_suspend(admin=program_admin, user=artist, reason="Shared account")
    account_restore(admin=program_admin, user=artist)
    assert AuditEvent.objects.filter(action="account.restore", object_id=str(artist.pk)).exists()
    assert sign_in(client, artist).status_code == 302
    assert "_auth_user_id" in client.session


# A new password leaves nothing of the old one behind


@pytest.fixture
def credentials_rule(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "off":
        monkeypatch.setattr("accounts.services.user_credentials_changed", lambda *, user: None)
    return str(request.param)


CREDENTIALS_ON_OFF = protection_params(reason="tokens and sessions outlive a password change")


@pytest.mark.parametrize("credentials_rule", CREDENTIALS_ON_OFF, indirect=True)
def test_a_password_change_ends_every_session_and_revokes_every_token(
    client, artist, credentials_rule
):
    verified(artist)
    secret = api_token_create(user=artist, name="cli", scope="generate").secret
    elsewhere = client.__class__()
    elsewhere.force_login(artist)
    sign_in(client, artist)
    changed = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert elsewhere.get("/api/v1/me/").status_code in (401, 403)
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert AuditEvent.objects.filter(action="account.password_changed").exists()


@pytest.mark.parametrize("credentials_rule", CREDENTIALS_ON_OFF, indirect=True)
def test_a_password_reset_revokes_every_token(client, artist, credentials_rule):
    verified(artist)
    secret = api_token_create(user=artist, name="cli", scope="generate").secret
    client.post("/accounts/password/reset/", {"email": artist.email})
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line
    )
    path = link[link.index("/accounts/") :].strip()
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    artist.refresh_from_db()
    assert artist.check_password(NEW_PASSWORD)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_the_current_password_counts_against_the_sign_in_limits(client, artist, settings):
    verified(artist)
    sign_in(client, artist)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_IP):
        client.post(
            "/accounts/password/change/",
            {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    # Now even the right one is refused until the window passes.
    refused = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert refused.status_code in (200, 429)
    artist.refresh_from_db()
    assert artist.check_password(PASSWORD)
