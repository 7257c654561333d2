"""The payout export: one CSV row per artist and currency for a period, then the totals.

Shared by ``manage.py export_ledger`` and the staff download, so both write the same file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from ledger.selectors import PeriodTotal, ledger_period_totals

COLUMNS = ["artist_email", "artist_name", "currency", "entries", "total"]
TOTAL_LABEL = "TOTAL"
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


class PeriodError(ValueError):
    """The period given can't be used; the message says why, for people."""


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC: from the first day's midnight to the last day's midnight."""

    first_day: date
    end_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day, time.min, tzinfo=UTC)

    @property
    def filename(self) -> str:
        return f"ledger-{self.first_day.isoformat()}-to-{self.end_day.isoformat()}.csv"


def _day(text: str | None, name: str) -> date:
    if not text or not text.strip():
        raise PeriodError(_("Give %(name)s as a date, YYYY-MM-DD.") % {"name": name})
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(
            _("%(name)s must be a date written YYYY-MM-DD (e.g. 2025-03-01), not %(text)r.")
            % {"name": name, "text": text.strip()}
        ) from None


def period_parse(*, start: str | None, end: str | None) -> Period:
    """Read ``from`` and ``to`` (exclusive) dates, YYYY-MM-DD, UTC. Raises PeriodError."""
    first_day = _day(start, "from")
    end_day = _day(end, "to")
    if end_day <= first_day:
        raise PeriodError(
            _(
                "to (%(end)s) must be after from (%(start)s): to is exclusive, so one day is "
                "from=D to=D+1."
            )
            % {"end": end_day.isoformat(), "start": first_day.isoformat()}
        )
    return Period(first_day=first_day, end_day=end_day)


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


@dataclass(frozen=True)
class ExportSummary:
    rows: int
    entries: int
    totals: dict[str, Decimal]


def ledger_export_csv(*, period: Period, out: Writable) -> ExportSummary:
    """Write the period's payout CSV to ``out``: a header, one row per artist and
    currency, then one TOTAL row per currency (the sum of the rows above it, which is the
    sum of every entry in the period)."""
    rows: list[PeriodTotal] = ledger_period_totals(start=period.start, end=period.end)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    totals: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for row in rows:
        writer.writerow(
            [_text(row.email), _text(row.full_name), row.currency, row.entries, f"{row.total:.2f}"]
        )
        totals[row.currency] = totals.get(row.currency, Decimal("0")) + row.total
        counts[row.currency] = counts.get(row.currency, 0) + row.entries
    if not totals:
        writer.writerow([TOTAL_LABEL, "", "", 0, "0.00"])
    for currency in sorted(totals):
        writer.writerow([TOTAL_LABEL, "", currency, counts[currency], f"{totals[currency]:.2f}"])
    return ExportSummary(rows=len(rows), entries=sum(counts.values()), totals=totals)
