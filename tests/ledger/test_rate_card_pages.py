"""The program admins' rate card pages, /staff/rate-cards/ (issue 18, point 4): a new
version from one amount field per known rate key (no JSON), field errors, drafts edited,
published cards frozen, every write audited, reviewers refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from ledger.models import RateCard
from ledger.selectors import rate_card_in_force

pytestmark = pytest.mark.django_db

LIST = "/staff/rate-cards/"


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def card_data(**rates: str) -> dict[str, str]:
    when = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"effective_at": when, "currency": "eur", "note": "Autumn rates."}
    data.update({f"rate_{key}": value for key, value in rates.items()})
    return data


@pytest.mark.parametrize("who", ["anonymous", "artist", "reviewer"])
def test_only_program_admins_reach_the_rate_card_pages(request, who, rate_card):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = signed_in(user)
    answers = [
        client.get(LIST),
        client.get(f"{LIST}new/"),
        client.post(f"{LIST}new/", card_data(bug_low="1.00")),
        client.get(f"{LIST}{rate_card.pk}/"),
        client.post(f"{LIST}{rate_card.pk}/publish/"),
    ]
    if who == "anonymous":
        assert [a.status_code for a in answers] == [302, 302, 403, 302, 403]
    else:
        assert [a.status_code for a in answers] == [403] * 5
    assert RateCard.objects.count() == 1


def test_a_program_admin_drafts_edits_and_publishes_a_card(program_admin, rate_card):
    client = signed_in(program_admin)
    assert "v1" in client.get(LIST).content.decode()
    # The new form starts from the newest card's rates.
    start = client.get(f"{LIST}new/")
    assert start.status_code == 200
    assert start.context["form"].initial["rate_bug_high"] == "40.00"

    answer = client.post(f"{LIST}new/", card_data(bug_low="6.5", survey="5", feature=""))
    assert answer.status_code == 302
    draft = RateCard.objects.get(version=2)
    assert (draft.rates, draft.currency, draft.is_published) == (
        {"bug:low": "6.50", "survey": "5.00"}, "EUR", False,
    )  # fmt: skip
    assert answer["Location"] == f"{LIST}{draft.pk}/"

    edited = client.post(f"{LIST}{draft.pk}/", card_data(bug_low="7.00"))
    assert edited.status_code == 302
    draft.refresh_from_db()
    assert draft.rates == {"bug:low": "7.00"}

    published = client.post(f"{LIST}{draft.pk}/publish/")
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    # Not in force until its start (tomorrow): the launch card still is.
    assert rate_card_in_force() == rate_card
    actions = list(
        AuditEvent.objects.filter(action__startswith="rate_card.").values_list("action", flat=True)
    )
    assert actions[-3:] == ["rate_card.create", "rate_card.update", "rate_card.publish"]


def test_bad_amounts_are_refused_on_their_own_fields(program_admin, rate_card):
    client = signed_in(program_admin)
    answer = client.post(
        f"{LIST}new/",
        card_data(bug_low="-1", bug_high="1.005", survey="ten", feature="99999999999"),
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"rate_bug_low", "rate_bug_high", "rate_survey", "rate_feature"}
    assert "negative" in errors["rate_bug_low"][0]
    assert "2 decimal" in errors["rate_bug_high"][0]
    bad_currency = client.post(f"{LIST}new/", {**card_data(bug_low="1"), "currency": "euro"})
    assert bad_currency.status_code == 400
    assert "currency" in bad_currency.context["form"].errors
    no_date = client.post(f"{LIST}new/", {**card_data(bug_low="1"), "effective_at": "soon"})
    assert "effective_at" in no_date.context["form"].errors
    # A rate key that isn't on the form is simply not read.
    ignored = client.post(f"{LIST}new/", {**card_data(bug_low="1"), "rate_bonus": "9"})
    assert ignored.status_code == 302
    assert RateCard.objects.get(version=2).rates == {"bug:low": "1.00"}


def test_a_published_card_is_shown_not_edited(program_admin, rate_card):
    client = signed_in(program_admin)
    page = client.get(f"{LIST}{rate_card.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="rate-card-form"' not in text and "40.00" in text
    refused = client.post(f"{LIST}{rate_card.pk}/", card_data(bug_low="1.00"))
    assert refused.status_code == 400
    assert "can't change" in " ".join(refused.context["form"].non_field_errors())
    assert "can&#x27;t change. Draft" in refused.content.decode()
    rate_card.refresh_from_db()
    assert rate_card.rates["bug:low"] == "5.00"
    assert not AuditEvent.objects.filter(action="rate_card.update").exists()
    assert signed_in(program_admin).get(f"{LIST}999999/").status_code == 404
