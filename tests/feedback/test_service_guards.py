"""Guards in ``feedback.services`` that no other test defended (issue 13, point 2;
docs/mutation.md): who may do what with feedback and surveys, and what an admin's
survey questions must look like. Each test's docstring names its guard; taking the guard
away (tools/guard_mutants.py) makes it fail. Races are forced with a row another
transaction holds (tests/held_rows.py), never timed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from domain.errors import NotAllowed
from feedback.errors import AlreadyResponded
from feedback.models import SAFETY_CATEGORIES, FeedbackItem, Survey, SurveyResponse
from feedback.services import (
    feedback_me_too,
    feedback_set_status,
    feedback_submit,
    survey_questions_validate,
    survey_respond,
    survey_send,
)
from ledger.models import LedgerEntry
from notifications.models import Notification
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.held_rows import RowChangeInProgress

BUG = {
    "title": "Player freezes",
    "steps": "Press play twice",
    "expected": "Plays",
    "actual": "Freezes",
    "severity": "high",
}
QUESTIONS = [{"id": "speed", "type": "scale", "text": "How fast?", "min": 1, "max": 5}]


def bug(reporter: User, **changes: Any) -> FeedbackItem:
    return feedback_submit(reporter=reporter, kind="bug", data={**BUG, **changes})


def survey_of(cohort: Any, *, sent: bool = True, closes_at: Any = None) -> Survey:
    return Survey.objects.create(
        title="Week 1",
        cohort=cohort,
        questions=QUESTIONS,
        sent_at=timezone.now() if sent else None,
        closes_at=closes_at,
    )


# survey_questions_validate -------------------------------------------------------------


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ({"id": "a", "type": "text", "text": "?"}, "at least one question"),
        ([], "at least one question"),
        (["How fast?"], "needs an id and a text"),
        ([{"type": "text", "text": "?"}], "needs an id and a text"),
        ([{"id": "  ", "type": "text", "text": "?"}], "needs an id and a text"),
        ([{"id": "a", "type": "text"}], "needs an id and a text"),
        ([{"id": "a", "type": "text", "text": " "}], "needs an id and a text"),
        ([{"id": "a", "type": "essay", "text": "?"}], "type must be"),
        ([{"id": "a", "type": "choice", "text": "?", "choices": "ab"}], "two choices"),
        ([{"id": "a", "type": "choice", "text": "?"}], "two choices"),
        ([{"id": "a", "type": "choice", "text": "?", "choices": ["one"]}], "two choices"),
        ([{"id": "a", "type": "scale", "text": "?", "min": 3, "max": 3}], "min must be below"),
        ([{"id": "a", "type": "scale", "text": "?", "min": 4, "max": 2}], "min must be below"),
    ],
)
def test_bad_survey_questions_are_refused_with_the_reason(questions, message):
    """The guards of ``survey_questions_validate``, one clause each: the list (a list, not
    empty), each question (a dict with a non-blank id and text), the type, a choice
    question's choices (a list of at least two) and a scale's range (min below max)."""
    with pytest.raises(ValidationError, match=message):
        survey_questions_validate(questions)


def test_good_survey_questions_pass_at_their_limits():
    """The same guards from the other side, at each boundary: exactly two choices; a
    scale from 1 to 2; a text question needs no choices, and a range left on it (the
    admin changed its type from scale) is not a scale's range to check."""
    questions = [
        {"id": "best", "type": "choice", "text": "Best part?", "choices": ["motion", "colour"]},
        {"id": "speed", "type": "scale", "text": "How fast?", "min": 1, "max": 2},
        {"id": "else", "type": "text", "text": "Anything else?"},
        {"id": "more", "type": "text", "text": "And?", "min": 3, "max": 3},
    ]

    assert survey_questions_validate(questions) == questions


# surveys ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_program_admins_send_surveys_and_only_active_members_hear(
    cohort, artist, other_artist, reviewer, program_admin
):
    """The guards: ``survey_send``'s ``has_perm('accounts.run_program')`` (a reviewer
    can't send: NotAllowed, nothing sent) and ``members.filter(is_active=True)`` (a
    deactivated member is not told)."""
    survey = survey_of(cohort, sent=False)
    with pytest.raises(NotAllowed):
        survey_send(admin=reviewer, survey=survey)
    assert Survey.objects.get(pk=survey.pk).sent_at is None

    User.objects.filter(pk=other_artist.pk).update(is_active=False)
    survey_send(admin=program_admin, survey=survey)

    told = set(
        Notification.objects.filter(message="New survey: Week 1").values_list("user_id", flat=True)
    )
    assert told == {artist.pk}


@pytest.mark.django_db
def test_a_survey_not_sent_yet_cannot_be_answered(cohort, artist):
    """The guard: ``survey_respond``'s ``survey.sent_at is None``: a draft of the artist's
    own cohort is not open to answers."""
    with pytest.raises(NotAllowed):
        survey_respond(survey=survey_of(cohort, sent=False), artist=artist, answers={"speed": "3"})
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_a_survey_closes_at_its_instant(cohort, artist, other_artist, rate_card, monkeypatch):
    """The guards: ``survey_respond``'s ``closes_at is not None and closes_at <= now``.
    Exactly at ``closes_at`` it is closed (NotAllowed); a moment before, it is open; a
    survey with no closing time stays open."""
    instant = timezone.now() + timedelta(hours=1)
    survey = survey_of(cohort, closes_at=instant)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    with pytest.raises(NotAllowed, match="closed"):
        survey_respond(survey=survey, artist=artist, answers={"speed": "3"})
    monkeypatch.setattr(timezone, "now", lambda: instant - timedelta(microseconds=1))
    survey_respond(survey=survey, artist=artist, answers={"speed": "3"})
    monkeypatch.undo()

    open_ended = survey_of(cohort)
    survey_respond(survey=open_ended, artist=other_artist, answers={"speed": "4"})
    assert SurveyResponse.objects.count() == 2


