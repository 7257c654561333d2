"""The review page's side panel (issue 18): the artist's earlier decided items, latest
first, at most 10, the item under review left out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ReviewItem
from moderation.selectors import review_history_of_artist
from moderation.services import review_approve, review_claim, review_reject

pytestmark = pytest.mark.django_db


def panel(html: str) -> str:
    match = re.search(r'<aside aria-labelledby="history-heading".*?</aside>', html, re.S)
    assert match, "the item page has no side panel"
    return match.group(0)


def linked_items(block: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<a href="/staff/review/(\d+)/">Item #\d+</a>', block)]


def test_the_panel_lists_the_latest_ten_decided_items_of_this_artist_only(
    client, reviewer, artist, other_artist, make_output
):
    now = timezone.now()
    decided = []
    for n in range(12):
        item = review_claim(item=make_output(artist).review, reviewer=reviewer)
        if n % 3 == 0:
            review_reject(
                item=item, reviewer=reviewer, reason_code="real_person", note=f"Face {n}."
            )
        else:
            review_approve(item=item, reviewer=reviewer)
        # Decided an hour apart, the first the longest ago.
        ReviewItem.objects.filter(pk=item.pk).update(decided_at=now - timedelta(hours=12 - n))
        decided.append(item.pk)
    still_open = make_output(artist).review
    theirs = make_output(other_artist).review
    review_approve(item=review_claim(item=theirs, reviewer=reviewer), reviewer=reviewer)
    current = make_output(artist).review

    client.force_login(reviewer)
    block = panel(client.get(f"/staff/review/{current.pk}/").content.decode())

    assert '<h2 id="history-heading">This artist\'s earlier decisions</h2>' in block
    assert linked_items(block) == list(reversed(decided))[:10]  # latest first, ten
    assert still_open.pk not in linked_items(block) and theirs.pk not in linked_items(block)
    assert "Rejected: Depicts a real, identifiable person" in block
    assert "Approved" in block and "“Face 9.”" in block
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>', block
    )


def test_the_item_under_review_is_left_out_of_its_own_panel(client, reviewer, artist, make_output):
    earlier = review_approve(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer), reviewer=reviewer
    )
    current = review_approve(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer), reviewer=reviewer
    )
    client.force_login(reviewer)
    assert linked_items(panel(client.get(f"/staff/review/{current.pk}/").content.decode())) == [
        earlier.pk
    ]
    assert linked_items(panel(client.get(f"/staff/review/{earlier.pk}/").content.decode())) == [
        current.pk
    ]


def test_a_first_item_has_an_empty_panel(client, reviewer, artist, make_output):
    item = make_output(artist).review
    client.force_login(reviewer)
    block = panel(client.get(f"/staff/review/{item.pk}/").content.decode())
    assert linked_items(block) == [] and "No earlier decisions." in block


def test_the_history_counts_decided_items_as_they_stand(
    reviewer, second_reviewer, artist, make_output
):
    """An appealed item is open again (in the queue, not the history) until decided; then
    it is listed once, with its final decision."""
    from moderation.services import review_appeal

    item = review_reject(
        item=review_claim(item=make_output(artist).review, reviewer=reviewer),
        reviewer=reviewer, reason_code="other", note="No.",
    )  # fmt: skip
    appealed = review_appeal(item=item, artist=artist, statement="Please look again.")
    assert review_history_of_artist(artist_id=artist.pk) == []
    review_approve(
        item=review_claim(item=appealed, reviewer=second_reviewer), reviewer=second_reviewer
    )
    assert [(i.pk, i.status, i.stage) for i in review_history_of_artist(artist_id=artist.pk)] == [
        (item.pk, "approved", "appeal")
    ]
