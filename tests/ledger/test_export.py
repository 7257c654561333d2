"""The payout CSV: per-artist totals for a period that reconcile with the entries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from audit.models import AuditEvent
from ledger.models import LedgerEntry
from ledger.services import ledger_credit, ledger_manual_entry, ledger_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def period_data(artist, other_artist, program_admin, rate_card, past_entry):
    """Entries today (the period) and on either side of it."""
    today = timezone.now().astimezone(UTC).date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    # Outside the period: the day before, and the exclusive end itself.
    past_entry(artist, "1000.00", start - timedelta(seconds=1), "last month")
    past_entry(other_artist, "500.00", end, "tomorrow")
    # Inside: credits, a manual debit, and a credit reversed the same day.
    ledger_credit(artist=artist, source_key="f:1", rate_key="bug:high", reason="Bug A")  # 40
    ledger_credit(artist=artist, source_key="f:2", rate_key="feature", reason="Idea B")  # 25.50
    ledger_manual_entry(admin=program_admin, artist=artist, amount=Decimal("-5.25"), reason="Fix")
    wrong = ledger_credit(artist=other_artist, source_key="f:3", rate_key="bug:low", reason="C")
    assert wrong is not None
    ledger_reverse(admin=program_admin, entry=wrong, reason="Not a bug")  # nets out: 5 - 5
    ledger_credit(artist=other_artist, source_key="f:4", rate_key="survey", reason="Survey")  # 5
    past_entry(artist, "3.00", start, "first second of the day")  # inclusive start
    return {"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()}, start, end


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def check_reconciles(rows, start, end):
    body, total = rows[:-1], rows[-1]
    assert total["artist_email"] == "TOTAL" and total["currency"] == "EUR"
    expected = {
        row["artist__email"]: (row["amount"], row["entries"])
        for row in LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("artist__email")
        .annotate(amount=Sum("amount"), entries=Count("id"))
    }
    assert {r["artist_email"]: (Decimal(r["total"]), int(r["entries"])) for r in body} == expected
    assert Decimal(total["total"]) == sum(Decimal(r["total"]) for r in body)
    assert int(total["entries"]) == sum(int(r["entries"]) for r in body)


def test_the_command_writes_per_artist_totals_that_reconcile(period_data, tmp_path):
    params, start, end = period_data
    out = io.StringIO()
    call_command("export_ledger", "--from", params["from"], "--to", params["to"], stdout=out)

    rows = parse(out.getvalue())
    assert list(rows[0]) == ["artist_email", "artist_name", "currency", "entries", "total"]
    assert rows == [
        {"artist_email": "alice@example.com", "artist_name": "Alice Artist", "currency": "EUR",
         "entries": "4", "total": "63.25"},
        {"artist_email": "bob@example.com", "artist_name": "Bob Painter", "currency": "EUR",
         "entries": "3", "total": "5.00"},
        {"artist_email": "TOTAL", "artist_name": "", "currency": "EUR",
         "entries": "7", "total": "68.25"},
    ]  # fmt: skip
    check_reconciles(rows, start, end)

    target = tmp_path / "payout.csv"
    err = io.StringIO()
    call_command(
        "export_ledger", "--from", params["from"], "--to", params["to"],
        "--output", str(target), stderr=err,
    )  # fmt: skip
    assert parse(target.read_text(encoding="utf-8")) == rows
    assert "68.25 EUR" in err.getvalue()
    assert AuditEvent.objects.filter(action="ledger.export").count() == 2


def test_a_period_without_entries_has_a_zero_total(db):
    out = io.StringIO()
    call_command("export_ledger", "--from", "2020-01-01", "--to", "2020-02-01", stdout=out)
    assert parse(out.getvalue()) == [
        {"artist_email": "TOTAL", "artist_name": "", "currency": "", "entries": "0",
         "total": "0.00"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-13-01", "2025-02-01", "from must be a date written YYYY-MM-DD"),
        ("2025-01-01", "01/02/2025", "to must be a date written YYYY-MM-DD"),
        ("2025-02-01", "2025-02-01", "must be after from"),
        ("2025-03-01", "2025-02-01", "must be after from"),
    ],
)
def test_bad_dates_stop_the_command_with_a_clear_message(db, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_ledger", "--from", start, "--to", end, stdout=io.StringIO())


def test_the_staff_download_matches_the_command(client, program_admin, period_data):
    params, start, end = period_data
    client.force_login(program_admin)

    response = client.get("/ledger/export.csv", params)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="ledger-{params["from"]}-to-{params["to"]}.csv"'
        in (response["Content-Disposition"])
    )
    rows = parse(response.content.decode())
    check_reconciles(rows, start, end)
    out = io.StringIO()
    call_command("export_ledger", "--from", params["from"], "--to", params["to"], stdout=out)
    assert rows == parse(out.getvalue())
    assert AuditEvent.objects.filter(action="ledger.export", actor=program_admin).exists()


@pytest.mark.parametrize(
    "params",
    [{}, {"from": "2025-01-01"}, {"from": "yesterday", "to": "2025-01-02"},
     {"from": "2025-01-02", "to": "2025-01-01"}],
)  # fmt: skip
def test_the_download_answers_400_with_a_message_for_bad_dates(client, program_admin, params):
    client.force_login(program_admin)
    response = client.get("/ledger/export.csv", params)
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode() or "after" in response.content.decode()


@pytest.mark.parametrize("who", ["artist", "reviewer"])
def test_only_program_admins_may_download(client, request, who, period_data):
    client.force_login(request.getfixturevalue(who))
    params, _start, _end = period_data
    assert client.get("/ledger/export.csv", params).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/ledger/export.csv?from=2025-01-01&to=2025-02-01")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_spreadsheet_formulas_in_names_are_defused(client, program_admin, artist):
    artist.full_name = "=HYPERLINK(evil)"
    artist.save(update_fields=["full_name"])
    ledger_manual_entry(admin=program_admin, artist=artist, amount=Decimal("1"), reason="x")
    today = timezone.now().astimezone(UTC).date()
    out = io.StringIO()
    call_command(
        "export_ledger", "--from", today.isoformat(),
        "--to", (today + timedelta(days=1)).isoformat(), stdout=out,
    )  # fmt: skip
    assert parse(out.getvalue())[0]["artist_name"] == "'=HYPERLINK(evil)"
