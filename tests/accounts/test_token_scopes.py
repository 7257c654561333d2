"""Who may hold which token scope, and what a staff token may do (docs/api-tokens.md).
Every operation against every scope is tests/api/test_token_scopes.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import ApiToken
from accounts.roles import Role
from accounts.services import api_token_create, user_set_role
from feedback.services import feedback_submit
from tests.conftest import give_totp, old_token

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.mark.parametrize("scope", ["review:read", "review:write"])
def test_artists_may_not_hold_staff_scopes(artist, scope):
    with pytest.raises(ValidationError) as error:
        api_token_create(user=artist, name="x", scope=scope)
    assert set(error.value.message_dict) == {"scope"}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("scope", ["read", "generate"])
def test_staff_may_not_hold_artist_scopes(reviewer, program_admin, scope):
    for staff in (reviewer, program_admin):
        with pytest.raises(ValidationError) as error:
            api_token_create(user=staff, name="x", scope=scope)
        assert set(error.value.message_dict) == {"scope"}
    assert not ApiToken.objects.exists()


def test_each_holds_their_own_scopes(artist, reviewer):
    for scope in ("read", "generate"):
        api_token_create(user=artist, name=scope, scope=scope)
    for scope in ("review:read", "review:write"):
        api_token_create(user=reviewer, name=scope, scope=scope)
    assert ApiToken.objects.count() == 4


def test_the_token_page_offers_only_the_scopes_one_may_hold(client, artist, reviewer):
    client.force_login(artist)
    page = client.get("/account/tokens/").content.decode()
    assert 'value="read"' in page and 'value="generate"' in page
    assert 'value="review:read"' not in page and 'value="review:write"' not in page
    refused = client.post(
        "/account/tokens/", {"name": "x", "scope": "review:write", "expires_in_days": "30"}
    )
    assert refused.status_code == 400 and not ApiToken.objects.exists()

    client.force_login(reviewer)
    page = client.get("/account/tokens/").content.decode()
    assert 'value="review:read"' in page and 'value="review:write"' in page
    assert 'value="read"' not in page and 'value="generate"' not in page


def test_a_reviewers_old_read_token_no_longer_reads_the_queue(reviewer, artist, make_output):
    """The issue: a reviewer's "read" token read the whole queue (artist emails) and every
    safety finding."""
    make_output(artist)
    finding = feedback_submit(
        reporter=artist,
        kind="safety",
        data={"title": "Jailbreak", "severity": "high", "category": "policy_bypass",
              "prompts": "a d e e p f a k e"},
        screenshots=[],
    )  # fmt: skip
    client = bearer(old_token(reviewer, "read"))
    for path in ["/api/v1/review/queue/", f"/api/v1/feedback/{finding.pk}/", "/api/v1/me/"]:
        refused = client.get(path)
        assert (refused.status_code, refused.json()["code"]) == (403, "token_scope"), path
    reader = bearer(api_token_create(user=reviewer, name="q", scope="review:read").secret)
    assert reader.get("/api/v1/review/queue/").status_code == 200
    assert reader.get(f"/api/v1/feedback/{finding.pk}/").json()["kind"] == "safety"


def test_review_read_reads_but_does_not_decide(reviewer, artist, make_output):
    item = make_output(artist).review
    reader = bearer(api_token_create(user=reviewer, name="q", scope="review:read").secret)
    refused = reader.post(f"/api/v1/review/{item.pk}/claim/")
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")
    writer = bearer(api_token_create(user=reviewer, name="d", scope="review:write").secret)
    claimed = writer.post(f"/api/v1/review/{item.pk}/claim/")
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"
    approved = writer.post(
        f"/api/v1/review/{item.pk}/approve/", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"


def test_staff_scopes_do_not_submit_generations(reviewer):
    writer = bearer(api_token_create(user=reviewer, name="d", scope="review:write").secret)
    refused = writer.post("/api/v1/generations/", {}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")


def test_a_token_stops_when_its_holder_changes_sides(artist):
    secret = api_token_create(user=artist, name="batch", scope="generate").secret
    assert bearer(secret).get("/api/v1/me/").status_code == 200
    user_set_role(user=artist, role=Role.REVIEWER)
    give_totp(artist)
    refused = bearer(secret).get("/api/v1/me/")
    assert (refused.status_code, refused.json()["code"]) == (403, "token_scope")
