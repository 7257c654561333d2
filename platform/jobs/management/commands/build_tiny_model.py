"""Build the tiny local text-to-video model (for the embedded default and the tests)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Build a tiny, randomly initialised Wan text-to-video pipeline into a folder "
        "(default: the tiny-wan model's configured source). Needs the 'gpu' extra."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="Folder to write (default: from settings).")
        parser.add_argument("--force", action="store_true", help="Rebuild even if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"] or str(settings.GENERATION_MODELS["tiny-wan"]["source"]))
        if (path / "model_index.json").exists() and not options["force"]:
            self.stdout.write(f"Tiny model already at {path} (use --force to rebuild).")
            return
        try:
            # local import: without the gpu extra the command explains what to install
            from generation.tiny_model import build_tiny_wan
        except ImportError as error:
            raise CommandError(
                f"{error}. Install the gpu extra: pip install -e '.[gpu]' torch==2.13.0"
            ) from None
        started = time.perf_counter()
        build_tiny_wan(path)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Built the tiny model at {path} in {seconds:.1f}s."))
