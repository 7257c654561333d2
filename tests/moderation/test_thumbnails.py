"""The review queue's thumbnails and the item page's player (issue 18), without a browser
(tests/browser/test_review_player.py drives the player)."""

from __future__ import annotations

import html
import re

import pytest

from jobs.models import Output

pytestmark = pytest.mark.django_db


def _images(page: str, css_class: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(rf'class="{css_class}" src="([^"]+)"', page)]


def test_queue_rows_show_poster_and_filmstrip_signed_for_the_reviewer(
    client, reviewer, artist, make_output
):
    outputs = [make_output(artist) for _ in range(3)]
    client.force_login(reviewer)
    page = client.get("/staff/review/").content.decode()
    posters, strips = _images(page, "queue-poster"), _images(page, "queue-filmstrip")
    assert len(posters) == len(strips) == 3
    for output in outputs:
        assert f'alt="Poster of item {output.review.pk}"' in page
        assert (
            f'alt="Filmstrip of item {output.review.pk}: {output.filmstrip_frames} frames"' in page
        )
    assert 'loading="lazy"' in page and 'width="96" height="54"' in page
    for url in posters + strips:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    # The refreshing fragment carries them too.
    fragment = client.get("/staff/review/?fragment=1").content.decode()
    assert len(_images(fragment, "queue-poster")) == 3


def test_output_without_a_filmstrip_shows_its_poster_and_a_plain_player(
    client, reviewer, artist, make_output
):
    output = make_output(artist)
    Output.objects.filter(pk=output.pk).update(filmstrip="", filmstrip_frames=0)
    client.force_login(reviewer)
    page = client.get("/staff/review/").content.decode()
    assert len(_images(page, "queue-poster")) == 1 and "queue-filmstrip" not in page
    item = client.get(f"/staff/review/{output.review.pk}/").content.decode()
    assert 'id="review-player"' in item and "player-strip-empty" in item
    url = f"/m/{output.pk}/filmstrip/"
    assert url not in item
    # The door answers 404 for a filmstrip that doesn't exist, even with a good link.
    from web.media_links import media_url

    assert (
        client.get(media_url(output=output, kind="filmstrip", viewer=reviewer)).status_code == 404
    )


def test_item_page_has_the_player_over_the_video(client, reviewer, artist, make_output):
    output = make_output(artist)
    client.force_login(reviewer)
    page = client.get(f"/staff/review/{output.review.pk}/").content.decode()
    assert "js/review-player.js" in page
    assert 'id="review-player" class="player" hidden' in page  # shown by the script only
    assert 'role="slider"' in page and f'data-tiles="{output.filmstrip_frames}"' in page
    (strip,) = re.findall(r'<img src="([^"]+/filmstrip/[^"]+)"', page)
    assert client.get(html.unescape(strip)).status_code == 200
