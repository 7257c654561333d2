"""Check the audit log's hash chain from the shell (or a cron job: non-zero when broken)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash and check the chain. Prints "
        '"Audit chain OK: N events." and exits 0, or names the first broken event and '
        "exits 1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify_chain()
        if not result.ok:
            # CommandError goes to stderr with exit status 1 (and to the caller of
            # call_command as the exception, message included).
            raise CommandError(
                f"Audit chain BROKEN at event {result.first_broken_id}: {result.reason}",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain OK: {result.checked} events."))
