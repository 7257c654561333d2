"""Guards in ``ledger.services`` that no other test defended (docs/mutation.md): card
versions, the row locks of editing and publishing a card, the source key's length, and
which entry "already credited" means. Each test names its guard; taking it away
(tools/guard_mutants.py) makes the test fail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AuditEvent
from ledger.errors import RateCardFrozen
from ledger.models import EntryKind, LedgerEntry, RateCard
from ledger.services import (
    SOURCE_KEY_MAX,
    ledger_credit,
    rate_card_create,
    rate_card_publish,
    rate_card_update,
)
from tests.concurrency import Racer, finish, start_and_wait_until_blocked
from tests.conftest import RATES
from tests.held_rows import RowChangeInProgress, RowInsertInProgress


def draft(admin, **fields) -> RateCard:
    return rate_card_create(
        admin=admin, effective_at=timezone.now() - timedelta(hours=1), rates=RATES, **fields
    )


def credit(artist, key: str) -> LedgerEntry | None:
    return ledger_credit(artist=artist, source_key=key, rate_key="survey", reason="Survey done")


# --- rate cards ----------------------------------------------------------------------


@pytest.mark.django_db
def test_versions_start_at_1(program_admin):
    """The guard and its boundary: ``version < 1``."""
    for bad in (0, -3):
        with pytest.raises(ValidationError) as error:
            draft(program_admin, version=bad)
        assert "version" in error.value.message_dict
    assert draft(program_admin, version=1).version == 1


@pytest.mark.django_db(transaction=True)
def test_an_edit_waiting_on_a_publish_in_progress_is_refused(program_admin):
    """The guard: ``rate_card_update`` reads the card under its row lock, so a publish
    committed while it waited freezes it. Without the lock it decides on the stale row
    (a draft) and its write, queued behind the publish, changes a published card."""
    card = draft(program_admin)
    changed = {**RATES, "survey": "9.00"}

    with RowChangeInProgress(RateCard, card.pk, published_at=timezone.now()):
        racer = Racer(
            lambda: rate_card_update(
                admin=program_admin, card=card, effective_at=card.effective_at, rates=changed
            )
        )
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert isinstance(racer.error, RateCardFrozen), racer.error
    card.refresh_from_db()
    assert card.rates["survey"] == RATES["survey"]


@pytest.mark.django_db(transaction=True)
def test_two_admins_publishing_at_once_publish_once(program_admin):
    """The guard: ``rate_card_publish`` reads the card under its row lock: the second
    of two publishes sees the first and changes nothing (publishing twice is a no-op)."""
    card = draft(program_admin)
    first = timezone.now() - timedelta(seconds=5)

    with RowChangeInProgress(RateCard, card.pk, published_at=first):
        racer = Racer(lambda: rate_card_publish(admin=program_admin, card=card))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert racer.error is None, racer.error
    card.refresh_from_db()
    assert card.published_at == first
    assert not AuditEvent.objects.filter(action="rate_card.publish").exists()


# --- credits -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_source_key_is_at_most_its_column(artist, rate_card):
    """The guard and its boundary: ``len(key) > SOURCE_KEY_MAX`` is a ValueError that
    names the key, not a database error."""
    assert credit(artist, "k" * SOURCE_KEY_MAX) is not None
    with pytest.raises(ValueError, match="source_key"):
        credit(artist, "k" * (SOURCE_KEY_MAX + 1))


@pytest.mark.django_db
def test_each_contribution_is_credited_once_not_only_the_first(artist, rate_card):
    """The guard: "already credited?" looks up *this* ``source_key``."""
    first = credit(artist, "survey:1:1")
    second = credit(artist, "survey:2:1")
    assert first is not None and second is not None and first.pk != second.pk
    assert LedgerEntry.objects.filter(artist=artist).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_credit_that_loses_the_race_returns_the_winners_entry(artist, program_admin):
    """The guard: after the unique ``source_key`` refused the insert, the entry returned
    is the one with *this* key (another transaction inserted it while this one waited),
    not the artist's newest entry."""
    rate_card_publish(admin=program_admin, card=draft(program_admin))
    assert credit(artist, "survey:1:1") is not None  # the newest entry on the ledger

    with RowInsertInProgress(
        LedgerEntry, artist=artist.pk, amount=Decimal("5.00"), currency="EUR",
        kind=EntryKind.AUTO, reason="Survey done", source_key="survey:2:1",
        created_at=timezone.now() - timedelta(minutes=5),
    ) as winner:  # fmt: skip
        racer = Racer(lambda: credit(artist, "survey:2:1"))
        start_and_wait_until_blocked([racer])
    finish([racer])

    assert racer.error is None, racer.error
    assert winner.pk is not None
    assert racer.result == LedgerEntry.objects.get(pk=winner.pk)
    assert LedgerEntry.objects.filter(artist=artist).count() == 2


@pytest.mark.django_db
def test_an_integrity_error_that_is_not_a_duplicate_is_not_swallowed(
    artist, rate_card, monkeypatch
):
    """The guard: ``winner is None``: the insert failed for another reason (a constraint,
    not the unique key), so the error is raised, not turned into a crash or a credit."""

    def refuse(**fields: object) -> LedgerEntry:
        raise IntegrityError("new row violates check constraint")

    monkeypatch.setattr(LedgerEntry.objects, "create", refuse)
    with pytest.raises(IntegrityError):
        credit(artist, "survey:3:1")
