"""What a cohort may allow: clip durations, resolutions and generation modes the program
offers at all, and when its artists may download their outputs."""

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


class GenerationMode(models.TextChoices):
    """What a generation starts from (issue 17; docs/decisions/0033). ``jobs.models.Job.mode``
    and ``Cohort.allowed_modes`` both use these; only ``IMPLEMENTED_MODES`` may be allowed
    or submitted for now."""

    TEXT = "text", _("Text to video")
    IMAGE = "image", _("Image to video")
    EXTEND = "extend", _("Extend a video")
    STORYBOARD = "storyboard", _("Storyboard")


# The modes the platform runs (all of them since issue 17's storyboard and extend).
IMPLEMENTED_MODES = tuple(GenerationMode.values)


def default_modes() -> list[str]:
    return [GenerationMode.TEXT.value]


def validate_modes(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("List at least one mode.", code="required")
    for item in value:
        if item not in GenerationMode.values:
            raise ValidationError(
                f"{item!r} is not one of {', '.join(GenerationMode.values)}.", code="invalid"
            )
        if item not in IMPLEMENTED_MODES:
            raise ValidationError(
                f"{item!r} is not available yet; choose from {', '.join(IMPLEMENTED_MODES)}.",
                code="not_available",
            )
    if len(set(value)) != len(value):
        raise ValidationError("Each mode may appear only once.", code="duplicate")
