"""The prompt policy: normalisation, then configurable rules, then an optional classifier."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.module_loading import import_string

MAX_PROMPT_LENGTH = 2000
# Format characters that are part of ordinary text: emoji sequences such as 👩‍🎨 and many
# scripts need the zero-width joiner and non-joiner. Every other format character (bidi
# overrides and isolates, invisible tags) is refused.
_JOINERS = frozenset({"\u200c", "\u200d"})


def normalise_prompt(text: str, *, field: str = "prompt", required: bool = True) -> str:
    """NFKC, no control or format characters (NUL, bidi overrides; tabs and newlines
    become spaces), no unpaired surrogates, single spaces, 1 to 2000 characters. Raises
    ValidationError naming ``field``."""
    if not isinstance(text, str):
        raise ValidationError({field: ValidationError("Must be text.", code="invalid")})
    # A lone surrogate (JSON "\ud800") is not a character: it can't be stored as UTF-8.
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise ValidationError(
            {
                field: ValidationError(
                    "Remove the invalid characters (unpaired surrogates).",
                    code="invalid_characters",
                )
            }
        )
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ")
    controls = sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if unicodedata.category(c) in {"Cc", "Cf"} and c not in _JOINERS
        }
    )
    if controls:
        raise ValidationError(
            {
                field: ValidationError(
                    f"Remove the control characters ({', '.join(controls)}).",
                    code="control_characters",
                )
            }
        )
    text = " ".join(text.split())
    if required and not text:
        raise ValidationError(
            {field: ValidationError("Describe the video you want.", code="required")}
        )
    if len(text) > MAX_PROMPT_LENGTH:
        raise ValidationError(
            {
                field: ValidationError(
                    f"Keep it to {MAX_PROMPT_LENGTH} characters (this is {len(text)}).",
                    code="max_length",
                )
            }
        )
    return text


@dataclass(frozen=True)
class PolicyVerdict:
    code: str
    message: str


@dataclass(frozen=True)
class _Rule:
    code: str
    pattern: re.Pattern[str]
    message: str


@lru_cache(maxsize=8)
def _compiled(rules: tuple[tuple[str, str, str], ...]) -> list[_Rule]:
    compiled = []
    for code, pattern, message in rules:
        try:
            compiled.append(_Rule(code, re.compile(pattern, re.IGNORECASE), message))
        except re.error as error:
            raise ImproperlyConfigured(
                f"prompt policy rule {code!r}: bad pattern: {error}"
            ) from None
    return compiled


def _classifier() -> Callable[[str], tuple[str, str] | None] | None:
    path = settings.PROMPT_POLICY_CLASSIFIER
    return import_string(path) if path else None


def prompt_policy_check(prompt: str) -> PolicyVerdict | None:
    """The first rule (or the classifier) that refuses ``prompt``, or None when it may run."""
    rules = tuple((r["code"], r["pattern"], r["message"]) for r in settings.PROMPT_POLICY_RULES)
    for rule in _compiled(rules):
        if rule.pattern.search(prompt):
            return PolicyVerdict(rule.code, rule.message)
    classifier = _classifier()
    if classifier is not None:
        verdict = classifier(prompt)
        if verdict is not None:
            return PolicyVerdict(*verdict)
    return None
