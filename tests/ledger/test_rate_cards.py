"""Rate cards: checked on the way in, frozen once published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from domain.errors import NotAllowed
from ledger.errors import RateCardFrozen
from ledger.models import RateCard
from ledger.services import rate_card_create, rate_card_publish, rate_card_update

pytestmark = pytest.mark.django_db


def draft(admin, rates=None, **kwargs):
    return rate_card_create(
        admin=admin,
        effective_at=kwargs.pop("effective_at", timezone.now()),
        rates={"bug:low": "5"} if rates is None else rates,
        **kwargs,
    )


def test_rates_are_normalised_and_versions_count_up(program_admin):
    first = draft(program_admin, rates={"survey": 5, "bug:high": "40.5", "feature": 12.25})
    second = draft(program_admin, currency="usd")

    assert first.rates == {"bug:high": "40.50", "feature": "12.25", "survey": "5.00"}
    assert (first.version, second.version, second.currency) == (1, 2, "USD")
    assert not first.is_published
    assert AuditEvent.objects.filter(action="rate_card.create").count() == 2


@pytest.mark.parametrize(
    ("rates", "code"),
    [
        ({"bugs:low": "5"}, "unknown_rate_key"),
        ({"bug:low": "-1"}, "negative_amount"),
        ({"bug:low": "1.005"}, "invalid_amount"),
        ({"bug:low": "five"}, "invalid_amount"),
        ({"bug:low": "NaN"}, "invalid_amount"),
        ({"bug:low": True}, "invalid_amount"),
        ({"bug:low": None}, "invalid_amount"),
        (["bug:low"], "invalid"),
    ],
)
def test_bad_rates_are_refused_with_the_key_named(program_admin, rates, code):
    with pytest.raises(ValidationError) as error:
        draft(program_admin, rates=rates)
    assert [e.code for e in error.value.error_dict["rates"]] == [code]
    assert not RateCard.objects.exists()


def test_every_bad_field_is_named(program_admin):
    with pytest.raises(ValidationError) as error:
        draft(program_admin, rates={"nope": "1", "bug:low": "0.001"}, currency="EU")
    assert set(error.value.error_dict) == {"rates", "currency"}
    assert len(error.value.error_dict["rates"]) == 2


def test_a_version_number_is_used_once(program_admin):
    draft(program_admin, version=3)
    with pytest.raises(ValidationError) as error:
        draft(program_admin, version=3)
    assert "Version 3 already exists" in str(error.value)


def test_only_program_admins_edit_or_publish_cards(program_admin, reviewer, artist):
    card = draft(program_admin)
    for user in (reviewer, artist):
        with pytest.raises(NotAllowed):
            draft(user)
        with pytest.raises(NotAllowed):
            rate_card_publish(admin=user, card=card)
    assert RateCard.objects.get().published_at is None


def test_a_draft_can_be_edited(program_admin):
    card = draft(program_admin)
    edited = rate_card_update(
        admin=program_admin, card=card, effective_at=card.effective_at, rates={"survey": "3"}
    )
    assert RateCard.objects.get(pk=card.pk).rates == {"survey": "3.00"} == edited.rates


def test_a_published_card_is_frozen(program_admin):
    card = rate_card_publish(admin=program_admin, card=draft(program_admin))
    published_at = card.published_at

    with pytest.raises(RateCardFrozen) as error:
        rate_card_update(
            admin=program_admin, card=card, effective_at=card.effective_at, rates={"survey": "9"}
        )
    assert error.value.code == "rate_card_frozen"
    again = rate_card_publish(admin=program_admin, card=card)  # a no-op
    assert again.published_at == published_at
    assert AuditEvent.objects.filter(action="rate_card.publish").count() == 1
    assert RateCard.objects.get(pk=card.pk).rates == {"bug:low": "5.00"}


def test_the_database_refuses_to_change_or_delete_a_published_card(program_admin):
    card = rate_card_publish(admin=program_admin, card=draft(program_admin))
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.filter(pk=card.pk).update(rates={"bug:low": "500.00"})
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.filter(pk=card.pk).delete()
    assert RateCard.objects.get(pk=card.pk).rates == {"bug:low": "5.00"}


def test_admin_edits_drafts_and_shows_published_cards_read_only(client, program_admin):
    client.force_login(program_admin)
    add = client.post(
        reverse("admin:ledger_ratecard_add"),
        {
            "version": "",
            "effective_at_0": "2025-01-01",
            "effective_at_1": "00:00:00",
            "currency": "eur",
            "rates": '{"bug:low": "5", "survey": 2.5}',
            "note": "",
        },
    )
    assert add.status_code == 302, add.content.decode()
    card = RateCard.objects.get()
    assert (card.version, card.currency, card.rates) == (
        1,
        "EUR",
        {"bug:low": "5.00", "survey": "2.50"},
    )
    assert card.created_by == program_admin

    bad = client.post(
        reverse("admin:ledger_ratecard_change", args=[card.pk]),
        {
            "version": "1",
            "effective_at_0": "2025-01-01",
            "effective_at_1": "00:00:00",
            "currency": "EUR",
            "rates": '{"bug:low": "-5"}',
            "note": "",
        },
    )
    assert bad.status_code == 200 and "can&#x27;t be negative" in bad.content.decode()

    client.post(
        reverse("admin:ledger_ratecard_changelist"),
        {"action": "publish_selected", "_selected_action": [card.pk]},
    )
    card.refresh_from_db()
    assert card.is_published
    page = client.get(reverse("admin:ledger_ratecard_change", args=[card.pk])).content.decode()
    assert 'name="_save"' not in page
    refused = client.post(
        reverse("admin:ledger_ratecard_change", args=[card.pk]),
        {"version": "1", "currency": "USD", "rates": "{}", "note": ""},
    )
    assert refused.status_code == 403
    assert RateCard.objects.get(pk=card.pk).currency == "EUR"


def test_admin_pages_are_for_program_admins(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("admin:ledger_ratecard_changelist")).status_code == 403
    assert client.get(reverse("admin:ledger_ledgerentry_changelist")).status_code == 403


def test_a_card_takes_effect_only_when_its_time_comes(program_admin):
    from ledger.selectors import rate_card_in_force

    card = rate_card_publish(
        admin=program_admin,
        card=draft(program_admin, effective_at=timezone.now() + timedelta(hours=2)),
    )
    assert rate_card_in_force() is None
    assert rate_card_in_force(now=timezone.now() + timedelta(hours=3)) == card
