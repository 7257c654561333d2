#!/usr/bin/env python
"""Django's command-line utility for Vernissage."""

import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent
    # platform/ is a source folder (never a package: that would shadow the stdlib module).
    sys.path.insert(0, str(root / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
