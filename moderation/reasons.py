"""The configurable rejection reasons (settings.REVIEW_REJECTION_REASONS)."""

from __future__ import annotations

from django.conf import settings


def reason_codes() -> list[str]:
    return [reason["code"] for reason in settings.REVIEW_REJECTION_REASONS]


def reason_choices() -> list[tuple[str, str]]:
    return [(reason["code"], reason["label"]) for reason in settings.REVIEW_REJECTION_REASONS]


def reason_label(code: str) -> str:
    return dict(reason_choices()).get(code, code)
