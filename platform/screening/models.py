"""One pre-screen per output: the classifier's flags and risk score, shown to reviewers.

A screening never decides: it orders and marks the review queue (decision 0035).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class ScreeningStatus(models.TextChoices):
    SCREENED = "screened", "Screened"  # staff pages only: not translated
    # The classifier failed or timed out: the item is reviewed unflagged, marked so.
    NOT_SCREENED = "not_screened", "Not screened"


class Screening(models.Model):
    # A string reference: jobs sits above this app (tests/test_layers.py).
    output = models.OneToOneField("jobs.Output", on_delete=models.PROTECT, related_name="screening")
    status = models.CharField(max_length=12, choices=ScreeningStatus.choices)
    flagged = models.BooleanField(default=False)
    # 0 to 100: the highest score among the flag labels, 100 for a prompt policy flag.
    risk_score = models.PositiveSmallIntegerField(default=0)
    # e.g. ["FEMALE_BREAST_EXPOSED", "prompt:graphic_violence"]
    flags = models.JSONField(default=list, blank=True)
    # Every label the classifier scored (0 to 1), flagged or not.
    scores = models.JSONField(default=dict, blank=True)
    classifier = models.CharField(max_length=100)
    prompt_code = models.CharField(max_length=40, blank=True)
    frames = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The queue's "highest risk first" order: (risk desc, output id), keyset paged.
            models.Index(F("risk_score").desc(), "output", name="screening_risk_idx"),
            models.Index("output", name="screening_flagged_idx", condition=Q(flagged=True)),
            models.Index(
                "output",
                name="screening_not_screened_idx",
                condition=Q(status="not_screened"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_score__lte=100), name="screening_risk_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"screening of output {self.output_id}: {self.status}, risk {self.risk_score}"
