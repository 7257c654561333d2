"""Automatic credits: exactly once per contribution, at the rate of the card in force."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_verify_chain
from ledger.models import EntryKind, LedgerEntry
from ledger.selectors import ledger_balance, rate_card_in_force
from ledger.services import ledger_credit, rate_card_create, rate_card_publish
from notifications.models import Notification
from tests.conftest import RATES


def credit(artist, key="feedback:1:1", rate_key="bug:medium", reason="Accepted bug #1: flicker"):
    return ledger_credit(artist=artist, source_key=key, rate_key=rate_key, reason=reason)


@pytest.mark.django_db
def test_a_credit_pays_the_rate_in_force_and_tells_the_artist(
    artist, rate_card, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = credit(artist)

    assert entry is not None
    assert (entry.amount, entry.currency, entry.kind) == (Decimal("12.00"), "EUR", EntryKind.AUTO)
    assert (entry.rate_card, entry.source_key) == (rate_card, "feedback:1:1")
    note = Notification.objects.get(user=artist)
    assert note.message == "You earned 12.00 EUR: Accepted bug #1: flicker"
    assert note.link == "/ledger/"
    assert mailoutbox[0].to == ["alice@example.com"]
    event = AuditEvent.objects.get(action="ledger.credit")
    assert event.object_id == str(entry.pk) and event.data["rate_key"] == "bug:medium"


@pytest.mark.django_db
def test_the_same_source_key_credits_once_however_often_it_is_called(artist, rate_card):
    first = credit(artist)
    again = [credit(artist) for _ in range(5)]

    assert all(entry == first for entry in again)
    assert LedgerEntry.objects.count() == 1
    assert ledger_balance(artist=artist) == Decimal("12.00")
    assert Notification.objects.filter(user=artist).count() == 1
    assert AuditEvent.objects.filter(action="ledger.credit").count() == 1


@pytest.mark.django_db
def test_a_repeat_inside_the_callers_transaction_keeps_that_transaction_usable(artist, rate_card):
    with transaction.atomic():
        first = credit(artist)
        assert credit(artist) == first
        assert LedgerEntry.objects.count() == 1  # the transaction still works


@pytest.mark.django_db
def test_a_source_key_belongs_to_one_artist(artist, other_artist, rate_card):
    credit(artist)
    with pytest.raises(ValueError, match="another artist"):
        credit(other_artist)
    assert LedgerEntry.objects.filter(artist=other_artist).count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_credits_for_one_contribution_make_one_entry(artist, program_admin):
    card = rate_card_create(
        admin=program_admin, effective_at=timezone.now() - timedelta(minutes=1), rates=RATES
    )
    rate_card_publish(admin=program_admin, card=card)
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    results: list[int | None] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            entry = credit(artist, key="survey:7:1", rate_key="survey", reason="Survey done")
            results.append(entry.pk if entry else None)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    entry = LedgerEntry.objects.get()
    assert results == [entry.pk] * threads_count
    assert entry.amount == Decimal("5.00")
    assert Notification.objects.filter(user=artist).count() == 1
    assert AuditEvent.objects.filter(action="ledger.credit").count() == 1
    assert audit_verify_chain().ok


@pytest.mark.django_db
def test_no_card_in_force_means_no_credit(artist, program_admin):
    assert credit(artist) is None  # no card at all
    draft = rate_card_create(
        admin=program_admin, effective_at=timezone.now() - timedelta(days=1), rates=RATES
    )
    assert credit(artist) is None  # only a draft
    future = rate_card_create(
        admin=program_admin, effective_at=timezone.now() + timedelta(days=1), rates=RATES
    )
    rate_card_publish(admin=program_admin, card=future)
    assert credit(artist) is None  # published, but not effective yet
    assert not LedgerEntry.objects.exists()
    assert not Notification.objects.filter(user=artist).exists()

    rate_card_publish(admin=program_admin, card=draft)
    assert credit(artist) is not None  # a later retry credits once a card is in force


@pytest.mark.django_db
@pytest.mark.parametrize("rate_key", ["safety:medium", "safety:low"])
def test_a_zero_or_missing_rate_credits_nothing(artist, rate_card, rate_key):
    assert credit(artist, rate_key=rate_key) is None
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_the_newest_effective_published_card_is_in_force(artist, program_admin, rate_card):
    newer = rate_card_create(
        admin=program_admin,
        effective_at=timezone.now() - timedelta(minutes=5),
        rates={**RATES, "bug:medium": "15.00"},
    )
    assert rate_card_in_force() == rate_card  # drafts don't count
    rate_card_publish(admin=program_admin, card=newer)
    assert rate_card_in_force() == newer

    entry = credit(artist)
    assert entry is not None and entry.amount == Decimal("15.00") and entry.rate_card == newer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source_key": ""}, "source_key"),
        ({"rate_key": "bug:huge"}, "Unknown rate key"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_programming_mistakes_are_refused_loudly(artist, rate_card, kwargs, message):
    arguments = {
        "artist": artist,
        "source_key": "k:1",
        "rate_key": "bug:low",
        "reason": "Because",
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        ledger_credit(**arguments)
