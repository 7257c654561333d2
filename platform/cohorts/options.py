"""What a cohort may allow: clip durations and resolutions the program offers at all, and
when its artists may download their outputs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Clips are at most 10 seconds long.
MAX_DURATION_SECONDS = 10


class DownloadPolicy(models.TextChoices):
    """When an artist may download their own outputs (docs/decisions/0027)."""

    NEVER = "never", _("Never")
    AFTER_APPROVAL = "after_approval", _("Once the review team approved the video")
    ALWAYS = "always", _("As soon as the video is made")


class Resolution(models.TextChoices):
    P480 = "480p", "480p (854×480)"
    P720 = "720p", "720p (1280×720)"
    P1080 = "1080p", "1080p (1920×1080)"


def default_durations() -> list[int]:
    return [2, 5, 10]


def default_resolutions() -> list[str]:
    return [Resolution.P480.value, Resolution.P720.value]


def validate_durations(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("List at least one duration, in whole seconds.", code="required")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise ValidationError(f"{item!r} is not a whole number of seconds.", code="invalid")
        if not 1 <= item <= MAX_DURATION_SECONDS:
            raise ValidationError(
                f"{item} s is outside 1–{MAX_DURATION_SECONDS} s.", code="out_of_range"
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each duration may appear only once.", code="duplicate")


def validate_resolutions(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("List at least one resolution.", code="required")
    for item in value:
        if item not in Resolution.values:
            raise ValidationError(
                f"{item!r} is not one of {', '.join(Resolution.values)}.", code="invalid"
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each resolution may appear only once.", code="duplicate")
