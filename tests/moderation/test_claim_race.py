"""Two reviewers click "claim" on the same item at the same moment."""

from __future__ import annotations

from functools import partial

import pytest

from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_claim
from tests.concurrency import Racer, RowLock, finish, start_and_wait_until_blocked


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_claim_at_once_and_exactly_one_wins(
    artist, reviewer, second_reviewer, make_output
):
    """Both claims are forced into the same moment: each has read the item as free and
    waits to write it (a transaction holding the row stands in for the instant before),
    so only the conditional UPDATE can tell them apart."""
    item = make_output(artist).review

    def claim(who) -> object:
        fresh = ReviewItem.objects.get(pk=item.pk)  # each racer: its own connection
        return review_claim(item=fresh, reviewer=who)

    with RowLock(ReviewItem, item.pk):
        racers = [Racer(partial(claim, who)) for who in (reviewer, second_reviewer)]
        start_and_wait_until_blocked(racers)
    outcomes = finish(racers)

    assert outcomes == ["AlreadyClaimed", "ok"], [racer.error for racer in racers]
    winner = next(racer.result for racer in racers if racer.error is None)
    assert isinstance(winner, ReviewItem)
    item.refresh_from_db()
    assert item.status == ReviewStatus.CLAIMED and item.claimed_by == winner.claimed_by
