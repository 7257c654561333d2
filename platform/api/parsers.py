"""Request body parsers for the whole API (``DEFAULT_PARSER_CLASSES``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of ours nests deeper than a few levels; 32 leaves room and stays far from
# Python's recursion limit, which every later step (validation, rendering) shares.
MAX_JSON_DEPTH = 32


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays/objects more than ``limit`` deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class NestingLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing JSON nested deeper than ``MAX_JSON_DEPTH``.

    Deeply nested JSON makes Python's decoder raise RecursionError, which DRF doesn't
    catch (it catches ValueError): an HTML 500. Both become a 400 ``parse_error`` in the
    API's error format, for every endpoint."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data, too_deep = None, True
        else:
            too_deep = _depth_exceeds(data, MAX_JSON_DEPTH)
        if too_deep:
            raise ParseError(
                _("JSON parse error - nested more than %(depth)s levels deep.")
                % {"depth": MAX_JSON_DEPTH}
            )
        return data
