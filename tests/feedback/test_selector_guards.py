"""Guards in ``feedback.selectors`` that no other test defended (docs/mutation.md): an
artist in no cohort, private replies for nobody, which surveys are open to whom, and the
triage board's filters. Taking a guard away (tools/guard_mutants.py) makes its test
fail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from cohorts.services import cohort_create
from feedback.models import FeedbackItem, FeedbackStatus, Survey
from feedback.selectors import (
    feedback_reply_shown_to,
    feedback_visible_to,
    surveys_open_for,
    triage_board,
)
from feedback.services import feedback_submit

pytestmark = pytest.mark.django_db

BUG = {
    "title": "Player freezes on double play",
    "steps": "Press play twice",
    "expected": "Plays",
    "actual": "Freezes",
    "severity": "high",
}
QUESTIONS = [{"id": "q1", "type": "text", "text": "Anything else?"}]


def bug(reporter: User) -> FeedbackItem:
    return feedback_submit(reporter=reporter, kind="bug", data=BUG)


def test_an_artist_in_no_cohort_sees_only_their_own_feedback(artist, other_artist):
    """The guard: an artist taken out of every cohort shares one with nobody
    (``filter(reporter=user)``), whatever others filed."""
    theirs = bug(other_artist)
    mine = bug(artist)
    User.objects.filter(pk=artist.pk).update(cohort=None)
    artist.refresh_from_db()
    visible = set(feedback_visible_to(user=artist).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert theirs.pk not in visible


def test_a_private_reply_is_shown_to_nobody_without_an_account(artist):
    """The guard: ``user is not None`` (an anonymous reader reads no private reply)."""
    item = bug(artist)
    assert feedback_reply_shown_to(user=None, item=item, public=True)
    assert not feedback_reply_shown_to(user=None, item=item, public=False)


def test_only_the_cohorts_sent_and_open_surveys_are_offered(artist):
    """The guards: ``surveys_open_for`` offers surveys of the artist's cohort
    (``cohort_id``) that were sent (``sent_at__isnull=False``) and have not closed."""
    now = timezone.now()
    assert artist.cohort is not None
    elsewhere = cohort_create(actor=None, name="Wave 2", capacity=5)

    def survey(title: str, **fields: object) -> Survey:
        values: dict[str, object] = {"cohort": artist.cohort, "sent_at": now, **fields}
        return Survey.objects.create(title=title, questions=QUESTIONS, **values)

    open_now = survey("Open")
    open_forever = survey("No closing date", closes_at=None)
    survey("Another cohort's", cohort=elsewhere)
    survey("A draft, not sent", sent_at=None)
    survey("Closed", closes_at=now - timedelta(minutes=1))
    Survey.objects.filter(pk=open_now.pk).update(closes_at=now + timedelta(days=1))

    offered = set(surveys_open_for(artist=artist).values_list("pk", flat=True))
    assert offered == {open_now.pk, open_forever.pk}


def test_the_triage_board_filters_by_status_and_kind(artist):
    """The board's filters (``status``, ``kind``): staff see what they asked for."""
    new = bug(artist)
    accepted = bug(artist)
    FeedbackItem.objects.filter(pk=accepted.pk).update(status=FeedbackStatus.ACCEPTED)
    feature = feedback_submit(
        reporter=artist, kind="feature", data={"title": "Loop playback", "comment": "Please"}
    )
    by_status = set(triage_board(status=FeedbackStatus.ACCEPTED).values_list("pk", flat=True))
    assert by_status == {accepted.pk}
    by_kind = set(triage_board(kind="bug").values_list("pk", flat=True))
    assert by_kind == {new.pk, accepted.pk}
    assert feature.pk in set(triage_board().values_list("pk", flat=True))
