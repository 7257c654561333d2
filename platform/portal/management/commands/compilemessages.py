"""Django's ``compilemessages``, compiling only the program's own catalogues (``locale/``):
never those of the packages in the virtualenv, which Django would otherwise find by
walking the whole tree."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import compilemessages

from portal.management.commands.makemessages import NOT_SOURCE


class Command(compilemessages.Command):
    def handle(self, **options: Any) -> None:
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), ".*", *NOT_SOURCE]
        super().handle(**options)
