from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class Visibility(models.TextChoices):
    GALLERY = "gallery", gettext_lazy("Public gallery")
    LINK = "link", gettext_lazy("Unlisted link")


class PublicationStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Published")
    UNPUBLISHED = "unpublished", gettext_lazy("Unpublished by the artist")
    TAKEN_DOWN = "taken_down", gettext_lazy("Taken down")


class Publication(models.Model):
    """An approved output made visible. At most one active publication per output; ending
    one (unpublish, takedown, revoked approval) keeps the row as history."""

    output = models.ForeignKey("jobs.Output", on_delete=models.PROTECT, related_name="publications")
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    # Unguessable; the address of an unlisted link.
    slug = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.ACTIVE
    )
    published_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                name="publication_gallery",
                condition=Q(status="active", visibility="gallery"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["output"], condition=Q(status="active"), name="one_active_publication"
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True)
                | (~Q(status="active") & Q(ended_at__isnull=False)),
                name="publication_end_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} publication of output {self.output_id}"


class Takedown(models.Model):
    """A staff takedown of a publication, and the hold it puts on the output: while it is
    in force (not lifted) the output can't be published again, in the gallery or as a
    link, by anyone. Staff lift it with a reason (decision 0019)."""

    output = models.ForeignKey("jobs.Output", on_delete=models.PROTECT, related_name="takedowns")
    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, related_name="takedown"
    )
    reason = models.CharField(max_length=300)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_down_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-taken_down_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["output"], condition=Q(lifted_at__isnull=True), name="one_takedown_in_force"
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="takedown_lift_recorded",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="takedown_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Takedown of output {self.output_id}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
