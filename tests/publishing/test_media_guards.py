"""Boundaries of the media door's guards that no other test defended (docs/mutation.md):
a signed URL's age limits, exactly at the limit. Taking a guard away or moving its
boundary (tools/guard_mutants.py) makes its test fail."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from publishing import media
from publishing.media import CLOCK_SKEW_SECONDS
from web.media_links import media_url

pytestmark = pytest.mark.django_db


def url_aged(monkeypatch: pytest.MonkeyPatch, age: int, **kwargs: object) -> str:
    """A URL whose age at the media door is exactly ``age`` seconds (negative: dated in
    the future). Both clocks are held on whole seconds, as signing times are."""
    now = float(int(time.time()))
    monkeypatch.setattr(media, "time", SimpleNamespace(time=lambda: now))
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: now - age)
        return media_url(**kwargs)  # type: ignore[arg-type]


def test_a_url_exactly_as_old_as_its_ttl_still_works(
    client, artist, make_output, monkeypatch, settings
):
    """The guard's boundary: expired when ``age > MEDIA_URL_TTL_SECONDS``, not at it."""
    output = make_output(artist)
    client.force_login(artist)
    ttl = settings.MEDIA_URL_TTL_SECONDS
    ok = client.get(url_aged(monkeypatch, ttl, output=output, kind="video", viewer=artist))
    assert ok.status_code == 200
    late = client.get(url_aged(monkeypatch, ttl + 1, output=output, kind="video", viewer=artist))
    assert late.status_code == 404


def test_a_url_exactly_the_allowed_skew_ahead_still_works(client, artist, make_output, monkeypatch):
    """The guard's boundary: refused when dated *more* than ``CLOCK_SKEW_SECONDS`` ahead."""
    output = make_output(artist)
    client.force_login(artist)
    skew = CLOCK_SKEW_SECONDS
    ok = client.get(url_aged(monkeypatch, -skew, output=output, kind="video", viewer=artist))
    assert ok.status_code == 200
    ahead = client.get(url_aged(monkeypatch, -skew - 1, output=output, kind="video", viewer=artist))
    assert ahead.status_code == 404


def test_a_one_byte_range_is_served(client, artist, make_output):
    """The guard's boundary: a range is unsatisfiable when ``start > end``; ``bytes=0-0``
    (what players send to probe a file) is one byte."""
    output = make_output(artist)
    client.force_login(artist)
    url = media_url(output=output, kind="video", viewer=artist)
    part = client.get(url, HTTP_RANGE="bytes=0-0")
    assert part.status_code == 206
    assert part["Content-Length"] == "1"
    assert part["Content-Range"].startswith("bytes 0-0/")
