"""Announcements to a cohort (issue 18): written by a program admin, published once to the
cohort's members (portal and email), and who has read each one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000


class AnnouncementStatus(models.TextChoices):
    """A draft may be edited and is seen by staff only; publishing sends it, once. A
    published announcement is never edited: a correction is a new announcement."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Announcement(models.Model):
    """A message to every member of one cohort. ``body`` is plain text: pages escape it
    and keep its line breaks; no HTML from staff reaches an artist."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="announcements"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=AnnouncementStatus.choices, default=AnnouncementStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Emails the mail server accepted when it was published (written after the commit).
    emailed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cohort", "status", "-published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(published_at__isnull=True))
                | (Q(status="published") & Q(published_at__isnull=False)),
                name="announcement_published_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    """``user`` has seen ``announcement`` (its page, in the portal), first at ``read_at``."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_reads"
    )
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_read_once_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.announcement_id}"
