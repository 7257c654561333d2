from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.options import (
    DownloadPolicy,
    default_durations,
    default_modes,
    default_resolutions,
    validate_durations,
    validate_modes,
    validate_resolutions,
)


class Cohort(models.Model):
    """A wave of invited artists.

    ``capacity`` caps how many artists may join (enforced when an invitation is
    accepted); ``daily_generation_quota`` is per artist per UTC day; ``is_paused`` stops
    new generations for the whole cohort; ``download_policy`` says when its artists may
    download their own outputs (``publishing.downloads``).
    """

    name = models.CharField(max_length=100, unique=True)
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Most artists who may join."
    )
    daily_generation_quota = models.PositiveIntegerField(
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
        help_text="Generations each artist may submit per UTC day.",
    )
    allowed_durations = models.JSONField(
        default=default_durations,
        validators=[validate_durations],
        help_text="Clip lengths offered, in whole seconds, e.g. [2, 5, 10].",
    )
    allowed_resolutions = models.JSONField(
        default=default_resolutions,
        validators=[validate_resolutions],
        help_text='Resolutions offered, e.g. ["480p", "720p"].',
    )
    allowed_modes = models.JSONField(
        default=default_modes,
        validators=[validate_modes],
        help_text=(
            'Generation modes its artists may use, e.g. ["text", "image"] (image: a start '
            "image; decision 0033). A mode not listed is refused with mode_not_allowed."
        ),
    )
    max_variations = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Most variations (consecutive seeds) one submission may ask for, 1-4; "
        "each variation is an output and counts against the daily quota.",
    )
    max_shots = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(2), MaxValueValidator(6)],
        help_text="Most shots in one storyboard, 2-6 (when storyboard is an allowed mode).",
    )
    review_sla_hours = models.PositiveIntegerField(
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="Every output gets a review decision within this many hours.",
    )
    visible_watermark = models.BooleanField(
        default=False,
        help_text=(
            "Tile the program name and the artist's name across every output of this "
            "cohort (the invisible forensic mark is always there)."
        ),
    )
    download_policy = models.CharField(
        max_length=20,
        choices=DownloadPolicy.choices,
        default=DownloadPolicy.AFTER_APPROVAL,
        help_text=_(
            "When artists may download their own videos (the signed, watermarked MP4). "
            "A takedown or a suspended account stops downloads whatever this says."
        ),
    )
    scheduling_weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=(
            "This cohort's share of the GPUs when cohorts wait together: a cohort of weight 2 "
            "gets twice the jobs of a cohort of weight 1 (fair share; decision 0030)."
        ),
    )
    second_opinion_share = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=(
            "Percent of first-review approvals sent blind to a second reviewer, 0 to 100; "
            "0 sends none (decision 0036)."
        ),
    )
    is_paused = models.BooleanField(default=False)
    paused_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="cohort_capacity_min_1"
            ),
            models.CheckConstraint(
                condition=models.Q(review_sla_hours__gte=1), name="cohort_sla_min_1"
            ),
            models.CheckConstraint(
                condition=models.Q(download_policy__in=DownloadPolicy.values),
                name="cohort_download_policy_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(scheduling_weight__gte=1), name="cohort_scheduling_weight_min_1"
            ),
        ]

    def __str__(self) -> str:
        return self.name
