"""Guards in ``moderation.selectors`` that no other test defended (docs/mutation.md): what
the review queue's filters let through. Each test names its guard; taking the guard away
(tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from cohorts.services import cohort_create
from moderation.models import ReviewItem
from moderation.selectors import review_history_of_artist, review_queue
from moderation.services import review_approve, review_claim

pytestmark = pytest.mark.django_db


def queue_ids(**filters: object) -> set[int]:
    return {item.pk for item in review_queue(**filters).items}  # type: ignore[arg-type]


def test_the_queue_holds_only_open_items_and_each_filter_narrows_it(
    artist, other_artist, reviewer, make_output
):
    """The guards: ``review_queue``'s ``filter(status__in=OPEN_STATUSES)`` and its
    ``cohort_id``, ``artist_id`` and ``overdue`` filters, one each: a decided item is not
    in the queue; each filter leaves out the items it names no more."""
    wave_2 = cohort_create(actor=None, name="Wave 2", capacity=5, daily_generation_quota=7)
    elsewhere = user_create(
        email="dana@example.com", password="x" * 16, role=Role.ARTIST, cohort=wave_2
    )
    mine = make_output(artist).review
    theirs = make_output(other_artist).review
    far = make_output(elsewhere).review
    decided = make_output(artist).review
    review_approve(item=review_claim(item=decided, reviewer=reviewer), reviewer=reviewer)
    ReviewItem.objects.filter(pk=mine.pk).update(due_at=timezone.now() - timedelta(hours=1))
    ReviewItem.objects.filter(pk__in=[theirs.pk, far.pk]).update(
        due_at=timezone.now() + timedelta(hours=1)
    )

    assert queue_ids() == {mine.pk, theirs.pk, far.pk}
    assert queue_ids(cohort_id=artist.cohort_id) == {mine.pk, theirs.pk}
    assert queue_ids(artist_id=other_artist.pk) == {theirs.pk}
    assert queue_ids(overdue=True) == {mine.pk}


def test_an_artists_review_history_holds_only_their_own_decisions(
    artist, other_artist, reviewer, make_output
):
    """The guard: ``review_history_of_artist``'s ``filter(item__artist=artist)``: the
    history shown beside an artist's item is theirs, not every artist's decisions."""
    for person in (artist, other_artist):
        item = make_output(person).review
        review_approve(item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer)

    history = list(review_history_of_artist(artist=artist))

    assert history and {decision.item.artist_id for decision in history} == {artist.pk}
