from __future__ import annotations

from django.conf import settings
from django.db import models


class GenerationSwitch(models.Model):
    """The global kill switch: one row. Pausing refuses every new submission at once;
    nothing is deleted, and unpausing restores service."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # Moved here from jobs (issue 15) without moving the data: the table keeps its name.
        db_table = "jobs_generationswitch"

    def __str__(self) -> str:
        return "Generation paused" if self.paused else "Generation running"
