"""An API client downloads what the API shows it, with the same token (issue 14.4)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create, api_token_revoke
from tests.conftest import old_token
from tests.faults.conftest import protection_params

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def video_url_for(client: Client, job_id: int) -> str:
    detail = client.get(f"/api/v1/generations/{job_id}/")
    assert detail.status_code == 200, detail.content
    return detail.json()["output"]["video_url"]


@pytest.mark.parametrize(
    "protection", protection_params(reason="the media door knew sessions only: a 404")
)
def test_a_token_fetches_its_own_jobs_video(artist, make_output, protection, monkeypatch):
    """The protection: ``publishing.media._viewer`` (the token's holder is the viewer)."""
    if protection == "off":
        monkeypatch.setattr("publishing.media._viewer", lambda request: request.user)
    output = make_output(artist)
    client = bearer(api_token_create(user=artist, name="cli", scope="read").secret)
    url = video_url_for(client, output.job_id)
    answer = client.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content)[4:8] == b"ftyp"  # type: ignore[attr-defined]


def test_the_url_is_no_use_to_another_token_or_without_one(artist, other_artist, make_output):
    output = make_output(artist)
    mine = api_token_create(user=artist, name="cli", scope="read")
    url = video_url_for(bearer(mine.secret), output.job_id)
    other = api_token_create(user=other_artist, name="cli", scope="read").secret
    assert bearer(other).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert bearer("vrn_not_a_token").get(url).status_code == 404
    api_token_revoke(actor=artist, token=mine.token)
    assert bearer(mine.secret).get(url).status_code == 404


def test_a_token_that_no_longer_fits_its_holder_reaches_nothing(artist, make_output):
    output = make_output(artist)
    url = video_url_for(
        bearer(api_token_create(user=artist, name="cli", scope="read").secret), output.job_id
    )
    stale = old_token(artist, "review:read")  # a staff scope held by an artist
    assert bearer(stale).get(url).status_code == 404
