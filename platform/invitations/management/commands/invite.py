"""Invite artists from the shell: one or more addresses, or a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cohorts.models import Cohort
from invitations.services import IssuedInvitation, invitation_create, invitation_validate_email


class Command(BaseCommand):
    help = (
        "Invite artists into a cohort and email each a sign-up link. "
        "Either list addresses, or give --csv FILE with an 'email' column (and optionally "
        "a 'cohort' column). Every row is checked first; if any is bad, nobody is invited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emails", nargs="*", help="Addresses to invite.")
        parser.add_argument("--cohort", help="Cohort name (required unless the CSV names one).")
        parser.add_argument("--csv", type=Path, help="CSV file with an 'email' column.")
        parser.add_argument("--days", type=int, default=None, help="Days until the link expires.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and not 1 <= days <= 90:
            raise CommandError("--days must be between 1 and 90.")
        rows = self._rows(options)
        if not rows:
            raise CommandError("Nothing to do: give addresses or --csv FILE.")
        cohorts = {c.name: c for c in Cohort.objects.all()}
        problems: list[str] = []
        seen: set[str] = set()
        for line, email, cohort_name in rows:
            where = f"line {line}" if options["csv"] else email
            if not cohort_name:
                problems.append(f"{where}: no cohort (use --cohort or a 'cohort' column)")
            elif cohort_name not in cohorts:
                problems.append(f"{where}: unknown cohort {cohort_name!r}")
            try:
                address = invitation_validate_email(email=email)
            except ValidationError as error:
                problems.extend(f"{where}: {m}" for m in error.messages)
                continue
            if address in seen:
                problems.append(f"{where}: {address} is listed twice")
            seen.add(address)
        if problems:
            raise CommandError("Nobody was invited:\n  " + "\n  ".join(problems))

        issued: list[IssuedInvitation] = []
        with transaction.atomic():
            for _line, email, cohort_name in rows:
                issued.append(
                    invitation_create(
                        inviter=None,
                        email=email,
                        cohort=cohorts[cohort_name],
                        expires_in_days=days,
                    )
                )
        for item in issued:
            self.stdout.write(
                f"{item.invitation.email}\t{item.invitation.cohort.name}\t{item.link}"
            )
        self.stdout.write(self.style.SUCCESS(f"Invited {len(issued)} artist(s)."))

    def _rows(self, options: dict[str, Any]) -> list[tuple[int, str, str]]:
        default_cohort = options["cohort"] or ""
        rows = [(0, email, default_cohort) for email in options["emails"]]
        path: Path | None = options["csv"]
        if path is None:
            return rows
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                fields = [f.strip().lower() for f in reader.fieldnames or []]
                if "email" not in fields:
                    raise CommandError(f"{path}: the first row must name an 'email' column.")
                for number, raw in enumerate(reader, start=2):
                    record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
                    if not any(record.values()):
                        continue
                    rows.append(
                        (number, record.get("email", ""), record.get("cohort") or default_cohort)
                    )
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from None
        return rows
