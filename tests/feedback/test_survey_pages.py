"""The program admins' survey pages, /staff/surveys/ (issue 18, point 4): questions
written in a form (a row per question, no JSON), field errors, editing until sent,
sending to the cohort, the artist answering what the form wrote, audit, roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from feedback.models import Survey, SurveyResponse

pytestmark = pytest.mark.django_db

LIST = "/staff/surveys/"


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def survey_data(cohort, *rows: dict[str, Any], title: str = "Week 2", extra: int = 2) -> dict:
    """What the editor posts: the survey's fields and ``rows`` followed by ``extra``
    untouched rows (as a browser without JavaScript sends them)."""
    data: dict[str, Any] = {"title": title, "cohort": cohort.pk, "closes_at": ""}
    all_rows = [*rows, *([{"required": "on"}] * extra)]
    data["questions-TOTAL_FORMS"] = str(len(all_rows))
    data["questions-INITIAL_FORMS"] = "0"
    for index, row in enumerate(all_rows):
        for name, value in row.items():
            data[f"questions-{index}-{name}"] = value
    return data


SCALE = {"type": "scale", "text": "How fast?", "min": "0", "max": "10", "required": "on"}
CHOICE = {"type": "choice", "text": "Best part?", "choices": "motion\n\ncolour\nmotion\n",
          "required": "on"}  # fmt: skip
TEXT = {"type": "text", "text": "Anything else?"}


@pytest.mark.parametrize("who", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_reach_the_survey_pages(request, who, cohort, program_admin):
    survey = Survey.objects.create(
        title="Draft", cohort=cohort, questions=[{"id": "a", "type": "text", "text": "?"}]
    )
    client = signed_in(None if who == "anonymous" else request.getfixturevalue(who))
    answers = [
        client.get(LIST),
        client.get(f"{LIST}new/"),
        client.post(f"{LIST}new/", survey_data(cohort, TEXT)),
        client.get(f"{LIST}{survey.pk}/"),
        client.post(f"{LIST}{survey.pk}/send/"),
    ]
    expected = [302, 302, 403, 302, 403] if who == "anonymous" else [403] * 5
    assert [a.status_code for a in answers] == expected
    assert Survey.objects.count() == 1
    survey.refresh_from_db()
    assert survey.sent_at is None


def test_a_survey_written_in_the_form_is_sent_and_answered(
    program_admin, cohort, artist, rate_card
):
    client = signed_in(program_admin)
    assert client.get(f"{LIST}new/").status_code == 200
    saved = client.post(f"{LIST}new/", survey_data(cohort, SCALE, CHOICE, TEXT))
    assert saved.status_code == 302
    survey = Survey.objects.get()
    assert survey.questions == [
        {"id": "q1", "type": "scale", "text": "How fast?", "required": True, "min": 0, "max": 10},
        {"id": "q2", "type": "choice", "text": "Best part?", "required": True,
         "choices": ["motion", "colour"]},
        {"id": "q3", "type": "text", "text": "Anything else?", "required": False},
    ]  # fmt: skip
    assert survey.created_by == program_admin and survey.sent_at is None

    # Until sent it can be edited: a row removed, one changed.
    editor = client.get(f"{LIST}{survey.pk}/")
    assert editor.status_code == 200 and 'id="survey-form"' in editor.content.decode()
    edit = survey_data(cohort, SCALE, {**CHOICE, "DELETE": "on"}, TEXT, title="Week 2b")
    edit["questions-INITIAL_FORMS"] = "3"
    assert client.post(f"{LIST}{survey.pk}/", edit).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Week 2b"
    assert [q["type"] for q in survey.questions] == ["scale", "text"]

    assert client.post(f"{LIST}{survey.pk}/send/").status_code == 302
    survey.refresh_from_db()
    assert survey.sent_at is not None
    assert artist.notifications.filter(message="New survey: Week 2b").exists()

    # The artist's page reads what the form wrote.
    answer = signed_in(artist).post(f"/feedback/surveys/{survey.pk}/", {"q-q1": "7"})
    assert answer.status_code == 302
    assert SurveyResponse.objects.get().answers == {"q1": 7}

    actions = [a for a in AuditEvent.objects.order_by("pk").values_list("action", flat=True)
               if a.startswith("survey.")]  # fmt: skip
    assert actions == ["survey.create", "survey.update", "survey.send"]

    # Sent, it is shown, not edited.
    shown = client.get(f"{LIST}{survey.pk}/").content.decode()
    assert 'id="survey-form"' not in shown and "How fast?" in shown
    refused = client.post(f"{LIST}{survey.pk}/", survey_data(cohort, TEXT, title="Changed"))
    assert refused.status_code == 400
    survey.refresh_from_db()
    assert survey.title == "Week 2b"
    assert "Week 2b" in client.get(LIST).content.decode()


def test_bad_questions_are_refused_on_their_fields(program_admin, cohort):
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}new/",
        survey_data(
            cohort,
            {"type": "choice", "text": "Pick", "choices": "only one"},
            {"type": "scale", "text": "Rate", "min": "5", "max": "5"},
            {"type": "", "text": "No type"},
            {"type": "text", "text": ""},
            title="",
        ),
    )
    assert answer.status_code == 400
    assert "title" in answer.context["form"].errors
    rows = [form.errors for form in answer.context["questions"].forms]
    assert "two different choices" in rows[0]["choices"][0]
    assert "above where it starts" in rows[1]["max"][0]
    assert "type" in rows[2]
    assert "text" in rows[3]
    assert rows[4] == {} and rows[5] == {}
    # Nothing but empty rows: at least one question.
    empty = client.post(f"{LIST}new/", survey_data(cohort))
    assert empty.status_code == 400
    assert "at least one question" in " ".join(empty.context["questions"].non_form_errors())
    past = client.post(f"{LIST}new/", {**survey_data(cohort, TEXT), "closes_at": "2000-01-01"})
    assert past.status_code == 400 and "closes_at" in past.context["form"].errors
    assert not Survey.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="survey.").exists()
