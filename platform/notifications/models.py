"""Notifications: the one store of everything the portal tells a person
(``Notification``, every kind), and who wants which of them by email
(``NotificationPreference``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    """What a notification is about. ``message``: any other notice
    (``notifications.services.notify``); the others name their job."""

    MESSAGE = "message", "Message"
    VIDEO_READY = "video_ready", "Video ready"
    REVIEW_DECISION = "review_decision", "Review decision"


class Notification(models.Model):
    """An in-portal message for one person (also emailed when it matters). The one store
    of notifications: the dashboard, ``/notifications/``, the nav count and the API read it.
    Moved here from ``portal`` in issue 15; the table keeps its name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=32, choices=NotificationKind.choices, default=NotificationKind.MESSAGE
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "portal_notification"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            # A retried or duplicated worker success can't tell the artist twice.
            models.UniqueConstraint(
                fields=["job", "kind"],
                condition=Q(kind="video_ready"),
                name="notification_video_ready_once_per_job",
            ),
            models.CheckConstraint(
                condition=Q(kind="message") | Q(job__isnull=False),
                name="notification_job_kinds_name_a_job",
            ),
        ]

    def __str__(self) -> str:
        return self.message


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
