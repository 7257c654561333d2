"""Words for people where the data holds codes (issue 14: nobody should read
``technical_quality`` or ``faces_hands``)."""

from __future__ import annotations

from django import template

from feedback.models import OUTPUT_TAG_LABELS
from moderation.models import DecisionOutcome, ReviewStage
from moderation.reasons import reason_label as label

register = template.Library()


@register.filter
def reason_label(code: str | None) -> str:
    """A rejection reason's label (moderation.reasons), or "" for none."""
    return label(code) if code else ""


@register.filter
def review_outcome_label(code: str) -> str:
    return str(dict(DecisionOutcome.choices).get(code, code))


@register.filter
def review_stage_label(code: str) -> str:
    return str(dict(ReviewStage.choices).get(code, code))


@register.filter
def feedback_tag_label(code: str) -> str:
    return OUTPUT_TAG_LABELS.get(code, code)
