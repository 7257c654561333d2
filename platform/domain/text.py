"""The one rule for free text that people type (titles, notes, reasons, replies, prompts).

Every service that stores such text passes it through ``clean_text`` first, so the
portal, the API, the admin and scripts get the same answer, and PostgreSQL never sees a
NUL (it refuses one with an error that would be a 500) or an unpaired surrogate (it
can't be stored as UTF-8).
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Format characters that are part of ordinary text: emoji sequences such as 👩‍🎨 and many
# scripts need the zero-width joiner and non-joiner. Every other format character (bidi
# overrides and isolates, invisible tags) is refused: it can make text read as
# something else.
_JOINERS = frozenset({"\u200c", "\u200d"})
# Kept in multi-line text; in a single line they become spaces.
_LAYOUT = frozenset({"\n", "\t"})


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _refused_characters(text: str, *, multiline: bool) -> list[str]:
    """Code points (``U+0000``) of the control and format characters in ``text``."""
    allowed = _JOINERS | (_LAYOUT if multiline else frozenset())
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if unicodedata.category(c) in {"Cc", "Cf"} and c not in allowed
        }
    )


def clean_text(
    value: object,
    *,
    field: str,
    max_length: int,
    multiline: bool = False,
    required: bool = False,
    required_message: str | None = None,
    normal_form: Literal["NFC", "NFKC"] = "NFC",
) -> str:
    """``value`` as it will be stored, or a ValidationError on ``field``.

    Refuses: anything but text (``None`` counts as empty), unpaired surrogates, control
    and format characters (NUL, bidi overrides, invisible tags; ZWJ/ZWNJ allowed; tabs and
    newlines allowed where ``multiline``), more than ``max_length`` characters, and
    emptiness where ``required``. Normalises: Unicode ``normal_form`` (NFC keeps what was
    typed; prompts use NFKC so look-alike characters can't slip past the prompt policy),
    line endings to ``\\n``, outer whitespace stripped; a single line also turns tabs and
    newlines into spaces and runs of spaces into one.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _refuse(field, _("Must be text."), "invalid")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise _refuse(
            field, _("Remove the invalid characters (unpaired surrogates)."), "invalid_characters"
        )
    text = unicodedata.normalize(normal_form, value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\t", " ").replace("\n", " ")
    refused = _refused_characters(text, multiline=multiline)
    if refused:
        raise _refuse(
            field,
            _("Remove the control characters (%(characters)s).")
            % {"characters": ", ".join(refused)},
            "control_characters",
        )
    text = text.strip() if multiline else " ".join(text.split())
    if required and not text:
        raise _refuse(field, required_message or _("This field is required."), "required")
    if len(text) > max_length:
        raise _refuse(
            field,
            _("Keep it to %(max)s characters (this is %(length)s).")
            % {"max": max_length, "length": len(text)},
            "max_length",
        )
    return text
