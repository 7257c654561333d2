"""Long-running housekeeper: recovers lost jobs, escalates overdue reviews and deletes
uploaded images no job used."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jobs.services import jobs_reap
from moderation.services import review_escalate_overdue
from uploads.services import input_images_expire

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Every few seconds: re-queue or fail jobs whose worker vanished, publish queued jobs "
        "whose message was lost (jobs.services.jobs_reap), and tell program admins about "
        "review items past their due time (moderation.services.review_escalate_overdue), "
        "and delete uploaded images no job used in time (uploads.services.input_images_expire)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            try:
                report = jobs_reap()
                escalated = review_escalate_overdue()
                expired = input_images_expire()
            except Exception:  # keep the loop alive; the next pass retries
                log.exception("housekeeping pass failed")
                if options["once"]:
                    raise
            else:
                if options["once"]:
                    self.stdout.write(
                        f"jobs requeued={report.requeued} failed={report.failed} "
                        f"canceled={report.canceled} republished={report.republished}; "
                        f"reviews escalated={escalated}; uploads expired={expired}"
                    )
                    return
            time.sleep(settings.GENERATION_REAPER_INTERVAL_SECONDS)
