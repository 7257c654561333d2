"""The prompt policy: normalisation, then configurable rules, then an optional classifier."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from domain.text import clean_text

MAX_PROMPT_LENGTH = 2000


def normalise_prompt(text: str, *, field: str = "prompt", required: bool = True) -> str:
    """The free-text rule (``domain.text.clean_text``) for a prompt: NFKC, so look-alike
    characters can't slip past the policy; one line (tabs and newlines become spaces);
    no control or format characters, no unpaired surrogates; 1 to 2000 characters.
    Raises ValidationError naming ``field``."""
    return clean_text(
        text,
        field=field,
        max_length=MAX_PROMPT_LENGTH,
        required=required,
        required_message=_("Describe the video you want."),
        normal_form="NFKC",
    )


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
