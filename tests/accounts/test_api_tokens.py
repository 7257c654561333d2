"""Personal API tokens: shown once, hashed, recognisable, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.api_tokens import PREFIX, TOKEN_LENGTH, token_generate, token_hash, token_well_formed
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from domain.errors import NotAllowed
from jobs.models import Job

pytestmark = pytest.mark.django_db

JOB = {
    "prompt": "a kite over dunes",
    "duration_seconds": 2,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_format_prefix_and_checksum():
    token = token_generate()
    assert token.startswith(PREFIX) and len(token) == TOKEN_LENGTH
    assert token_well_formed(token)
    tampered = token[:-7] + ("A" if token[-7] != "A" else "B") + token[-6:]
    assert not token_well_formed(tampered)  # one changed character breaks the checksum
    assert not token_well_formed("vrn_" + "x" * 36)
    assert not token_well_formed("ghp_" + token[4:])


def test_secret_is_shown_once_and_stored_hashed(artist):
    issued = api_token_create(user=artist, name="render script", scope="read")
    row = ApiToken.objects.get()
    assert row.token_hash == token_hash(issued.secret)
    assert issued.secret not in (row.token_hash, row.display) and row.display.endswith("…")
    assert row.expires_at - row.created_at == timedelta(days=90)


def test_bad_input_is_refused_per_field(artist):
    with pytest.raises(ValidationError) as error:
        api_token_create(user=artist, name=" ", scope="admin", expires_in_days=999)
    assert set(error.value.message_dict) == {"name", "scope", "expires_in_days"}


def test_staff_need_mfa_for_tokens(reviewer):
    Authenticator.objects.filter(user=reviewer).delete()
    with pytest.raises(NotAllowed, match="two-factor"):
        api_token_create(user=reviewer, name="x", scope="read")


def test_staff_with_mfa_may_hold_a_token(client, reviewer):
    secret = api_token_create(user=reviewer, name="queue script", scope="review:read").secret
    assert client.get("/api/v1/review/queue/", **bearer(secret)).status_code == 200


def test_staff_token_stops_when_mfa_is_turned_off(client, reviewer):
    secret = api_token_create(user=reviewer, name="queue script", scope="review:read").secret
    Authenticator.objects.filter(user=reviewer).delete()
    refused = client.get("/api/v1/review/queue/", **bearer(secret))
    assert refused.status_code == 403 and refused.json()["code"] == "mfa_required"


def test_read_token_reads_but_cannot_generate(client, artist):
    secret = api_token_create(user=artist, name="dashboard", scope="read").secret
    me = client.get("/api/v1/me/", **bearer(secret))
    assert me.status_code == 200 and me.json()["email"] == artist.email
    refused = client.post(
        "/api/v1/generations/", JOB, content_type="application/json", **bearer(secret)
    )
    assert refused.status_code == 403 and "scope" in refused.json()["detail"]
    assert not Job.objects.exists()
    token = ApiToken.objects.get()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"


def test_generate_token_submits_but_writes_nowhere_else(client, artist, make_output):
    secret = api_token_create(user=artist, name="batch", scope="generate").secret
    created = client.post(
        "/api/v1/generations/", JOB, content_type="application/json", **bearer(secret)
    )
    assert created.status_code == 201
    feedback = client.post("/api/v1/feedback/", {"kind": "feature", "title": "t", "comment": "c"},
                           content_type="application/json", **bearer(secret))  # fmt: skip
    assert feedback.status_code == 403


def test_revoked_expired_unknown_and_garbage_tokens_fail(client, artist):
    issued = api_token_create(user=artist, name="old", scope="read")
    assert client.get("/api/v1/me/", **bearer(issued.secret)).status_code == 200
    api_token_revoke(actor=artist, token=issued.token)
    assert (
        client.get("/api/v1/me/", **bearer(issued.secret))
        .json()["detail"]
        .startswith("This token was revoked")
    )
    expired = api_token_create(user=artist, name="short", scope="read", expires_in_days=1)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        created_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert "expired" in client.get("/api/v1/me/", **bearer(expired.secret)).json()["detail"]
    assert (
        "not a Vernissage token" in client.get("/api/v1/me/", **bearer("hunter2")).json()["detail"]
    )
    assert client.get("/api/v1/me/", **bearer(token_generate())).status_code in (401, 403)


def test_tokens_still_pass_the_nda_gate(client, unsigned_artist):
    secret = api_token_create(user=unsigned_artist, name="x", scope="read").secret
    assert client.get("/api/v1/me/", **bearer(secret)).json()["code"] == "agreement_required"


def test_only_the_owner_revokes(artist, other_artist):
    issued = api_token_create(user=artist, name="x", scope="read")
    with pytest.raises(NotAllowed):
        api_token_revoke(actor=other_artist, token=issued.token)


def test_portal_page_shows_the_secret_once_and_revokes(client, artist, other_artist):
    client.force_login(artist)
    page = client.post(
        "/account/tokens/", {"name": "cli", "scope": "generate", "expires_in_days": "30"}
    )
    html = page.content.decode()
    token = ApiToken.objects.get()
    assert "won't be shown again" in html and 'id="new-token">vrn_' in html
    again = client.get("/account/tokens/").content.decode()
    assert token.display in again and 'id="new-token"' not in again
    bad = client.post("/account/tokens/", {"name": "", "scope": "generate", "expires_in_days": "0"})
    assert bad.status_code == 400
    client.force_login(other_artist)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(artist)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
