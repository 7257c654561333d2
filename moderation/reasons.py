"""The configurable rejection reasons (settings.REVIEW_REJECTION_REASONS)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext


def reason_codes() -> list[str]:
    return [reason["code"] for reason in settings.REVIEW_REJECTION_REASONS]


def reason_choices() -> list[tuple[str, str]]:
    return [(reason["code"], reason["label"]) for reason in settings.REVIEW_REJECTION_REASONS]


def reason_label(code: str) -> str:
    """The label in the active language (the default labels are in the catalogues)."""
    label = dict(reason_choices()).get(code)
    return gettext(label) if label else code
