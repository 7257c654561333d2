"""Who wants which notification by email. The notifications themselves are
``portal.models.Notification`` (one store for every kind)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationPreference(models.Model):
    """One artist's email choices. No row: the defaults below (portal only for a ready
    video; review decisions by email, as before preferences existed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_on_video_ready = models.BooleanField(default=False)
    email_on_review_decision = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"
