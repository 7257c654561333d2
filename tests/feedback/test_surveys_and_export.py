from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from domain.errors import NotAllowed
from feedback.errors import AlreadyResponded
from feedback.models import Survey
from feedback.services import survey_questions_validate, survey_respond, survey_send
from ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"id": "speed", "type": "scale", "text": "How fast did videos arrive?", "min": 1, "max": 5},
    {"id": "best", "type": "choice", "text": "Best part?", "choices": ["motion", "colour"]},
    {"id": "else", "type": "text", "text": "Anything else?", "required": False},
]


@pytest.fixture
def survey(cohort, program_admin):
    return survey_send(
        admin=program_admin,
        survey=Survey.objects.create(title="Week 1", cohort=cohort, questions=QUESTIONS),
    )


def test_admin_questions_are_validated():
    with pytest.raises(ValidationError, match="two choices"):
        survey_questions_validate([{"id": "a", "type": "choice", "text": "?", "choices": ["one"]}])
    with pytest.raises(ValidationError, match="used twice"):
        survey_questions_validate(
            [{"id": "a", "type": "text", "text": "?"}, {"id": "a", "type": "text", "text": "?"}]
        )


def test_survey_answered_once_and_credited_once(client, artist, other_artist, survey, rate_card):
    assert artist.notifications.filter(message="New survey: Week 1").exists()
    with pytest.raises(ValidationError) as error:
        survey_respond(survey=survey, artist=artist, answers={"speed": "9", "best": "sound"})
    assert set(error.value.message_dict) == {"speed", "best"}
    survey_respond(survey=survey, artist=artist, answers={"speed": "4", "best": "motion"})
    with pytest.raises(AlreadyResponded):
        survey_respond(survey=survey, artist=artist, answers={"speed": "4", "best": "motion"})
    assert LedgerEntry.objects.filter(artist=artist, reason__contains="Week 1").count() == 1


def test_survey_only_for_its_cohort(survey, program_admin):
    from accounts.roles import Role
    from accounts.services import user_create
    from cohorts.services import cohort_create

    elsewhere = user_create(
        email="e@example.com",
        password="x",
        role=Role.ARTIST,
        cohort=cohort_create(actor=None, name="Wave 2", capacity=3),
    )
    with pytest.raises(NotAllowed):
        survey_respond(survey=survey, artist=elsewhere, answers={"speed": "3", "best": "colour"})


def test_artist_downloads_all_their_own_data(client, artist, other_artist, make_output, rate_card):
    from accounts.services import user_set_public_credit
    from feedback.services import feedback_submit

    user_set_public_credit(user=artist, credit="A. Artist")
    from notifications.services import video_ready_notify

    mine = make_output(artist, prompt="my secret prompt")
    theirs = make_output(other_artist, prompt="someone else's prompt")
    for output in (mine, theirs):
        video_ready_notify(job=output.job)
    feedback_submit(
        reporter=artist, kind="feature", data={"title": "Loops", "comment": "Loop playback"}
    )
    client.force_login(artist)
    response = client.get("/my-data.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "profile.json",
        "agreements.json",
        "jobs.json",
        "reviews.json",
        "feedback.json",
        "ledger.json",
    } <= names
    jobs = json.loads(archive.read("jobs.json"))
    assert [j["prompt"] for j in jobs] == ["my secret prompt"]
    assert json.loads(archive.read("agreements.json"))[0]["typed_full_name"] == "Alice Artist"
    assert json.loads(archive.read("feedback.json"))[0]["title"] == "Loops"
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == artist.email and profile["public_credit"] == "A. Artist"
    # What the portal told them, and what they chose to be emailed (only their own).
    notes = json.loads(archive.read("notifications.json"))
    assert [(n["kind"], n["job_id"]) for n in notes] == [("video_ready", mine.job_id)]
    assert json.loads(archive.read("notification_preferences.json")) == {
        "email_on_video_ready": False,
        "email_on_review_decision": True,
    }


def test_showcase_selection_is_credited_once(
    client, artist, reviewer, program_admin, make_output, rate_card
):
    from moderation.services import review_approve, review_claim
    from publishing.services import publication_create

    output = make_output(artist)
    review_approve(item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer)
    publication = publication_create(output=output, artist=artist, visibility="gallery")
    client.force_login(reviewer)
    assert client.post(f"/staff/publications/{publication.pk}/showcase/").status_code == 403
    client.force_login(program_admin)
    for _ in range(2):
        client.post(f"/staff/publications/{publication.pk}/showcase/")
    entries = LedgerEntry.objects.filter(artist=artist, reason__contains="showcase")
    assert entries.count() == 1 and str(entries.get().amount) == "40.00"
