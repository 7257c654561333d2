"""manage.py trace_video <file>: name the job and account behind a suspect video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracing.services import NotAVideo, trace_video


class Command(BaseCommand):
    help = "Read a suspect video's forensic watermark: job, account, cohort, confidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the suspect video")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = trace_video(path=path, actor=None)
        except NotAVideo as error:
            raise CommandError(error.message) from error
        if result.job is None:
            self.stdout.write(result.summary)
            return
        job = result.job
        self.stdout.write(
            "\n".join(
                [
                    "Mark found.",
                    f"job:        {job.pk} ({job.created_at:%Y-%m-%d %H:%M} UTC)",
                    f"account:    {job.artist.email}",
                    f"cohort:     {job.cohort.name}",
                    f"confidence: {result.confidence:.3f} (threshold {result.threshold:.2f})",
                    f"frames:     {result.frames}",
                    f"sha256:     {result.sha256}",
                ]
            )
        )
