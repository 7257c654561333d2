"""Public pages' players ask for fresh signed links (static/js/media-refresh.js; the
browser side is tests/browser/test_media_refresh.py)."""

from __future__ import annotations

import pytest

from moderation.services import review_approve, review_claim
from publishing.services import publication_create, publication_unpublish

pytestmark = pytest.mark.django_db


def _published(artist, reviewer, make_output, visibility: str):
    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    return publication_create(output=output, artist=artist, visibility=visibility)


def test_public_pages_get_fresh_links_only_while_published(client, artist, reviewer, make_output):
    """The endpoints the public players ask: an unlisted video only by its slug, never
    by id through the gallery's; nothing once it is unpublished."""
    shared = _published(artist, reviewer, make_output, "link")
    gallery = _published(artist, reviewer, make_output, "gallery")
    fresh = client.get(f"/s/{shared.slug}/media/")
    assert fresh.status_code == 200
    assert fresh["Cache-Control"].startswith("max-age=0")
    assert client.get(fresh.json()["video_url"]).status_code == 200
    assert client.get(f"/gallery/{shared.pk}/media/").status_code == 404
    assert client.get(f"/gallery/{gallery.pk}/media/").status_code == 200
    publication_unpublish(publication=gallery, artist=artist)
    assert client.get(f"/gallery/{gallery.pk}/media/").status_code == 404
    assert client.get("/s/not-a-slug/media/").status_code == 404
