"""Two reviewers click "claim" on the same item at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from domain.errors import DomainError
from moderation.models import ReviewItem, ReviewStatus
from moderation.services import review_claim


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_claim_at_once_and_exactly_one_wins(
    artist, reviewer, second_reviewer, make_output
):
    item = make_output(artist).review
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(who) -> None:
        try:
            fresh = ReviewItem.objects.get(pk=item.pk)  # each thread: its own connection
            barrier.wait(timeout=10)
            review_claim(item=fresh, reviewer=who)
            outcomes[who.email] = "won"
        except DomainError as error:
            outcomes[who.email] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(who,)) for who in (reviewer, second_reviewer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["already_claimed", "won"], outcomes
    winner = next(email for email, result in outcomes.items() if result == "won")
    item.refresh_from_db()
    assert item.status == ReviewStatus.CLAIMED and item.claimed_by.email == winner
