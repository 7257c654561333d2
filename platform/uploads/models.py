from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q


def private_storage() -> Storage:
    """``STORAGES["private"]``, as ``jobs.storage.private_storage`` (this app sits below
    ``jobs``): no URL; only authorising views serve these files."""
    return storages["private"]


class InputImage(models.Model):
    """An image an artist uploaded as an input of a future job (a start or end frame).

    Checked by content, re-encoded (no original bytes or metadata kept) and stored
    privately under our own name. Only its owner may see or use it. Unused ones are
    deleted, with their files, by ``housekeeping`` (``uploads.services``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="input_images"
    )
    file = models.FileField(storage=private_storage, upload_to="inputs/%Y/%m/")
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a job first takes it as an input; unused uploads expire.
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(used_at__isnull=True),
                name="uploads_unused_by_age",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(width__gt=0, height__gt=0, size_bytes__gt=0),
                name="uploads_inputimage_not_empty",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/png", "image/jpeg"]),
                name="uploads_inputimage_stored_type",
            ),
        ]

    def __str__(self) -> str:
        return f"input image {self.pk} ({self.width}×{self.height})"
