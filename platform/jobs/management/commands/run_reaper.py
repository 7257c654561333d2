"""Long-running housekeeper: recovers jobs whose worker vanished (see jobs.services.jobs_reap)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jobs.services import jobs_reap


class Command(BaseCommand):
    help = "Re-queue or fail jobs whose lease expired; publish queued jobs whose message was lost."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = settings.GENERATION_REAPER_INTERVAL_SECONDS
        while True:
            close_old_connections()
            report = jobs_reap()
            if options["once"]:
                self.stdout.write(
                    f"requeued={report.requeued} failed={report.failed} "
                    f"canceled={report.canceled} republished={report.republished}"
                )
                return
            time.sleep(interval)
