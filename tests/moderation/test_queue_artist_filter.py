"""The queue filtered by artist (issue 18): part of an email or a name, in any case, or an
account id from an older link; the matching accounts are found first, so the queue's own
query stays an ``artist_id IN (...)`` on its index."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import user_set_public_credit
from moderation import selectors
from moderation.selectors import queue_artist_ids

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(artist, other_artist, make_output):
    """Alice Artist (alice@example.com) and Bob Painter (bob@example.com), one item each."""
    return {"alice": make_output(artist).review, "bob": make_output(other_artist).review}


def listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<a href="/staff/review/(\d+)/">#\d+</a>', html)}


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("alice@example.com", {"alice"}),
        ("ALICE@EXAM", {"alice"}),  # any case, any part
        ("bob painter", {"bob"}),  # the full name (signed on the NDA)
        ("Painter", {"bob"}),
        ("  Alice Art  ", {"alice"}),  # outer spaces don't count
        ("example.com", {"alice", "bob"}),
        ("", {"alice", "bob"}),  # nothing typed: no filter
    ],
)
def test_the_queue_page_filters_by_email_or_name(client, reviewer, items, typed, who):
    client.force_login(reviewer)
    response = client.get("/staff/review/", {"artist": typed})
    assert response.status_code == 200
    assert listed(response.content.decode()) == {items[name].pk for name in who}


def test_an_artist_id_from_an_older_link_still_filters(client, reviewer, artist, items):
    client.force_login(reviewer)
    html = client.get(f"/staff/review/?artist={artist.pk}").content.decode()
    assert listed(html) == {items["alice"].pk}


def test_no_match_is_an_empty_queue_not_an_error(client, reviewer, items):
    client.force_login(reviewer)
    response = client.get("/staff/review/", {"artist": "nobody-here"})
    html = response.content.decode()
    assert response.status_code == 200
    # It says the filter found nothing, not that the queue is done.
    assert listed(html) == set() and "No open item matches these filters." in html
    assert "Nothing waiting." not in html and 'aria-invalid="true"' not in html
    assert client.get("/staff/review/?artist=999999").status_code == 200


def test_the_filter_is_a_labelled_text_input_keeping_what_was_typed(client, reviewer, items):
    client.force_login(reviewer)
    html = client.get("/staff/review/", {"artist": "bob <painter>"}).content.decode()
    assert '<label for="f-artist">Artist (email, name or id)</label>' in html
    assert re.search(r'<input type="text" id="f-artist" name="artist"[^>]*>', html)
    assert 'value="bob &lt;painter&gt;"' in html


def test_over_200_characters_is_a_field_error(client, reviewer, items):
    client.force_login(reviewer)
    response = client.get("/staff/review/", {"artist": "a" * 201})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="f-artist-error"' in html
    assert re.search(r'<p class="error" id="f-artist-error">Keep it to 200 characters', html)
    assert listed(html) == set()
    assert client.get("/staff/review/", {"artist": "a" * 200}).status_code == 200


def test_too_many_matching_accounts_is_a_field_error(client, reviewer, items, monkeypatch):
    monkeypatch.setattr(selectors, "ARTIST_FILTER_MAX_MATCHES", 1)
    client.force_login(reviewer)
    response = client.get("/staff/review/", {"artist": "example.com"})
    assert response.status_code == 400
    assert "More than 1 accounts match" in response.content.decode()
    assert client.get("/staff/review/", {"artist": "bob@"}).status_code == 200


def test_the_public_credit_matches_too(artist):
    user_set_public_credit(user=artist, credit="Studio Lumen")
    assert queue_artist_ids(text="lumen") == [artist.pk]
    assert queue_artist_ids(text="") is None
    assert queue_artist_ids(text="1234567890123456789012") == []  # too long for an id: text


def test_the_queue_query_filters_by_ids_not_by_a_text_search(client, reviewer, items):
    """The accounts are searched in one query of their own; the queue's query names the
    ids it found (``artist_id IN (...)``), so it keeps the partial index on (artist,
    due_at, id) and no text search runs over the review items."""
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        client.get("/staff/review/", {"artist": "painter"})
    searches = [q["sql"] for q in queries if "LIKE" in q["sql"]]
    assert len(searches) == 1 and 'FROM "accounts_user"' in searches[0]
    queue = [q["sql"] for q in queries if 'FROM "moderation_reviewitem"' in q["sql"]]
    assert len(queue) == 1
    assert f'"moderation_reviewitem"."artist_id" IN ({items["bob"].artist_id})' in queue[0]


def test_the_queue_api_filters_the_same_way(client, reviewer, items):
    client.force_login(reviewer)

    def ids(artist: str) -> list[int]:
        response = client.get("/api/v1/review/queue/", {"artist": artist})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("ALICE") == [items["alice"].pk]
    assert ids(str(items["bob"].artist_id)) == [items["bob"].pk]
    assert ids("nobody-here") == []
    refused = client.get("/api/v1/review/queue/", {"artist": "a" * 201})
    assert refused.status_code == 400 and set(refused.json()["fields"]) == {"artist"}
