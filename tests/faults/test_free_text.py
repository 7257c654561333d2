"""Every free-text field a service stores follows one rule (``domain.text.clean_text``):
a NUL, an unpaired surrogate, a bidi override or an absurd length is a field-level
ValidationError, whichever service, page or API it came through. Without the rule a NUL
or a surrogate reaches PostgreSQL, which refuses it with an error that becomes a 500."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import api_token_create, user_set_public_credit
from agreements.services import agreement_accept, agreement_version_create
from cohorts.services import cohort_create, cohort_set_paused
from containment.switches import account_suspend, generation_pause_all
from domain import text as free_text
from feedback.models import FeedbackItem, Survey
from feedback.services import (
    feedback_me_too,
    feedback_set_status,
    feedback_submit,
    survey_validate_answers,
)
from ledger.services import ledger_manual_entry, rate_card_create
from moderation.services import (
    review_appeal,
    review_approve,
    review_claim,
    review_reject,
    review_revoke_approval,
)
from publishing.models import Takedown
from publishing.services import (
    publication_create,
    publication_takedown,
    publication_takedown_lift,
)
from tests.faults.conftest import protection_params
from tests.feedback.conftest import BUG

pytestmark = pytest.mark.django_db

HOSTILE = {
    "nul": "a title\x00 with a NUL",
    "surrogate": "a lone \ud800 surrogate",
    "bidi_override": "invoice \u202egnp.exe",
    "c1_control": "a \x85 next-line control",
    "absurdly_long": "x" * 300_001,
}


class Cast:
    """The fixed cast and a published video, made only when a case asks for them."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def __getattr__(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    def claimed(self) -> Any:
        output = self.make_output(self.artist)
        return review_claim(item=output.review, reviewer=self.reviewer)

    def approved(self) -> Any:
        return review_approve(item=self.claimed(), reviewer=self.reviewer)

    def published(self) -> Any:
        item = self.approved()
        return publication_create(output=item.output, artist=self.artist, visibility="gallery")

    def bug(self) -> FeedbackItem:
        return feedback_submit(reporter=self.other_artist, kind="bug", data=BUG)


def _takedown_lift(cast: Cast, value: str) -> object:
    publication_takedown(publication=cast.published(), staff=cast.reviewer, reason="Leaked")
    return publication_takedown_lift(
        takedown=Takedown.objects.get(), staff=cast.reviewer, reason=value
    )


def _appeal(cast: Cast, value: str) -> object:
    rejected = review_reject(
        item=cast.claimed(), reviewer=cast.reviewer, reason_code="other", note="Too dark"
    )
    return review_appeal(item=rejected, artist=cast.artist, statement=value)


TEXT_QUESTION = [{"id": "q1", "type": "text", "text": "What would you change?"}]

