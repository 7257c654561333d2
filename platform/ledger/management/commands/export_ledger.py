"""Write the payout CSV for a period (``--to`` exclusive) to a file or stdout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import audit_record
from ledger.export import PeriodError, ledger_export_csv, period_parse


class Command(BaseCommand):
    help = (
        "Export the contribution ledger for payout: one row per artist and currency with "
        "the number of entries and their total for entries made from --from (inclusive) to "
        "--to (exclusive), UTC dates YYYY-MM-DD, then a TOTAL row per currency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument(
            "--to", dest="end", required=True, help="Day after the last, YYYY-MM-DD (exclusive)."
        )
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_parse(start=options["start"], end=options["end"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        output = options.get("output")
        if output:
            path = Path(output)
            try:
                with path.open("w", encoding="utf-8", newline="") as handle:
                    summary = ledger_export_csv(period=period, out=handle)
            except OSError as error:
                raise CommandError(f"Can't write {path}: {error.strerror or error}") from None
        else:
            summary = ledger_export_csv(period=period, out=self.stdout)
        audit_record(
            actor=None,
            action="ledger.export",
            data={"from": period.first_day.isoformat(), "to": period.end_day.isoformat()},
        )
        if output:
            totals = ", ".join(f"{total:.2f} {cur}" for cur, total in summary.totals.items())
            self.stderr.write(
                f"Wrote {summary.rows} row(s), {summary.entries} entries"
                f"{' totalling ' + totals if totals else ''} to {output}."
            )
