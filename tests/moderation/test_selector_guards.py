"""Guards in ``moderation.selectors`` that no other test defended (docs/mutation.md): what
the review queue's filters let through, and what the SLA report counts. Each test names
its guard; taking the guard away (tools/guard_mutants.py) makes it fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.services import user_create
from cohorts.services import cohort_create
from moderation.models import ReviewDecision, ReviewItem
from moderation.selectors import review_history_of_artist, review_queue, review_sla_report
from moderation.services import (
    review_appeal,
    review_approve,
    review_claim,
    review_reject,
    review_revoke_approval,
)

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


def test_an_artists_review_history_holds_only_their_own_decided_items(
    artist, other_artist, reviewer, make_output
):
    """The guards: ``review_history_of_artist``'s ``artist_id`` and ``status__in`` (decided
    items only): the history shown beside an artist's item is theirs, not every artist's
    decisions, and holds no item still open."""
    for person in (artist, other_artist):
        item = make_output(person).review
        review_approve(item=review_claim(item=item, reviewer=reviewer), reviewer=reviewer)
    make_output(artist)  # open

    history = review_history_of_artist(artist_id=artist.pk)

    assert len(history) == 1 and {item.artist_id for item in history} == {artist.pk}
    assert history[0].status == "approved"


def test_the_sla_report_counts_each_cohorts_own_first_decisions_and_open_items(
    artist, reviewer, second_reviewer, program_admin, make_output
):
    """The guards: ``review_sla_report``'s narrowing of what each cohort's numbers count.
    First decisions: ``item__cohort`` (another cohort's decisions aren't this one's),
    ``stage=ReviewStage.REVIEW`` (an appeal's decision, and a revocation, recorded at the
    appeal stage, are not first decisions) and ``created_at__gte`` (a decision before the
    window is left out). Open now: ``cohort`` (another cohort's queue), ``status__in``
    (decided items are not open) and ``due_at__lt`` (an open item not yet due is not
    overdue). Every number is pinned, cohort by cohort."""
    now = timezone.now()
    wave_2 = cohort_create(actor=None, name="Wave 2", capacity=5, daily_generation_quota=7)
    elsewhere = user_create(
        email="dana@example.com", password="x" * 16, role=Role.ARTIST, cohort=wave_2
    )

    def decide(person, *, hours: float, reject: bool = False) -> ReviewItem:
        """A first decision ``hours`` after the output entered the queue (now)."""
        item = make_output(person).review
        ReviewItem.objects.filter(pk=item.pk).update(created_at=now - timedelta(hours=hours))
        claimed = review_claim(item=item, reviewer=reviewer)
        if reject:
            return review_reject(
                item=claimed,
                reviewer=reviewer,
                reason_code="content_policy",
                note="Outside the policy.",
            )
        return review_approve(item=claimed, reviewer=reviewer)

    # Wave 1: two first decisions in the window (1 h and 3 h; the cohort's SLA is longer).
    decide(artist, hours=1)
    rejected = decide(artist, hours=3, reject=True)
    # An appeal decided: its decision is at the appeal stage.
    appealed = review_appeal(item=rejected, artist=artist, statement="Please look again.")
    review_approve(
        item=review_claim(item=appealed, reviewer=second_reviewer), reviewer=second_reviewer
    )
    # An approval revoked: the revocation is a decision too, not a first one.
    revoked = decide(artist, hours=1)
    review_revoke_approval(item=revoked, admin=program_admin, reason_code="nda_risk", note="NDA.")
    # A first decision 40 days ago, outside the 30-day window.
    old = decide(artist, hours=1)
    ReviewDecision.objects.filter(item=old).update(created_at=now - timedelta(days=40))
    # Open: one overdue, one not yet due (decided items above are due in the past too).
    overdue = make_output(artist).review
    not_due = make_output(artist).review
    ReviewItem.objects.filter(artist=artist).exclude(pk=not_due.pk).update(
        due_at=now - timedelta(hours=1)
    )
    ReviewItem.objects.filter(pk=not_due.pk).update(due_at=now + timedelta(hours=5))
    # Wave 2: one first decision of 50 h, and one open overdue item.
    decide(elsewhere, hours=50)
    late = make_output(elsewhere).review
    ReviewItem.objects.filter(cohort=wave_2).update(due_at=now - timedelta(hours=2))
    assert overdue.pk and late.pk

    report = {row.cohort.pk: row for row in review_sla_report(days=30)}
    wave_1 = report[artist.cohort_id]
    assert artist.cohort.review_sla_hours > 3
    # 1 h, 3 h and the revoked item's 1 h approval: the appeal, the revocation and the
    # 40-day-old decision don't count.
    assert wave_1.decided == 3
    assert wave_1.median_hours == pytest.approx(1, abs=0.05)
    assert wave_1.within_sla_share == 1
    assert (wave_1.open_items, wave_1.overdue_items) == (2, 1)
    second = report[wave_2.pk]
    assert second.decided == 1
    assert second.median_hours == pytest.approx(50, abs=0.05)
    assert second.within_sla_share == (1 if wave_2.review_sla_hours >= 50 else 0)
    assert (second.open_items, second.overdue_items) == (1, 1)
