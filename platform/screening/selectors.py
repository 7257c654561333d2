"""Reads about pre-screening, for the review pages and the staff API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from screening.models import Screening


def screening_of(*, output: models.Model) -> Screening | None:
    """The output's screening (loaded with it where the query selected it), or None."""
    try:
        return output.screening  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def screening_summary(screening: Screening | None) -> dict[str, Any] | None:
    """The API's ``screening`` object of a review item; None for an output made before
    pre-screening existed."""
    if screening is None:
        return None
    return {
        "status": screening.status,
        "risk_score": screening.risk_score,
        "flags": list(screening.flags),
        "classifier": screening.classifier,
        "scores": dict(screening.scores),
        "error": screening.error or None,
        "screened_at": screening.created_at,
    }