@pytest.mark.django_db
def test_answering_one_survey_doesnt_answer_another_nor_for_someone_else(
    cohort, artist, other_artist, rate_card
):
    """The guards: the "already answered" look-up ``filter(survey=…, artist=…)``, one
    condition each: answering week 1 leaves week 2 open to the same artist, and
    another artist's answer to week 1 leaves it open to this one."""
    week_1, week_2 = survey_of(cohort), survey_of(cohort)
    survey_respond(survey=week_1, artist=other_artist, answers={"speed": "2"})

    survey_respond(survey=week_1, artist=artist, answers={"speed": "3"})
    survey_respond(survey=week_2, artist=artist, answers={"speed": "4"})

    assert SurveyResponse.objects.filter(artist=artist).count() == 2
    with pytest.raises(AlreadyResponded):
        survey_respond(survey=week_2, artist=artist, answers={"speed": "4"})


# filing -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_kind_of_feedback_is_a_field_error_and_nothing_is_stored(artist):
    """The guard: ``feedback_submit``'s ``kind not in FeedbackKind.values``: a kind the
    board doesn't know ("praise", with a title that would do for any kind) is an error
    on ``kind``, and no item is filed."""
    with pytest.raises(ValidationError) as refused:
        feedback_submit(reporter=artist, kind="praise", data={"title": "Lovely colours"})

    assert list(refused.value.message_dict) == ["kind"]
    assert not FeedbackItem.objects.exists()


# "me too" and triage ------------------------------------------------------------------


@pytest.mark.django_db
def test_me_too_is_for_artists_and_only_on_bugs_and_feature_requests(
    artist, other_artist, reviewer
):
    """The guards: ``feedback_me_too``'s ``has_perm('accounts.create_generations')``
    (staff don't add reproductions) and ``item.kind not in (BUG, FEATURE)`` (a safety
    finding takes no "me too"); nothing is stored either way."""
    report = bug(artist)
    with pytest.raises(NotAllowed):
        feedback_me_too(item=report, reporter=reviewer, details="Same here")
    finding = feedback_submit(
        reporter=artist,
        kind="safety",
        data={
            "title": "Leak",
            "severity": "high",
            "category": SAFETY_CATEGORIES[0][0],
            "prompts": "a prompt",
        },
    )
    with pytest.raises(NotAllowed):
        feedback_me_too(item=finding, reporter=other_artist, details="Same here")

    assert not report.reproductions.exists() and not finding.reproductions.exists()


@pytest.mark.django_db
def test_only_staff_triage_and_only_known_statuses(artist, other_artist, reviewer):
    """The guards: ``feedback_set_status``'s ``has_perm('accounts.review_outputs')`` (an
    artist can't triage, even another's report) and ``status not in
    FeedbackStatus.values`` (a field error, not a KeyError)."""
    item = bug(artist)
    with pytest.raises(NotAllowed):
        feedback_set_status(item=item, staff=other_artist, status="accepted")
    with pytest.raises(ValidationError) as refused:
        feedback_set_status(item=item, staff=reviewer, status="shipped")
    assert list(refused.value.message_dict) == ["status"]
    assert FeedbackItem.objects.get(pk=item.pk).status == "new"


@pytest.mark.django_db
def test_a_duplicate_names_an_original_not_another_duplicate(artist, other_artist, reviewer):
    """The guard: ``feedback_set_status``'s ``duplicate_of.status == DUPLICATE``: marking
    an item a duplicate of a duplicate is refused on ``duplicate_of``; naming the
    original works."""
    original, copy, third = bug(artist), bug(other_artist), bug(other_artist, title="Again")
    feedback_set_status(item=copy, staff=reviewer, status="duplicate", duplicate_of=original)
    copy.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        feedback_set_status(item=third, staff=reviewer, status="duplicate", duplicate_of=copy)
    assert list(refused.value.message_dict) == ["duplicate_of"]
    done = feedback_set_status(
        item=third, staff=reviewer, status="duplicate", duplicate_of=original
    )
    assert done.duplicate_of_id == original.pk


@pytest.mark.django_db
def test_accepting_output_feedback_credits_nobody(artist, reviewer, make_output, rate_card):
    """The guard: ``_credit``'s ``rate_key is None``: feedback on a video has no rate, so
    accepting it credits nothing (instead of failing on a missing rate)."""
    output = make_output(artist)
    item = feedback_submit(reporter=artist, kind="output", data={"job": output.job_id, "rating": 4})

    feedback_set_status(item=item, staff=reviewer, status="accepted")

    assert FeedbackItem.objects.get(pk=item.pk).status == "accepted"
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_triage_waits_for_a_status_change_in_progress(artist, reviewer, second_reviewer):
    """The guard: ``feedback_set_status``'s ``select_for_update``. Another reviewer has
    moved the item to "won't fix" (uncommitted) when this one accepts it from "new":
    the accept waits for that row, then reads "won't fix", which can't become
    "accepted" (TransitionRefused): it doesn't overwrite the other decision."""
    item = bug(artist)

    with RowChangeInProgress(FeedbackItem, item.pk, status="wont_fix"):
        racer = Racer(lambda: feedback_set_status(item=item, staff=reviewer, status="accepted"))
        start_and_wait_until_blocked([racer])

    assert finish([racer]) == ["TransitionRefused"], racer.error
    assert FeedbackItem.objects.get(pk=item.pk).status == "wont_fix"