# field -> (the field the error names, a call that stores ``value`` in it)
FIELDS: dict[str, tuple[str, Callable[[Cast, str], object]]] = {
    "feedback_title": (
        "title",
        lambda c, v: feedback_submit(reporter=c.artist, kind="bug", data={**BUG, "title": v}),
    ),
    "feedback_steps": (
        "steps",
        lambda c, v: feedback_submit(reporter=c.artist, kind="bug", data={**BUG, "steps": v}),
    ),
    "feature_comment": (
        "comment",
        lambda c, v: feedback_submit(
            reporter=c.artist, kind="feature", data={"title": "Loop", "comment": v}
        ),
    ),
    "safety_prompts": (
        "prompts",
        lambda c, v: feedback_submit(
            reporter=c.artist,
            kind="safety",
            data={"title": "Bad", "severity": "low", "category": "real_people", "prompts": v},
        ),
    ),
    "me_too_details": (
        "details",
        lambda c, v: feedback_me_too(item=c.bug(), reporter=c.artist, details=v),
    ),
    "staff_reply": (
        "reply",
        lambda c, v: feedback_set_status(
            item=c.bug(), staff=c.reviewer, status="acknowledged", reply=v
        ),
    ),
    "fixed_in": (
        "fixed_in",
        lambda c, v: feedback_set_status(
            item=c.bug(), staff=c.reviewer, status="fixed", fixed_in=v
        ),
    ),
    "survey_text_answer": (
        "q1",
        lambda c, v: survey_validate_answers(
            survey=Survey(title="Week 1", questions=TEXT_QUESTION), answers={"q1": v}
        ),
    ),
    "review_approve_note": (
        "note",
        lambda c, v: review_approve(item=c.claimed(), reviewer=c.reviewer, note=v),
    ),
    "review_reject_note": (
        "note",
        lambda c, v: review_reject(
            item=c.claimed(), reviewer=c.reviewer, reason_code="other", note=v
        ),
    ),
    "appeal_statement": ("statement", _appeal),
    "revoke_note": (
        "note",
        lambda c, v: review_revoke_approval(
            item=c.approved(), admin=c.program_admin, reason_code="other", note=v
        ),
    ),
    "takedown_reason": (
        "reason",
        lambda c, v: publication_takedown(publication=c.published(), staff=c.reviewer, reason=v),
    ),
    "takedown_lift_reason": ("reason", _takedown_lift),
    "generation_pause_reason": (
        "reason",
        lambda c, v: generation_pause_all(admin=c.program_admin, paused=True, reason=v),
    ),
    "account_suspend_reason": (
        "paused_reason",
        lambda c, v: account_suspend(admin=c.program_admin, user=c.artist, reason=v),
    ),
    "cohort_pause_reason": (
        "paused_reason",
        lambda c, v: cohort_set_paused(
            actor=c.program_admin, cohort=c.cohort, paused=True, reason=v
        ),
    ),
    "cohort_name": (
        "name",
        lambda c, v: cohort_create(actor=c.program_admin, name=v, capacity=5),
    ),
    "token_name": (
        "name",
        lambda c, v: api_token_create(user=c.artist, name=v, scope="read"),
    ),
    "agreement_title": (
        "title",
        lambda c, v: agreement_version_create(
            actor=c.program_admin, title=v, body="Terms", effective_at=timezone.now()
        ),
    ),
    "agreement_body": (
        "body",
        lambda c, v: agreement_version_create(
            actor=c.program_admin, title="NDA v2", body=v, effective_at=timezone.now()
        ),
    ),
    "agreement_signature": (
        "full_name",
        lambda c, v: agreement_accept(
            user=c.unsigned_artist, typed_full_name=v, ip_address=None, user_agent=""
        ),
    ),
    "ledger_reason": (
        "reason",
        lambda c, v: ledger_manual_entry(
            admin=c.program_admin, artist=c.artist, amount=Decimal("5.00"), reason=v
        ),
    ),
    "rate_card_note": (
        "note",
        lambda c, v: rate_card_create(
            admin=c.program_admin, effective_at=timezone.now(), rates={"survey": "2.00"}, note=v
        ),
    ),
    # The public credit has its own stricter rules on top; NUL is refused either way.
    "public_credit": (
        "public_credit",
        lambda c, v: user_set_public_credit(user=c.artist, credit=v),
    ),
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("field", "call"), FIELDS.values(), ids=FIELDS.keys())
def test_every_free_text_field_refuses_hostile_text_on_the_field(request, field, call, value):
    """The protection: ``domain.text.clean_text``, called by each service."""
    with pytest.raises(ValidationError) as refused:
        call(Cast(request), value)
    assert field in refused.value.error_dict, refused.value


@pytest.mark.parametrize("protection", protection_params(reason="the NUL reaches PostgreSQL"))
@pytest.mark.parametrize(
    ("field", "call"),
    [case for name, case in FIELDS.items() if name != "public_credit"],
    ids=[name for name in FIELDS if name != "public_credit"],
)
def test_without_the_rule_a_nul_gets_through(request, monkeypatch, protection, field, call):
    """Off: ``clean_text`` finds no control characters, so the NUL goes on to the
    database (a DataError, a 500 at the edge) or is returned as clean."""
    if protection == "off":
        monkeypatch.setattr(free_text, "_refused_characters", lambda text, **_: [])
    with pytest.raises(ValidationError) as refused:
        call(Cast(request), HOSTILE["nul"])
    assert field in refused.value.error_dict, refused.value


def test_the_api_shows_the_error_on_the_field(client, artist):
    client.force_login(artist)
    response = client.post(
        "/api/v1/feedback/", {**BUG, "title": "a\x00b"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "title": [
            {"code": "control_characters", "message": "Remove the control characters (U+0000)."}
        ]
    }
    assert not FeedbackItem.objects.exists()


def test_the_page_shows_the_error_on_the_field(client, artist):
    client.force_login(artist)
    fields = {key: value for key, value in BUG.items() if key != "kind"}
    response = client.post("/feedback/new/bug/", {**fields, "title": "a\x00b"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Remove the control characters (U+0000)." in page
    assert not FeedbackItem.objects.exists()


def test_the_takedown_form_says_why_instead_of_failing(client, reviewer, artist, make_output):
    output = make_output(artist)
    item = review_approve(
        item=review_claim(item=output.review, reviewer=reviewer), reviewer=reviewer
    )
    publication = publication_create(output=item.output, artist=artist, visibility="gallery")
    client.force_login(reviewer)
    response = client.post(
        reverse("publishing:takedown", args=[publication.pk]), {"reason": "x\x00"}, follow=True
    )
    assert response.status_code == 200
    assert "Remove the control characters (U+0000)." in response.content.decode()
