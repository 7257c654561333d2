"""Signed media URLs (decision 0007) are refused when dated in the future: Django's
timestamp signer only checks that a URL isn't too old."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from publishing import media
from publishing.media import CLOCK_SKEW_SECONDS
from tests.faults.conftest import protection_params
from web.media_links import media_url

pytestmark = pytest.mark.django_db


def _url_signed_at(monkeypatch, offset: float, **kwargs) -> str:
    """A URL signed ``offset`` seconds from now, for a media door whose clock is held at
    now: however long the request takes, the URL's age is exactly ``-offset``."""
    now = time.time()
    monkeypatch.setattr(media, "time", SimpleNamespace(time=lambda: now))
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: now + offset)
        return media_url(**kwargs)


@pytest.mark.parametrize(
    "protection", protection_params(reason="Django's signer accepts a negative age")
)
@pytest.mark.parametrize("offset", [CLOCK_SKEW_SECONDS + 2, 3600, 10 * 365 * 86400])
def test_a_url_dated_in_the_future_is_refused(
    client, artist, make_output, monkeypatch, protection, offset
):
    """The protection: ``publishing.media._MediaSigner`` (at most CLOCK_SKEW_SECONDS, 5 s,
    ahead). A URL from the future would outlive its TTL by however far ahead it is."""
    if protection == "off":
        monkeypatch.setattr(media, "CLOCK_SKEW_SECONDS", 10**12)
    output = make_output(artist)
    client.force_login(artist)
    url = _url_signed_at(monkeypatch, offset, output=output, kind="video", viewer=artist)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("offset", [-60, 0, CLOCK_SKEW_SECONDS - 2])
def test_a_url_signed_now_or_by_a_clock_slightly_ahead_works(
    client, artist, make_output, monkeypatch, offset
):
    output = make_output(artist)
    client.force_login(artist)
    url = _url_signed_at(monkeypatch, offset, output=output, kind="video", viewer=artist)
    assert client.get(url).status_code == 200
