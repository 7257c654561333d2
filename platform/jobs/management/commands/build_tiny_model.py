"""Build a tiny local model (for the embedded default and the tests)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# The tiny models and the builder of each, in generation.tiny_model.
BUILDERS = {
    "tiny-wan": "build_tiny_wan",
    "tiny-wan-i2v": "build_tiny_wan_i2v",
    "tiny-wan-flf2v": "build_tiny_wan_flf2v",
}


class Command(BaseCommand):
    help = (
        "Build a tiny, randomly initialised Wan pipeline into a folder (default: the "
        "model's configured source): text-to-video (tiny-wan, the default), image-to-video "
        "from a start image (--model tiny-wan-i2v) or from a start and an end image "
        "(--model tiny-wan-flf2v). Needs the 'gpu' extra."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="Folder to write (default: from settings).")
        parser.add_argument(
            "--model", choices=sorted(BUILDERS), default="tiny-wan", help="Which tiny model."
        )
        parser.add_argument("--force", action="store_true", help="Rebuild even if it exists.")

    def handle(self, *args: Any, **options: Any) -> None:
        model = options["model"]
        path = Path(options["path"] or str(settings.GENERATION_MODELS[model]["source"]))
        if (path / "model_index.json").exists() and not options["force"]:
            self.stdout.write(f"Tiny model {model} already at {path} (use --force to rebuild).")
            return
        try:
            # local import: without the gpu extra the command explains what to install
            from generation import tiny_model
        except ImportError as error:
            raise CommandError(
                f"{error}. Install the gpu extra: pip install -e '.[gpu]' torch==2.13.0"
            ) from None
        started = time.perf_counter()
        try:
            getattr(tiny_model, BUILDERS[model])(path)
        except ImportError as error:  # torch, diffusers or ftfy missing
            raise CommandError(
                f"{error}. Install the gpu extra: pip install -e '.[gpu]' torch==2.13.0"
            ) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Built the tiny model {model} at {path} in {seconds:.1f}s.")
        )
