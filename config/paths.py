"""Where things are on disk, and the one place that puts platform/ on the import path."""

from __future__ import annotations

import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PLATFORM_DIR = BASE_DIR / "platform"


def add_platform_to_path() -> None:
    """Make the apps in platform/ importable by their own names.

    platform/ is deliberately not a package: a package named ``platform`` would shadow
    the standard library module that torch, celery and others import.
    """
    path = str(PLATFORM_DIR)
    if path not in sys.path:
        sys.path.insert(0, path)
