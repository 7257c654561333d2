"""Django's ``makemessages``, reading only the program's own source: ``platform/``,
``moderation/``, ``templates/`` and ``config/``; never the tests, benchmarks, tools,
deployment files, the virtualenv (a dot folder: Django skips those) or the data folder.

``--locale-dir`` writes the catalogues into another folder that holds a copy of
``locale/`` (tests/test_translations.py compares what it finds with what is committed).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

NOT_SOURCE = [
    "tests", "bench", "tools", "deploy", "var", "generation", "static", "docs",
    "test-artifacts", "node_modules", "build", "dist", "*.egg-info",
]  # fmt: skip


class Command(makemessages.Command):
    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--locale-dir",
            default=None,
            help="Write into this folder instead of locale/ (it holds a copy of locale/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_SOURCE]
        self.locale_dir_override = options.pop("locale_dir", None)
        super().handle(*args, **options)

    def find_files(self, root: str) -> list[Any]:
        files = super().find_files(root)
        if self.locale_dir_override:
            self.locale_paths = [self.locale_dir_override]
            for translatable in files:
                translatable.locale_dir = self.locale_dir_override
        return files
