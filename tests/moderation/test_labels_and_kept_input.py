"""People read labels, not internal codes, and a refused form keeps what was chosen
(issue 14.8, 14.9)."""

from __future__ import annotations

import re

import pytest

from feedback.models import OUTPUT_TAG_LABELS, Survey
from feedback.services import survey_send
from moderation.models import ReviewItem, ReviewStatus
from moderation.reasons import reason_choices
from moderation.services import review_claim, review_reject
from tests.feedback.test_surveys_and_export import QUESTIONS

pytestmark = pytest.mark.django_db

REASONS = dict(reason_choices())


def test_a_refused_rejection_keeps_the_reason_and_note(client, reviewer, artist, make_output):
    item = make_output(artist).review
    client.force_login(reviewer)
    client.post(f"/staff/review/{item.pk}/claim/")
    code = next(c for c in REASONS if c != "other")
    # A reason chosen, the note forgotten: the reason stays chosen.
    page = client.post(f"/staff/review/{item.pk}/reject/", {"reason_code": code, "note": ""})
    assert page.status_code == 400
    html = page.content.decode()
    assert re.search(rf'<option value="{code}"[^>]*selected', html), "the reason was lost"
    assert 'aria-invalid="true"' in html and "Tell the artist why" in html
    # A note written, the reason forgotten: the note stays written.
    note = "The logo in the corner belongs to a brand."
    page = client.post(f"/staff/review/{item.pk}/reject/", {"reason_code": "", "note": note})
    assert page.status_code == 400 and note in page.content.decode()
    assert ReviewItem.objects.get(pk=item.pk).status == ReviewStatus.CLAIMED


def test_the_artist_reads_the_reason_label_not_its_code(client, reviewer, artist, make_output):
    output = make_output(artist)
    code = next(c for c in REASONS if c != "other")
    review_reject(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer,
        reason_code=code, note="See the guidelines.",
    )  # fmt: skip
    client.force_login(artist)
    page = client.get(f"/generations/{output.job_id}/").content.decode()
    assert REASONS[code] in page
    assert f": {code}<" not in page and f"({code})" not in page
    history = client.get(f"/api/v1/generations/{output.job_id}/").json()["review"]["history"]
    assert history[0]["reason_code"] == code and history[0]["reason"] == REASONS[code]
    assert ">First review<" in page or "(First review)" in page


def test_feedback_tags_are_shown_as_words(client, artist, make_output):
    output = make_output(artist)
    client.force_login(artist)
    form = client.get(f"/feedback/new/output/?job={output.job_id}")
    assert form.status_code == 200
    html = form.content.decode()
    assert OUTPUT_TAG_LABELS["faces_hands"] in html
    assert ">faces_hands<" not in html


def test_a_survey_error_names_the_question_and_keeps_the_answers(
    client, artist, cohort, program_admin
):
    survey = survey_send(
        admin=program_admin,
        survey=Survey.objects.create(title="Week 1", cohort=cohort, questions=QUESTIONS),
    )
    client.force_login(artist)
    page = client.post(
        f"/feedback/surveys/{survey.pk}/",
        {"q-speed": "9", "q-best": "colour", "q-else": "Loved the motion."},
    )
    html = page.content.decode()
    assert "Question speed" not in html
    assert 'id="q-speed-error"' in html  # the error sits with its question
    assert 'value="colour" checked' in html and "Loved the motion." in html
    assert 'value="9"' in html


def test_a_refused_triage_keeps_what_staff_typed(client, reviewer, artist):
    from feedback.services import feedback_submit
    from tests.feedback.conftest import BUG

    item = feedback_submit(reporter=artist, kind="bug", data=dict(BUG))
    client.force_login(reviewer)
    reply = "Thanks: we can reproduce it on the second play."
    page = client.post(
        f"/feedback/staff/{item.pk}/",
        {"status": "duplicate", "reply": reply, "reply_public": "on", "fixed_in": "r12"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="t-dup-error"' in html  # the missing original, on its field
    assert reply in html and 'value="r12"' in html
    assert re.search(r'<option value="duplicate"[^>]*selected', html)
    assert re.search(r'id="t-public"[^>]*checked', html)
