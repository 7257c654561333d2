"""Guards of ``accounts.authentication.ApiTokenAuthentication`` that no other test
defended (docs/mutation.md): each test names its guard; taking the guard away
(tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken, TokenScope, User
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def authenticate(header: str) -> tuple[User, ApiToken] | None:
    request = Request(APIRequestFactory().get(ME, HTTP_AUTHORIZATION=header))
    return ApiTokenAuthentication().authenticate(request)


def test_another_authorization_scheme_is_left_to_the_session(client, artist):
    """The guard: only ``Bearer`` is this class's business. A site behind a proxy's basic
    authentication forwards ``Authorization: Basic …`` on every call; it must not turn a
    signed-in browser's API calls into 401s."""
    assert authenticate("Basic YWxpY2U6c2VjcmV0") is None
    client.force_login(artist)
    response = client.get(ME, HTTP_AUTHORIZATION="Basic YWxpY2U6c2VjcmV0")
    assert response.status_code == 200
    assert response.json()["email"] == artist.email


@pytest.mark.parametrize("shape", ["Bearer", "Bearer {secret} trailing"])
def test_a_bearer_header_must_hold_exactly_one_token(client, artist, shape):
    """The guard: ``len(header) != 2``. A valid token followed by anything is refused
    (not read as the token), and a bare ``Bearer`` is a 401, not a server error."""
    secret = api_token_create(user=artist, name="script", scope=TokenScope.READ).secret
    header = shape.format(secret=secret)
    with pytest.raises(exceptions.AuthenticationFailed):
        authenticate(header)
    response = client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "exactly" in response.json()["detail"]


def test_a_token_stops_at_its_expiry_instant(artist, monkeypatch):
    """The guard's boundary: ``expires_at <= now`` (expired *at* ``expires_at``)."""
    issued = api_token_create(user=artist, name="script", scope=TokenScope.READ)
    instant = timezone.now()
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=instant)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    with pytest.raises(exceptions.AuthenticationFailed, match="expired"):
        authenticate(f"Bearer {issued.secret}")


def test_a_disabled_accounts_token_is_refused(client, artist):
    """The guard: ``not token.user.is_active``. An account switched off directly (the
    admin's "active" flag, not a suspension that also revokes tokens) keeps its tokens
    in the table; they must not work."""
    secret = api_token_create(user=artist, name="script", scope=TokenScope.READ).secret
    User.objects.filter(pk=artist.pk).update(is_active=False)
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert response.json()["detail"] == "This account is disabled."
