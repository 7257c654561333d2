"""Manual entries and reversals; and nothing ever edits or deletes an entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from domain.errors import NotAllowed
from ledger.errors import AlreadyReversed, LedgerImmutable, NotReversible
from ledger.models import EntryKind, LedgerEntry
from ledger.selectors import ledger_balance
from ledger.services import ledger_credit, ledger_manual_entry, ledger_reverse

pytestmark = pytest.mark.django_db


def manual(admin, artist, amount="10.00", reason="Workshop host"):
    return ledger_manual_entry(admin=admin, artist=artist, amount=Decimal(amount), reason=reason)


def test_a_program_admin_adds_a_manual_credit_or_debit(program_admin, artist):
    credit = manual(program_admin, artist, "30.00", "  Hosted the   workshop ")
    debit = manual(program_admin, artist, "-7.50", "Overpaid in March")

    assert (credit.kind, credit.amount, credit.reason) == (
        EntryKind.MANUAL,
        Decimal("30.00"),
        "Hosted the workshop",
    )
    assert credit.created_by == program_admin and credit.currency == "EUR"
    assert debit.amount == Decimal("-7.50")
    assert ledger_balance(artist=artist) == Decimal("22.50")
    event = AuditEvent.objects.filter(action="ledger.manual").last()
    assert event is not None and event.actor == program_admin
    assert event.data == {
        "artist": artist.pk,
        "amount": "-7.50",
        "currency": "EUR",
        "reason": "Overpaid in March",
    }


@pytest.mark.parametrize(
    ("amount", "reason", "fields"),
    [
        ("0", "Nothing", {"amount"}),
        ("0.00", "", {"amount", "reason"}),
        ("1.005", "Too precise", {"amount"}),
        ("10", "x" * 301, {"reason"}),
        ("100000000000", "Too much", {"amount"}),
    ],
)
def test_manual_entries_are_validated_field_by_field(program_admin, artist, amount, reason, fields):
    with pytest.raises(ValidationError) as error:
        manual(program_admin, artist, amount, reason)
    assert set(error.value.error_dict) == fields
    assert not LedgerEntry.objects.exists()


def test_manual_entries_are_for_artists_only(program_admin, reviewer):
    with pytest.raises(ValidationError) as error:
        manual(program_admin, reviewer)
    assert error.value.error_dict["artist"][0].code == "not_an_artist"


@pytest.mark.parametrize("who", ["artist", "other_artist", "reviewer", "outsider"])
def test_only_program_admins_add_manual_entries(request, artist, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        manual(actor, artist)
    assert not LedgerEntry.objects.exists()


def test_a_reversal_undoes_an_entry_and_the_balance_returns_to_zero(
    program_admin, artist, rate_card
):
    entry = ledger_credit(
        artist=artist, source_key="feedback:9:1", rate_key="bug:high", reason="Crash on export"
    )
    assert entry is not None and ledger_balance(artist=artist) == Decimal("40.00")

    reversal = ledger_reverse(admin=program_admin, entry=entry, reason="Duplicate report")

    assert (reversal.kind, reversal.amount, reversal.reverses) == (
        EntryKind.REVERSAL,
        Decimal("-40.00"),
        entry,
    )
    assert reversal.artist == artist and reversal.currency == "EUR"
    assert LedgerEntry.objects.get(pk=entry.pk).reversed_by == reversal
    assert ledger_balance(artist=artist) == Decimal("0.00")
    assert AuditEvent.objects.filter(action="ledger.reverse", object_id=str(reversal.pk)).exists()


def test_an_entry_is_reversed_at_most_once(program_admin, artist):
    entry = manual(program_admin, artist)
    reversal = ledger_reverse(admin=program_admin, entry=entry, reason="Mistake")

    with pytest.raises(AlreadyReversed) as twice:
        ledger_reverse(admin=program_admin, entry=entry, reason="Mistake again")
    with pytest.raises(NotReversible) as of_reversal:
        ledger_reverse(admin=program_admin, entry=reversal, reason="Undo the undo")

    assert (twice.value.code, of_reversal.value.code) == ("already_reversed", "not_reversible")
    assert "already been reversed" in twice.value.message
    assert LedgerEntry.objects.count() == 2
    assert ledger_balance(artist=artist) == Decimal("0.00")


def test_reversing_needs_a_reason_and_a_program_admin(program_admin, reviewer, artist):
    entry = manual(program_admin, artist)
    with pytest.raises(ValidationError) as error:
        ledger_reverse(admin=program_admin, entry=entry, reason=" ")
    assert set(error.value.error_dict) == {"reason"}
    with pytest.raises(NotAllowed):
        ledger_reverse(admin=reviewer, entry=entry, reason="Not mine to decide")
    assert LedgerEntry.objects.count() == 1


def test_the_database_links_reversals_and_automatic_credits(artist):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            artist=artist, amount=Decimal("-1"), currency="EUR", kind="reversal", reason="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            artist=artist, amount=Decimal("1"), currency="EUR", kind="auto", reason="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            artist=artist, amount=Decimal("0"), currency="EUR", kind="manual", reason="x"
        )


class TestAppendOnly:
    @pytest.fixture
    def entry(self, program_admin, artist):
        return manual(program_admin, artist, "10.00")

    def test_saving_an_entry_again_is_refused(self, entry):
        entry.amount = Decimal("1000.00")
        with pytest.raises(LedgerImmutable, match="add a reversal"):
            entry.save()
        loaded = LedgerEntry.objects.get(pk=entry.pk)
        loaded.reason = "edited"
        with pytest.raises(LedgerImmutable):
            loaded.save(update_fields=["reason"])
        assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")

    def test_a_new_object_cannot_overwrite_an_existing_id(self, entry):
        impostor = LedgerEntry(
            pk=entry.pk,
            artist_id=entry.artist_id,
            amount=Decimal("999.00"),
            currency="EUR",
            kind="manual",
            reason="impostor",
        )
        with pytest.raises(LedgerImmutable, match=f"{entry.pk} already exists"):
            impostor.save()

    def test_deleting_is_refused(self, entry):
        with pytest.raises(LedgerImmutable):
            entry.delete()
        with pytest.raises(LedgerImmutable):
            LedgerEntry.objects.all().delete()
        assert LedgerEntry.objects.filter(pk=entry.pk).exists()

    def test_bulk_changes_are_refused(self, entry):
        with pytest.raises(LedgerImmutable):
            LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
        with pytest.raises(LedgerImmutable):
            LedgerEntry.objects.bulk_update([entry], ["amount"])
        with pytest.raises(LedgerImmutable):
            LedgerEntry.objects.bulk_create(
                [entry], update_conflicts=True, unique_fields=["id"], update_fields=["amount"]
            )
        assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")

    def test_the_database_refuses_raw_updates_and_deletes(self, entry):
        table = LedgerEntry._meta.db_table
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET amount = 1000 WHERE id = %s", [entry.pk])  # noqa: S608
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
        assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")
